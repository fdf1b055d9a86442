"""Export → empty database → import → export gives the same jsonl.

"The same" means byte for byte, line by line, except each document's ``id`` (the new
database numbers documents itself): texts, metadata, sources, every span with its
annotator, note and created/updated times, gold spans and review marks all come back.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotator.models import Document
from tests.support import export_data, factories

# Outside a test transaction: PostgreSQL cannot TRUNCATE (flush) with pending FK checks.
pytestmark = pytest.mark.django_db(transaction=True)


def without_ids(text: str) -> list[str]:
    lines = text.splitlines()
    assert all(re.match(r'\{"id":\d+,', line) for line in lines)
    return [re.sub(r'^\{"id":\d+,', "{", line) for line in lines]


def test_export_flush_import_export_gives_the_same_jsonl(tmp_path):
    export_data.build()
    export_data.follow_the_boundary_convention()
    first = tmp_path / "first.jsonl"
    call_command(
        "export_dataset", "--project=export-test", "--format=jsonl", f"--out={first}", verbosity=0
    )

    call_command("flush", interactive=False, verbosity=0)
    assert not Document.objects.exists() and not get_user_model().objects.exists()

    factories.ProjectFactory(name="Export test", slug="export-test")
    call_command(
        "import_annotations", str(first), "--project=export-test", "--create-users", verbosity=0
    )
    second = tmp_path / "second.jsonl"
    call_command(
        "export_dataset", "--project=export-test", "--format=jsonl", f"--out={second}", verbosity=0
    )

    before = first.read_text(encoding="utf-8")
    after = second.read_text(encoding="utf-8")
    assert before != after  # the ids differ …
    assert without_ids(after) == without_ids(before)  # … and nothing else does
    assert len(without_ids(after)) == 3
