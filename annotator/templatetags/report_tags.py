"""Formatting of shares and agreement figures in the report pages, in the active
language's number format (a decimal comma in Russian)."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

register = template.Library()


def decimal(value: float, digits: int) -> str:
    """``value`` rounded to ``digits`` decimals, with the active language's separator
    (Django's number_format cuts a float's digits off rather than rounding them)."""
    return number_format(f"{value:.{digits}f}", digits)


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """0.2345 -> "23.5%"; None -> "—"."""
    if value is None:
        return "—"
    return f"{decimal(value * 100, digits)}%"


@register.filter
def coef(value: float | None) -> str:
    """An agreement coefficient to three decimals; None (undefined) -> "—"."""
    if value is None:
        return "—"
    return decimal(value, 3)


@register.filter
def interval(share) -> str:
    """The 95% interval of a share, "18.0–29.8%", or "" when there is none."""
    if share.low is None:
        return ""
    return f"{decimal(share.low * 100, 1)}–{decimal(share.high * 100, 1)}%"


TOO_FEW = gettext_lazy("too few documents for an interval")


@register.filter
def interval_or_reason(share) -> str:
    """The 95% interval of a share, or why it has none (fewer than three documents)."""
    return interval(share) or str(TOO_FEW)


@register.filter
def share_cell(share) -> str:
    """A table cell's content: "23.5% <small>18.0–29.8%</small>", or "—" without labels."""
    if not share.counted:
        return "—"
    return format_html("{} <small>{}</small>", pct(share.value), interval_or_reason(share))
