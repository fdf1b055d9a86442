"""Each export format, read back by the tool that consumes it."""

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pytest

from annotator.datasets.export import files
from annotator.datasets.export.files import export_to_path
from annotator.datasets.export.plan import ExportError, ExportFilters
from annotator.models import GoldAnnotation
from tests.support import export_data, factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return export_data.build()


def export(data, fmt, tmp_path, name, **filters):
    return export_to_path(
        project=data.project, fmt=fmt, path=tmp_path / name, filters=ExportFilters(**filters)
    )


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_has_every_field_and_exact_quotes(data, tmp_path):
    lines = read_jsonl(export(data, "jsonl", tmp_path, "out.jsonl"))
    assert [line["id"] for line in lines] == [9001, 9002, 9003]
    first = lines[0]
    assert list(first) == [
        "id",
        "source",
        "title",
        "author",
        "url",
        "published",
        "language",
        "text",
        "annotations",
        "reviewed_at",
        "reviewed_by",
        "gold",
    ]
    assert first["text"] == export_data.EMOJI_TEXT
    assert first["source"] == {
        "name": "Tengri News",
        "kind": "news_site",
        "country": "KZ",
        "language": "ru",
    }
    assert first["published"] == "2024-05-01"
    assert first["url"] == "https://example.org/a"
    assert set(first["annotations"][0]) == {
        "start",
        "end",
        "label",
        "quote",
        "annotator",
        "note",
        "created",
        "updated",
        "holder_kind",
        "holder",
        "cue_start",
        "cue_end",
        "suggested",
        "suggestion_agent",
        "suggestion_score",
    }
    tokayev = first["annotations"][1]
    assert (tokayev["holder_kind"], tokayev["holder"]) == ("attributed", "Токаев")
    assert first["text"][tokayev["cue_start"] : tokayev["cue_end"]] == "считает"
    assert first["annotations"][0]["holder_kind"] == "author"
    # Offsets are code points: the span after the emoji and the flag starts at 19.
    assert first["annotations"][0]["start"] == 19
    assert first["annotations"][0]["quote"] == "Токаев"
    assert [a["note"] for a in first["annotations"] if a["note"]] == ["якобы"]
    assert [(g["label"], g["reviewer"]) for g in first["gold"]] == [
        ("opinion", "rita"),
        ("speculation", "rita"),
    ]
    assert first["reviewed_by"] == "rita"
    assert lines[2]["annotations"] == [] and lines[2]["gold"] == []
    for line in lines:
        for span in line["annotations"] + line["gold"]:
            assert line["text"][span["start"] : span["end"]] == span["quote"]


def test_jsonl_without_adjudication_has_no_gold_key(data, tmp_path):
    data.project.gold_annotations.all().delete()
    data.project.project_documents.update(reviewed_at=None)
    lines = read_jsonl(export(data, "jsonl", tmp_path, "out.jsonl"))
    assert all("gold" not in line for line in lines)


def test_doccano_offsets_are_utf16_units_and_one_line_per_annotator(data, tmp_path):
    lines = read_jsonl(export(data, "doccano", tmp_path, "out.jsonl"))
    emoji_lines = [line for line in lines if line["document_id"] == 9001]
    assert [(line["annotator"], line["gold"]) for line in emoji_lines] == [
        ("anna", False),
        ("boris", False),
        ("rita", True),
    ]
    anna = emoji_lines[0]
    # "😀" and each half of "🇰🇿" are two UTF-16 units: "Токаев" starts at 19 + 3.
    assert anna["label"][0] == [22, 28, "opinion"]
    for line in lines:
        units = line["text"].encode("utf-16-le")
        for start, end, _ in line["label"]:
            assert units[2 * start : 2 * end].decode("utf-16-le") in line["text"]
    quotes = [
        anna["text"].encode("utf-16-le")[2 * s : 2 * e].decode("utf-16-le")
        for s, e, _ in anna["label"]
    ]
    assert quotes == ["Токаев", "Токаев считает иначе.", "Возможно, всё изменится к лучшему."]
    empty = [line for line in lines if line["document_id"] == 9003]
    assert empty == [
        {
            "text": export_data.EMPTY_TEXT,
            "label": [],
            "document_id": 9003,
            "source": "Tengri News",
            "title": "Пусто",
            "url": "",
            "published": None,
            "annotator": None,
            "gold": False,
            "holders": [],
        }
    ]
    # The holders, parallel to "label"; the cue in UTF-16 units like the spans.
    assert anna["holders"][1] == ["attributed", "Токаев", 29, 36]


def test_label_studio_tasks_and_labeling_config(data, tmp_path):
    path = export(data, "label-studio", tmp_path, "tasks.json")
    tasks = json.loads(path.read_text(encoding="utf-8"))
    assert len(tasks) == 3
    task = tasks[0]
    assert task["data"]["text"] == export_data.EMOJI_TEXT
    users = [(a["annotator"], a["ground_truth"]) for a in task["annotations"]]
    assert users == [("anna", False), ("boris", False), ("rita", True)]
    for annotation in task["annotations"]:
        assert "completed_by" not in annotation
        for result in annotation["result"]:
            value = result["value"]
            assert task["data"]["text"][value["start"] : value["end"]] == value["text"]
            assert (result["from_name"], result["to_name"], result["type"]) == (
                "label",
                "text",
                "labels",
            )
    assert task["annotations"][0]["result"][0]["value"]["start"] == 19
    assert tasks[2]["annotations"] == []
    config = ET.fromstring((tmp_path / "tasks.label_config.xml").read_text(encoding="utf-8"))
    labels = config.find("Labels")
    assert (labels.get("name"), labels.get("toName")) == ("label", "text")
    assert [label.get("value") for label in labels] == ["fact", "opinion", "speculation"]
    text = config.find("Text")
    assert (text.get("name"), text.get("value")) == ("text", "$text")


def test_label_studio_empty_export_is_an_empty_list(data, tmp_path):
    path = export(data, "label-studio", tmp_path, "tasks.json", document_ids=[])
    assert json.loads(path.read_text(encoding="utf-8")) == []


def test_csv_rows_per_annotation_read_by_csv_and_pandas(data, tmp_path):
    path = export(data, "csv", tmp_path, "out.csv")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert list(rows[0]) == [
        "document_id",
        "source",
        "title",
        "label",
        "start",
        "end",
        "quote",
        "annotator",
        "sentence_index",
        "note",
        "gold",
        "holder_kind",
        "holder",
        "cue_start",
        "cue_end",
        "suggested",
        "suggestion_agent",
        "suggestion_score",
    ]
    assert len(rows) == 6 + 2
    tokayev = [r for r in rows if r["holder"] == "Токаев"]
    assert [(r["holder_kind"], r["cue_start"], r["cue_end"]) for r in tokayev] == [
        ("attributed", "26", "33"),
        ("attributed", "26", "33"),
    ]
    texts = {9001: export_data.EMOJI_TEXT, 9002: export_data.PLAIN_TEXT}
    for row in rows:
        assert texts[int(row["document_id"])][int(row["start"]) : int(row["end"])] == row["quote"]
    second = [r for r in rows if r["quote"].startswith("Возможно")]
    assert {r["sentence_index"] for r in second} == {"1"}
    frame = pd.read_csv(path)
    assert frame["gold"].sum() == 2
    assert frame.loc[frame["note"].notna(), "note"].tolist() == ["якобы"]


def test_csv_bom_option_for_spreadsheets(data, tmp_path):
    path = export_to_path(
        project=data.project, fmt="csv", path=tmp_path / "x.csv", filters=ExportFilters(), bom=True
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbfdocument_id,")
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert frame.columns[0] == "document_id"
    assert "Токаев" in frame["quote"].tolist()


SENTENCE_COLUMNS = [
    "document_id",
    "source",
    "sentence_index",
    "start",
    "end",
    "text",
    "label_anna",
    "label_boris",
    "majority_label",
    "gold_label",
    "reviewed",
    "holder_kind_anna",
    "holder_anna",
    "holder_kind_boris",
    "holder_boris",
    "gold_holder_kind",
    "gold_holder",
    "gold_cue_start",
    "gold_cue_end",
    "suggested_anna",
    "suggested_boris",
    "suggested",
    "suggestion_agent",
    "suggestion_score",
]


def test_sentences_parquet_read_by_pyarrow(data, tmp_path):
    table = pq.read_table(export(data, "sentences", tmp_path, "s.parquet"))
    assert table.column_names == SENTENCE_COLUMNS
    rows = table.to_pylist()
    first, second = rows[0], rows[1]
    assert first["text"] == "Смайл 😀 и флаг 🇰🇿: Токаев считает иначе."
    assert export_data.EMOJI_TEXT[first["start"] : first["end"]] == first["text"]
    # anna: opinion, boris: fact: a tie, so no majority.
    assert (first["label_anna"], first["label_boris"], first["majority_label"]) == (
        "opinion",
        "fact",
        None,
    )
    assert (first["gold_label"], first["reviewed"]) == ("opinion", True)
    assert (second["majority_label"], second["gold_label"]) == ("speculation", "speculation")
    plain = [r for r in rows if r["document_id"] == 9002]
    assert [(r["label_anna"], r["label_boris"], r["majority_label"]) for r in plain] == [
        (None, None, None),
        (None, "opinion", None),  # one said opinion, one said nothing: no majority
    ]
    assert not any(r["reviewed"] for r in plain)
    assert str(table.schema.field("start").type) == "int32"


def test_sentences_csv_read_by_pandas(data, tmp_path):
    frame = pd.read_csv(export(data, "sentences", tmp_path, "s.csv"))
    assert frame.columns.tolist() == SENTENCE_COLUMNS
    assert pd.isna(frame.loc[0, "majority_label"])
    assert frame.loc[1, "majority_label"] == "speculation"
    assert frame["reviewed"].tolist() == [True, True, False, False, False]
    assert len(frame) == 5


def test_gold_no_label_is_a_decision_in_the_sentences_and_no_span_elsewhere(data, tmp_path):
    # The reviewer decided the plain document's second sentence has no label; its first
    # sentence sits under a long gold span that the decision does not cover.
    plain = data.plain
    second = export_data.span(plain, "Это важный визит")
    GoldAnnotation.objects.create(
        project=data.project,
        document=plain,
        label=None,
        start=second[0],
        end=second[1],
        quote="Это важный визит",
        reviewer=data.rita,
    )
    GoldAnnotation.objects.create(
        project=data.project,
        document=plain,
        label=factories.project_label(data.project, "fact"),
        start=0,
        end=len(plain.text),
        quote=plain.text,
        reviewer=data.rita,
    )
    frame = pd.read_csv(export(data, "sentences", tmp_path, "s.csv"))
    rows = frame[frame["document_id"] == plain.pk]
    assert rows["reviewed"].tolist() == [True, True]  # a gold decision: adjudicated
    assert rows["gold_label"].fillna("").tolist() == ["fact", ""]
    spans = pd.read_csv(export(data, "csv", tmp_path, "spans.csv"))
    gold = spans[(spans["gold"]) & (spans["document_id"] == plain.pk)]
    assert gold["label"].tolist() == ["fact"]  # "no label" is not a labelled span


def test_conll_tokens_with_a_tag_column_per_annotator_and_gold(data, tmp_path):
    text = export(data, "conll", tmp_path, "out.conll").read_text(encoding="utf-8")
    header, *documents = text.split("# doc_id = ")
    assert header == "# columns = token anna boris gold\n\n"
    assert [d.splitlines()[0] for d in documents] == ["9001", "9002", "9003"]
    emoji = documents[0].splitlines()[1:]
    sentences = "\n".join(emoji).split("\n\n")
    assert len(sentences) == 2 and emoji[-1] == ""  # a blank line ends each sentence
    rows = [line.split("\t") for line in emoji if line]
    assert [row[0] for row in rows[:10]] == [
        "Смайл", "😀", "и", "флаг", "🇰🇿", ":", "Токаев", "считает", "иначе", ".",
    ]  # fmt: skip
    tags = {row[0]: row[1:] for row in rows}
    # anna's two spans both start at "Токаев": the longer one is chosen.
    assert tags["Смайл"] == ["O", "O", "O"]
    assert tags["Токаев"] == ["B-opinion", "B-fact", "B-opinion"]
    assert tags["иначе"] == ["I-opinion", "I-fact", "I-opinion"]
    assert tags["Возможно"] == ["B-speculation", "B-speculation", "B-speculation"]
    plain = [line.split("\t") for line in documents[1].splitlines()[1:] if line]
    # anna put no span on this document and it was not adjudicated: "_".
    assert plain[0] == ["Завтра", "_", "O", "_"]
    assert plain[-2:] == [["визит", "_", "I-opinion", "_"], [".", "_", "I-opinion", "_"]]


def test_conll_gold_only_has_the_gold_column(data, tmp_path):
    text = export(data, "conll", tmp_path, "out.conll", gold_only=True).read_text(encoding="utf-8")
    assert text.startswith("# columns = token gold\n\n# doc_id = 9001\n")
    assert "Токаев\tB-opinion\n" in text


def test_filters_sources_annotators_gold_only_and_documents(data, tmp_path):
    by_source = read_jsonl(export(data, "jsonl", tmp_path, "a.jsonl", sources=["Канал Б"]))
    assert [line["id"] for line in by_source] == [9002]
    by_annotator = read_jsonl(export(data, "jsonl", tmp_path, "b.jsonl", annotators=["anna"]))
    assert [line["id"] for line in by_annotator] == [9001]
    assert {a["annotator"] for a in by_annotator[0]["annotations"]} == {"anna"}
    assert "gold" not in by_annotator[0]
    gold = read_jsonl(export(data, "jsonl", tmp_path, "c.jsonl", gold_only=True))
    assert [line["id"] for line in gold] == [9001]
    assert gold[0]["annotations"] == [] and len(gold[0]["gold"]) == 2
    some = read_jsonl(export(data, "jsonl", tmp_path, "d.jsonl", document_ids=[9003, 9002]))
    assert [line["id"] for line in some] == [9002, 9003]


def test_since_keeps_spans_changed_from_that_day(data, tmp_path):
    from datetime import date, datetime, timedelta

    from django.utils import timezone

    from annotator.models import Annotation

    old = timezone.make_aware(datetime(2024, 1, 1, 12))
    Annotation.objects.exclude(annotator=data.boris).update(created_at=old, updated_at=old)
    lines = read_jsonl(
        export(data, "jsonl", tmp_path, "a.jsonl", since=date.today() - timedelta(days=1))
    )
    assert {a["annotator"] for line in lines for a in line["annotations"]} == {"boris"}
    nothing = read_jsonl(export(data, "jsonl", tmp_path, "b.jsonl", since=date(2100, 1, 1)))
    assert nothing == []


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"sources": ["Nowhere", "Канал Б", "Else"]}, 'Unknown source: "Nowhere", "Else".'),
        ({"annotators": ["ghost"]}, 'Unknown annotator: "ghost".'),
        (
            {"annotators": ["anna"], "gold_only": True},
            "Gold only cannot be combined with annotators: gold spans are the reviewers'.",
        ),
    ],
)
def test_bad_filters_are_refused_and_nothing_is_written(data, tmp_path, filters, message):
    with pytest.raises(ExportError) as excinfo:
        export(data, "jsonl", tmp_path, "out.jsonl", **filters)
    assert str(excinfo.value) == message
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_refused(data, tmp_path):
    with pytest.raises(ExportError) as excinfo:
        export(data, "xlsx", tmp_path, "out.xlsx")
    assert str(excinfo.value) == (
        'Unknown format "xlsx"; choose one of: '
        "jsonl, doccano, label-studio, csv, sentences, conll, bundle."
    )


def test_failure_midway_leaves_no_file(data, tmp_path, monkeypatch):
    def broken(plan, progress=None):
        yield "{}\n"
        raise RuntimeError("disk full")

    monkeypatch.setitem(files.TEXT_WRITERS, "jsonl", broken)
    (tmp_path / "out.jsonl").write_text("previous export\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        export(data, "jsonl", tmp_path, "out.jsonl")
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == "previous export\n"


def test_bare_file_name_goes_to_export_dir(data, tmp_path, settings):
    settings.EXPORT_DIR = tmp_path / "exports"
    path = export_to_path(
        project=data.project, fmt="jsonl", path="plain.jsonl", filters=ExportFilters()
    )
    assert path == tmp_path / "exports" / "plain.jsonl"
    assert len(read_jsonl(path)) == 3


@pytest.mark.parametrize(
    "fmt", ["jsonl", "doccano", "label-studio", "csv", "sentences", "conll", "bundle"]
)
def test_query_count_does_not_grow_with_documents(data, tmp_path, fmt):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.support import factories

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            export(data, fmt, tmp_path, f"out.{fmt}")
        return len(queries)

    before = count_queries()
    for _ in range(20):
        document = factories.DocumentFactory(source=data.emoji.source)
        data.project.project_documents.create(document=document)
        factories.AnnotationFactory(project=data.project, document=document, annotator=data.anna)
    assert count_queries() == before


def test_bundle_loads_with_hugging_face_datasets(data, tmp_path, monkeypatch):
    import datasets
    import yaml

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    path = export(data, "bundle", tmp_path, "bundle.zip")
    with zipfile.ZipFile(path) as bundle:
        assert bundle.namelist() == ["documents.jsonl", "sentences.parquet", "README.md"]
        bundle.extractall(tmp_path / "bundle")
        card = bundle.read("README.md").decode("utf-8")
    folder = tmp_path / "bundle"
    cache = str(tmp_path / "hf-cache")
    documents = datasets.load_dataset(
        "json", data_files=str(folder / "documents.jsonl"), split="train", cache_dir=cache
    )
    assert documents["id"] == [9001, 9002, 9003]
    first = documents[0]
    for annotation in first["annotations"]:
        assert first["text"][annotation["start"] : annotation["end"]] == annotation["quote"]
    sentences = datasets.load_dataset(
        "parquet", data_files=str(folder / "sentences.parquet"), split="train", cache_dir=cache
    )
    assert sentences.column_names == SENTENCE_COLUMNS
    assert sentences[1]["majority_label"] == "speculation"
    # The card's YAML header makes the folder itself loadable (documents by default).
    from_card = datasets.load_dataset(str(folder), split="train", cache_dir=cache)
    assert from_card[0]["annotations"][0]["quote"] == "Токаев"

    header = yaml.safe_load(card.split("---\n")[1])
    assert header["language"] == ["ru"]
    assert header["license"] == "unknown"
    assert header["task_categories"] == ["text-classification", "token-classification"]
    assert "A judgement, evaluation or stance" in card  # label definitions
    assert "| Канал Б | Telegram channel | RU | ru | 1 |" in card
    assert "| Tengri News | 1 | 2 | 2 |" in card  # annotators' spans per label
    assert "| Tengri News | 0 | 1 | 1 |" in card  # gold spans per label
    assert "Krippendorff's alpha (nominal) over sentence labels" in card
    assert "Unicode code points" in card
    assert "`annotator` field" in card
    assert "- gold_only: false" in card
    assert "Exported on 20" in card


def test_bundle_card_alpha_is_krippendorffs_over_sentence_labels(data, tmp_path):
    import krippendorff
    import numpy as np

    path = export(data, "bundle", tmp_path, "bundle.zip")
    with zipfile.ZipFile(path) as bundle:
        card = bundle.read("README.md").decode("utf-8")
        sentences = pq.read_table(io.BytesIO(bundle.read("sentences.parquet"))).to_pandas()
    # Only document 9001 has two annotators; "no label" is a value of its own.
    both = sentences[sentences.document_id == 9001]
    codes = {"fact": 0, "opinion": 1, "speculation": 2, None: 3}
    ratings = np.array([[codes[v] for v in both[f"label_{user}"]] for user in ("anna", "boris")])
    expected = krippendorff.alpha(reliability_data=ratings, level_of_measurement="nominal")
    assert f"over sentence labels: **{expected:.3f}**, on {len(both)} sentences" in card
