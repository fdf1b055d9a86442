"""A project's guidelines (Markdown) as safe HTML."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe


@lru_cache(maxsize=64)
def guidelines_html(text: str) -> SafeString:
    """Markdown rendered and then cleaned with nh3: no scripts, styles or event handlers."""
    if not text.strip():
        return mark_safe("")
    rendered = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(rendered, link_rel="noopener noreferrer nofollow"))
