"""Golden files pin the doccano and Label Studio shapes byte for byte.

The project (tests/support/export_data.py) puts a span after an emoji and a flag, so the files
also pin the offset units: UTF-16 units for doccano, code points for Label Studio.
"""

import json
from pathlib import Path

import pytest

from annotator.datasets.export.files import export_to_path
from annotator.datasets.export.plan import ExportFilters
from tests.support import export_data

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def data():
    return export_data.build()


def test_doccano_matches_golden_file(data, tmp_path):
    path = export_to_path(
        project=data.project, fmt="doccano", path=tmp_path / "d.jsonl", filters=ExportFilters()
    )
    golden = GOLDEN / "doccano.jsonl"
    assert path.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")
    first = json.loads(golden.read_text(encoding="utf-8").splitlines()[0])
    # "Токаев" is code points 19–25; doccano counts the emoji and the flag's halves twice.
    assert first["label"][0] == [22, 28, "opinion"]


def test_label_studio_matches_golden_files(data, tmp_path):
    path = export_to_path(
        project=data.project,
        fmt="label-studio",
        path=tmp_path / "tasks.json",
        filters=ExportFilters(),
    )
    golden = GOLDEN / "label-studio.json"
    assert path.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")
    config = (tmp_path / "tasks.label_config.xml").read_text(encoding="utf-8")
    assert config == (GOLDEN / "label-studio.label_config.xml").read_text(encoding="utf-8")
    value = json.loads(golden.read_text(encoding="utf-8"))[0]["annotations"][0]["result"][0]
    assert value["value"] == {"start": 19, "end": 25, "text": "Токаев", "labels": ["opinion"]}
