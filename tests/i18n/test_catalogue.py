"""The Russian catalogue is complete, well-formed and up to date with the code.

- every entry is translated (all plural forms) and none is fuzzy;
- a translation keeps its msgid's placeholders (``%(name)s``), so no page fails to render;
- ``makemessages`` run on a copy of the code finds exactly the catalogue's msgids: a
  string marked since the catalogue was written, or one no longer used, fails here;
- the compiled catalogue answers in Russian.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
# The options the catalogue is made with (README, Translations).
MAKEMESSAGES = [
    "makemessages",
    "--locale=ru",
    "--no-location",
    "--ignore=tests/*",
    "--ignore=bench/*",
    "--ignore=scripts/*",
    "--ignore=staticfiles/*",
]

_spec = importlib.util.spec_from_file_location(
    "compile_messages", ROOT / "scripts" / "compile_messages.py"
)
assert _spec and _spec.loader
compile_messages = importlib.util.module_from_spec(_spec)
sys.modules["compile_messages"] = compile_messages
_spec.loader.exec_module(compile_messages)
read_po = compile_messages.read_po

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]|%%")


def entries():
    return [e for e in read_po(CATALOGUE) if e.msgid]


def test_every_entry_is_translated_and_none_is_fuzzy():
    untranslated = [e.msgid for e in entries() if not e.translated]
    fuzzy = [e.msgid for e in entries() if e.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_russian_plurals_have_all_four_forms():
    header = read_po(CATALOGUE)[0].msgstr[0]
    assert "nplurals=4" in header
    assert all(len(e.msgstr) == 4 for e in entries() if e.msgid_plural)


def test_translations_keep_their_placeholders():
    wrong = []
    for e in entries():
        wanted = sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        for form in e.msgstr.values():
            if sorted(PLACEHOLDER.findall(form)) != wanted:
                wrong.append((e.msgid, form))
    assert wrong == []


def msgids(path: Path) -> set[tuple]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in read_po(path) if e.msgid}


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="GNU gettext (xgettext) is not installed",
)
def test_makemessages_finds_no_new_or_stale_msgids(tmp_path):
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.mo", "*.sqlite3*")
    for name in ("annotator", "project", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATA_DIR": str(tmp_path),
    }
    environment.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        env=environment,
        check=True,
        capture_output=True,
    )
    made = msgids(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    committed = msgids(CATALOGUE)
    assert sorted(made - committed, key=str) == [], "marked but not in the catalogue"
    assert sorted(committed - made, key=str) == [], "in the catalogue but no longer used"


def test_the_compiled_catalogue_answers_in_russian(tmp_path):
    compiled = tmp_path / "django.mo"
    compile_messages.write_mo(read_po(CATALOGUE), compiled)
    import gettext as stdlib

    with compiled.open("rb") as handle:
        catalogue = stdlib.GNUTranslations(handle)
    assert catalogue.gettext("Speculation") == "Предположение"
    assert catalogue.ngettext("%(n)d document", "%(n)d documents", 5) == "%(n)d документов"
    assert catalogue.ngettext("%(n)d document", "%(n)d documents", 22) == "%(n)d документа"


def test_django_serves_the_russian_catalogue():
    with translation.override("ru"):
        assert gettext("gold annotations") == "эталонные аннотации"
        assert ngettext("%(n)d annotator", "%(n)d annotators", 1) % {"n": 21} == "21 аннотатор"
