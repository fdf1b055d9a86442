"""The entries of the document page's side list (the user's annotations in reading order).

Built in Python rather than with a template tag per entry: a long document can carry
thousands of annotations, and the page and every htmx answer share this one markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

QUOTE_SHOWN = 160


def item_html(annotation, *, oob: bool = False) -> str:
    """One ``<li>`` of an annotation or a page's light entry; ``annotation.label`` must be
    loaded. ``oob`` marks it for an htmx out-of-band swap (it replaces the entry with the
    same id)."""
    kind, name = annotation.holder_kind, annotation.holder
    voice = f' <small class="holder">{escape(name or kind)}</small>' if kind != "author" else ""
    quote = annotation.quote
    if len(quote) > QUOTE_SHOWN:  # shorter in code points is shorter in letters too
        quote = Truncator(quote).chars(QUOTE_SHOWN)
    note = f'<p class="note">{escape(annotation.note)}</p>' if annotation.note else ""
    swap = ' hx-swap-oob="true"' if oob else ""
    pk, label_id = annotation.pk, annotation.label_id
    delete = escape(gettext("Delete"))
    return (
        f'<li id="ann-{pk}" class="item" data-id="{pk}" data-label="{label_id}"'
        f' data-holder-kind="{escape(kind)}" data-holder="{escape(name)}"{swap}>'
        f'<button type="button" class="item-main" data-action="select">'
        f'<span class="chip lab-{label_id}">{escape(str(annotation.label))}</span>{voice} '
        f"<q>{escape(quote)}</q></button>{note}"
        f'<button type="button" class="del" data-action="delete" aria-label="{delete}">×</button>'
        f"</li>"
    )


def items_html(annotations: Iterable) -> SafeString:
    return mark_safe("".join(item_html(a) for a in annotations))
