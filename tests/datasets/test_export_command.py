"""``manage.py export_dataset``."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.support import export_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return export_data.build()


def test_writes_the_file_and_shows_progress_on_stderr(data, tmp_path, capsys):
    out = tmp_path / "dataset.jsonl"
    call_command("export_dataset", "--project", "export-test", "--format", "jsonl", "--out", out)
    captured = capsys.readouterr()
    assert captured.out == f"Wrote {out}\n"
    assert "3/3" in captured.err and "doc" in captured.err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


def test_filters_from_the_command_line(data, tmp_path):
    out = tmp_path / "doccano.jsonl"
    call_command(
        "export_dataset",
        "--project=export-test",
        "--format=doccano",
        f"--out={out}",
        "--source",
        "Tengri News",
        "Канал Б",
        "--annotator=boris",
        "--since=2000-01-01",
        verbosity=0,
    )
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(line["document_id"], line["annotator"]) for line in lines] == [
        (9001, "boris"),
        (9002, "boris"),
    ]


def test_gold_only_and_bom(data, tmp_path):
    out = tmp_path / "gold.csv"
    call_command(
        "export_dataset",
        "--project=export-test",
        "--format=csv",
        f"--out={out}",
        "--gold-only",
        "--bom",
        verbosity=0,
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeffdocument_id,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["gold"] for row in rows] == ["true", "true"]
    assert [row["suggested"] for row in rows] == ["false", "false"]


def test_sentences_format_follows_the_file_suffix(data, tmp_path):
    call_command(
        "export_dataset",
        "--project=export-test",
        "--format=sentences",
        f"--out={tmp_path / 's.parquet'}",
        verbosity=0,
    )
    call_command(
        "export_dataset",
        "--project=export-test",
        "--format=sentences",
        f"--out={tmp_path / 's.csv'}",
        verbosity=0,
    )
    assert (tmp_path / "s.parquet").read_bytes()[:4] == b"PAR1"
    assert (tmp_path / "s.csv").read_text(encoding="utf-8").startswith("document_id,source,")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--project=nope", "--format=jsonl"], 'No project with slug "nope".'),
        (
            ["--project=export-test", "--format=jsonl", "--since=31.01.2025"],
            '--since: "31.01.2025" is not a date like 2025-01-31.',
        ),
        (
            ["--project=export-test", "--format=jsonl", "--source=Nowhere"],
            'Unknown source: "Nowhere".',
        ),
        (
            ["--project=export-test", "--format=jsonl", "--gold-only", "--annotator=anna"],
            "Gold only cannot be combined with annotators: gold spans are the reviewers'.",
        ),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(data, tmp_path, arguments, message):
    with pytest.raises(CommandError) as excinfo:
        call_command("export_dataset", *arguments, f"--out={tmp_path / 'x.jsonl'}", verbosity=0)
    assert str(excinfo.value) == message
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_refused_by_the_argument_parser(data, tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("export_dataset", "--project=export-test", "--format=xlsx", "--out=x.jsonl")
    # argparse lists the choices (quoted or not, depending on the Python version).
    assert str(excinfo.value).startswith("Error: argument --format: invalid choice: 'xlsx'")
    assert "label-studio" in str(excinfo.value)
