"""CSV exports are safe to open in a spreadsheet (issue 18): formula-like cells are neutralised.

Raw text stays one option away (``--raw``, the export form's checkbox) for pipelines, and
jsonl and Parquet are never altered.
"""

import csv
import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from annotator.datasets.export.formats.csv import spreadsheet_safe
from tests.support import export_data, factories
from tests.support.export_data import (
    DASH_QUOTE,
    DASH_SENTENCE,
    FORMULA_NOTES,
    FORMULA_SOURCE,
    FORMULA_TITLE,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return export_data.build_formulas()


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("- Владимир", "'- Владимир"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Владимир - Путин", "Владимир - Путин"),
        ("'=quoted", "'=quoted"),
        ("", ""),
        (-5, -5),
        (None, None),
        (True, True),
    ],
)
def test_spreadsheet_safe_prefixes_formula_starts_with_a_quote(cell, shown):
    assert spreadsheet_safe(cell) == shown


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def command(project, fmt, out, *options) -> str:
    """The file ``export_dataset`` writes, as text (Parquet and zip files: not read)."""
    call_command(
        "export_dataset",
        f"--project={project.slug}",
        f"--format={fmt}",
        f"--out={out}",
        *options,
        verbosity=0,
    )
    return "" if out.suffix in {".parquet", ".zip"} else out.read_text(encoding="utf-8")


def assert_span_rows(text: str, prefix: str) -> None:
    spans = rows(text)
    assert [row["note"] for row in spans] == [prefix + note for note in FORMULA_NOTES]
    assert {row["title"] for row in spans} == {prefix + FORMULA_TITLE}
    assert {row["source"] for row in spans} == {prefix + FORMULA_SOURCE}
    assert [row["quote"] for row in spans] == [prefix + DASH_QUOTE, prefix + DASH_SENTENCE]


def assert_sentence_rows(text: str, prefix: str) -> None:
    sentences = rows(text)
    assert sentences[0]["text"] == prefix + DASH_SENTENCE
    assert sentences[1]["text"] == "Остальное спокойно."
    assert {row["source"] for row in sentences} == {prefix + FORMULA_SOURCE}


def test_command_csv_neutralises_formulas(project, tmp_path):
    assert_span_rows(command(project, "csv", tmp_path / "spans.csv"), "'")


def test_command_sentences_csv_neutralises_formulas(project, tmp_path):
    assert_sentence_rows(command(project, "sentences", tmp_path / "sentences.csv"), "'")


def test_command_raw_keeps_the_text(project, tmp_path):
    assert_span_rows(command(project, "csv", tmp_path / "spans.csv", "--raw", "--bom"), "")
    text = command(project, "sentences", tmp_path / "sentences.csv", "--raw")
    assert_sentence_rows(text, "")


@pytest.mark.parametrize("raw", [[], ["--raw"]])
def test_jsonl_and_parquet_are_never_altered(project, tmp_path, raw):
    line = json.loads(command(project, "jsonl", tmp_path / "out.jsonl", *raw))
    assert (line["title"], line["source"]["name"]) == (FORMULA_TITLE, FORMULA_SOURCE)
    assert [a["note"] for a in line["annotations"]] == list(FORMULA_NOTES)
    assert line["annotations"][0]["quote"] == DASH_QUOTE
    command(project, "sentences", tmp_path / "out.parquet", *raw)
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column("text").to_pylist()[0] == DASH_SENTENCE
    assert set(table.column("source").to_pylist()) == {FORMULA_SOURCE}


def card(project, tmp_path, *options) -> str:
    command(project, "bundle", tmp_path / "bundle.zip", *options)
    with zipfile.ZipFile(tmp_path / "bundle.zip") as bundle:
        return bundle.read("README.md").decode("utf-8")


def test_the_card_says_whether_csv_cells_are_safe_or_raw(project, tmp_path):
    safe = card(project, tmp_path)
    assert "- csv cells: spreadsheet-safe" in safe and "- csv cells: raw" not in safe
    raw = card(project, tmp_path, "--raw")
    assert "- csv cells: raw" in raw and "- csv cells: spreadsheet-safe" not in raw
    for text in (safe, raw):
        assert "`documents.jsonl` and `sentences.parquet` hold the text unaltered" in text


def download(client, project, **params) -> str:
    response = client.get(reverse("export_dataset", args=[project.slug]), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def manager(client, project):
    user = get_user_model().objects.create(username="manager-user")
    factories.MembershipFactory(project=project, user=user, role="manager")
    client.force_login(user)
    return client


def test_web_download_neutralises_formulas_unless_raw(project, manager):
    assert_span_rows(download(manager, project, format="csv"), "'")
    assert_sentence_rows(download(manager, project, format="sentences-csv"), "'")
    assert_span_rows(download(manager, project, format="csv", raw="on"), "")
    assert_sentence_rows(download(manager, project, format="sentences-csv", raw="on"), "")


def test_the_export_page_offers_raw_csv(project, manager):
    page = manager.get(reverse("export_dataset", args=[project.slug])).content.decode()
    assert 'name="raw"' in page
