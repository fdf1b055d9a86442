"""Project guidelines: markdown rendered to sanitised HTML."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe


def render_guidelines(text: str) -> SafeString:
    """Markdown to HTML, sanitised: no scripts, styles or event handlers survive."""
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html))  # nh3 has sanitised it
