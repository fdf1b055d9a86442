"""The words workspace.js shows, translated on the server and handed to the page as JSON
(``json_script``): no second catalogue and no extra request for the script.

Placeholders are ``%(name)s``; the script fills them (``msg`` in workspace.js).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

JS_MESSAGES = {
    "refused": _(
        "The server refused this (HTTP %(status)s); nothing was changed. Reload the page."
    ),
    "refused_403": _(
        "You may not make this change (HTTP 403); perhaps you were logged out. "
        "Nothing was changed. Reload the page."
    ),
    "refused_404": _(
        "This annotation or document no longer exists here (HTTP 404); it may have been "
        "changed in another tab. Nothing was changed. Reload the page."
    ),
    "unreachable": _("The server cannot be reached; nothing was saved."),
    "document_text": _("Document text"),
    "only_spaces": _("Only spaces or punctuation selected."),
    "selected": _("Selected «%(quote)s»: press %(keys)s."),
    "another_annotator": _("another annotator"),
    "by_read_only": _("By %(name)s (read only)."),
    "here": _("%(count)s annotations here: "),
    "sentence_first": _("Move to a sentence first (j / k, or click one)."),
    "no_words": _("The selection holds no words, only spaces or punctuation."),
    "select_first": _("Select a passage first, then press %(key)s."),
    "the_label": _("the label"),
    "sentence_mode": _(
        "Sentence mode: j / k or a click chooses a sentence; a label key (or Enter) labels it."
    ),
    "selection_mode": _("Selection mode."),
    "sentence_focused": _("Sentence «%(quote)s»: press %(keys)s, or Enter for %(label)s."),
    "suggestion_focused": _(
        "Suggested: %(label)s %(score)s (%(agent)s). Enter or a accepts, x rejects."
    ),
}


def js_messages() -> dict[str, str]:
    """The messages in the active language."""
    return {key: str(message) for key, message in JS_MESSAGES.items()}
