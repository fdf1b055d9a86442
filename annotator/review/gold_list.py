"""The curation screen's gold list: the document's gold spans in reading order.

Built in Python rather than with a template per entry (as the workspace's side list): a
curated document can carry a gold span per sentence, and the page and every htmx answer
share this one markup. Each entry's remove button posts the one shared form
(``#gold-delete``) to the entry's own URL, so the list works without JavaScript and
without a form per span.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from annotator.models import NO_LABEL
from annotator.review.selectors import NO_LABEL_CLASS

QUOTE_SHOWN = 80


class GoldList:
    """Entries for one document; ``labels`` maps label ids to labels (for their titles)."""

    def __init__(self, slug: str, document_id: int, labels: dict) -> None:
        # One reverse() for the whole list: every entry's URL differs only by the id.
        self.delete_url = reverse("review_gold_delete", args=[slug, document_id, 0])
        self.labels = labels

    def item(self, entry, *, oob: bool = False) -> str:
        """One ``<li>``; ``entry`` is a ``GoldEntry`` (or a gold span with the same fields)."""
        pk, label_id = entry.pk, entry.label_id
        label = self.labels.get(label_id)
        title = escape(str(label) if label is not None else NO_LABEL)
        if label_id is None:  # the decision "no label here"
            label_id = NO_LABEL_CLASS
        quote = escape(Truncator(entry.quote).chars(QUOTE_SHOWN))
        origin = f"from {entry.accepted_from}" if entry.accepted_from else ""
        swap = ' hx-swap-oob="true"' if oob else ""
        url = self.delete_url.replace("/0/delete/", f"/{pk}/delete/")
        return (
            f'<li id="gold-{pk}" class="item" data-id="{pk}" data-label="{label_id}"'
            f' data-s="{entry.start}" data-e="{entry.end}"{swap}>'
            f'<button type="button" class="item-main" data-action="select">'
            f'<span class="chip lab-{label_id}">{title}</span> <q>{quote}</q>'
            + (f" <small>{escape(origin)}</small>" if origin else "")
            + "</button>"
            f'<button type="submit" form="gold-delete" formaction="{url}" class="del"'
            f' data-action="delete" aria-label="Remove this gold span">×</button></li>'
        )

    def items(self, entries: Iterable) -> SafeString:
        return mark_safe("".join(self.item(entry) for entry in entries))
