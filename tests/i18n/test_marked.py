"""Every string a user is shown is marked for translation.

Templates: the text between tags and the visible attributes (title, aria-label,
placeholder, alt, a button's value) must come from a translate tag or a variable, once
the Django tags are taken out. Python: refusals (``Rejected``), validation errors,
messages, form labels, help texts, admin descriptions and titles must be gettext calls,
not plain literals or f-strings.

What may stay as it is, and why, is listed in ALLOWED_WORDS and SKIPPED_PYTHON.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "annotator").glob("**/templates/**/*.html"))

# Latin words that are the same in every language: key names shown in <kbd>-like hints,
# statistics' symbols, brands and formats.
ALLOWED_WORDS = {
    "AC1",  # Gwet's coefficient, a symbol
    "UTC",
    "Ctrl",
    "Shift",
    "Enter",
    "Del",
    "Esc",
    "CSV",
    "doccano",
    "Label Studio",
}

DJANGO_BLOCKS = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)\b.*?{%\s*(?:endblocktranslate|endblocktrans)\s*%}"
    r"|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{#.*?#}"
    # Class names given to the admin's body through blocks.
    r"|{%\s*block\s+(?:page_class|bodyclass)\s*%}.*?{%\s*endblock\s*%}",
    re.DOTALL,
)
DJANGO_TAGS = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
WORD = re.compile(r"[A-Za-z][A-Za-z']+")
# Text inside these elements is code, key names or a script, not prose.
SKIPPED_ELEMENTS = {"script", "style", "kbd", "code"}


class TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        attributes = dict(attrs)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.found.append(value)
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.found.append(attributes.get("value") or "")

    def handle_endtag(self, tag) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.found.append(data)


def untranslated(source: str) -> list[str]:
    """The visible texts of a template that are not marked for translation."""
    stripped = DJANGO_TAGS.sub(" ", DJANGO_BLOCKS.sub(" ", source))
    finder = TextFinder()
    finder.feed(stripped)
    texts = []
    for text in finder.found:
        rest = text
        for allowed in ALLOWED_WORDS:
            rest = rest.replace(allowed, " ")
        if WORD.search(rest):
            texts.append(" ".join(text.split()))
    return texts


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_text_is_marked_for_translation(path):
    assert untranslated(path.read_text(encoding="utf-8")) == []


def test_the_template_check_finds_plain_text():
    source = (
        '{% load i18n %}<h1>Plain heading</h1><p>{% translate "Marked" %}</p>'
        '<button title="Plain title">{{ name }}</button><input type="submit" value="Go on">'
        "<kbd>Ctrl</kbd> {% blocktranslate %}Marked {{ n }}{% endblocktranslate %}"
    )
    assert untranslated(source) == ["Plain heading", "Plain title", "Go on"]


# Python ---------------------------------------------------------------------------------

# Management commands write to a terminal for operators, in English; the REST API answers
# scripts, and its schema, field descriptions and error messages are English too (a
# contract scripts match on, as the commands' output is).
SKIPPED_PYTHON = {"management", "migrations", "api"}
PYTHON_FILES = sorted(
    path
    for path in (ROOT / "annotator").rglob("*.py")
    if not SKIPPED_PYTHON & set(path.relative_to(ROOT / "annotator").parts)
)
SHOWN_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "description",
    "empty_label",
    "title",
    "intro",
    "submit_label",
    "refresh_label",
}
MESSAGE_CALLS = {"success", "error", "info", "warning", "message_user", "add_error"}


def is_plain_text(node: ast.expr) -> bool:
    """A literal or f-string with a word in it (not a gettext call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(part, ast.Constant) and WORD.search(str(part.value)) for part in node.values
        )
    return False


def call_name(node: ast.Call) -> str:
    function = node.func
    if isinstance(function, ast.Attribute):
        return function.attr
    if isinstance(function, ast.Name):
        return function.id
    return ""


def plain_strings(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = call_name(node)
        shown_args: list[ast.expr] = []
        if name.endswith(("Rejected", "Failed", "ValidationError")) or name == "Http404":
            shown_args = list(node.args[:1])
        elif name in MESSAGE_CALLS:
            shown_args = list(node.args[1:2]) if name != "add_error" else list(node.args[1:2])
        shown_args += [kw.value for kw in node.keywords if kw.arg in SHOWN_KEYWORDS]
        for arg in shown_args:
            if isinstance(arg, ast.Dict):  # ValidationError({"field": "message"})
                shown_args.extend(v for v in arg.values if v is not None)
            elif is_plain_text(arg):
                found.append((node.lineno, ast.unparse(arg)[:80]))
    return found


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_strings_shown_to_users_are_marked(path):
    assert plain_strings(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_python_check_finds_plain_strings():
    source = (
        "raise AnnotationRejected(f'No {x}.')\n"
        "raise GoldRejected(gettext('Marked.'))\n"
        "messages.error(request, 'Plain message.')\n"
        "forms.CharField(label='Name', help_text=_('Marked'))\n"
        "ValidationError({'field': 'Plain error.'})\n"
    )
    assert [line for line, _ in plain_strings(ast.parse(source))] == [1, 3, 4, 5]
