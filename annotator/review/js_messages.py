"""The words review.js (the curation screen) shows, translated on the server and handed to
the page as JSON (``json_script``), as the workspace does (``workspace/js_messages``,
whose keys the shared editing.js helpers use: they are included here).

Placeholders are ``%(name)s``; the script fills them (``msg`` in review.js).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from annotator.workspace.js_messages import JS_MESSAGES as EDITING_MESSAGES

JS_MESSAGES = {
    **EDITING_MESSAGES,
    "all_decided": _("All %(count)s disagreements have gold."),
    "all_agree": _("The annotators agree everywhere."),
    "disagreement_at": _("Disagreement %(position)s of %(open)s open: sentence %(sentence)s."),
    "sentence_n": _("Sentence %(n)s"),
    "decided_by_gold": _("disagreement, decided by gold"),
    "annotators_disagree": _("annotators disagree"),
    "has_gold": _("has gold"),
    "majority": _("Majority: "),
    "majority_none": _("none (press a label's key to decide)"),
    "nobody_labelled": _("No annotator labelled this sentence."),
    "remove": _("Remove"),
    "accept": _("Accept"),
    "no_span_here": _("No span here: move to a sentence with spans (j / k, n / p)."),
    "select_then_press": _(
        "Select a passage, click a span or go to a sentence (j / k, n / p), then press %(key)s."
    ),
    "gold_already": _("This span is gold already."),
    "accept_how": _("Click an annotator's span or go to a sentence (j / k, n / p), then press a."),
    "choose_gold_first": _("Choose a gold span first (click it in the text or the list)."),
    "nothing_to_replace": _("Nothing to replace: r answers a refusal for conflicting gold."),
}


def js_messages() -> dict[str, str]:
    """The messages in the active language."""
    return {key: str(message) for key, message in JS_MESSAGES.items()}
