"""``import_annotations``: our jsonl, doccano and Label Studio files, checked before writing."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotator.datasets.export.files import export_to_path
from annotator.datasets.export.plan import ExportFilters
from annotator.datasets.imports.annotations import annotations_import
from annotator.datasets.imports.report import ImportFailed
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Document,
    GoldAnnotation,
    Membership,
    ProjectDocument,
    Source,
)
from annotator.text.snapping import snap
from tests.support import export_data, factories

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def data():
    return export_data.build()


@pytest.fixture
def target():
    return factories.ProjectFactory(name="Target", slug="target")


def export(data, fmt, path):
    return export_to_path(project=data.project, fmt=fmt, path=path, filters=ExportFilters())


def write_lines(path, *records):
    path.write_text(
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
        ),
        encoding="utf-8",
    )
    return path


def spans_of(project, model=Annotation):
    rows = model.objects.filter(project=project).values_list(
        "document_id", "start", "end", "label__name", "quote"
    )
    return sorted(rows)


def snapped_spans_of(project, model=Annotation):
    """``spans_of`` as an import stores them: under the boundary convention (the test data
    has spans ending with a full stop, as spans made before the convention could)."""
    texts = dict(Document.objects.values_list("id", "text"))
    rows = []
    for document_id, start, end, label, _ in spans_of(project, model):
        start, end = snap(texts[document_id], start, end)
        rows.append((document_id, start, end, label, texts[document_id][start:end]))
    return sorted(rows)


def counts():
    return (
        Annotation.objects.count(),
        GoldAnnotation.objects.count(),
        Document.objects.count(),
        Source.objects.count(),
        ProjectDocument.objects.count(),
        User.objects.count(),
        AnnotationEvent.objects.count(),
    )


def test_jsonl_into_another_project_matches_documents_by_text(data, target, tmp_path):
    path = export(data, "jsonl", tmp_path / "a.jsonl")
    report = annotations_import(project=target, path=path)
    assert (report.format, report.records, report.documents_matched) == ("jsonl", 3, 3)
    assert (report.documents_created, report.annotations_created, report.gold_created) == (0, 6, 2)
    assert spans_of(target) == snapped_spans_of(data.project)
    assert spans_of(target, GoldAnnotation) == snapped_spans_of(data.project, GoldAnnotation)
    original = Annotation.objects.get(project=data.project, annotator=data.anna, note="якобы")
    copy = Annotation.objects.get(project=target, annotator=data.anna, note="якобы")
    assert (copy.created_at, copy.updated_at) == (original.created_at, original.updated_at)
    assert set(target.documents.values_list("pk", flat=True)) == {9001, 9002, 9003}
    reviewed = ProjectDocument.objects.get(project=target, document_id=9001)
    assert reviewed.reviewed_by == data.rita and reviewed.reviewed_at is not None
    assert set(
        Membership.objects.filter(project=target).values_list("user__username", flat=True)
    ) == {"anna", "boris"}
    events = AnnotationEvent.objects.filter(project=target)
    assert events.count() == 6
    assert {e.action for e in events} == {"create"} and all(e.actor is None for e in events)


def test_importing_twice_skips_what_is_already_there(data, target, tmp_path):
    path = export(data, "jsonl", tmp_path / "a.jsonl")
    annotations_import(project=target, path=path)
    report = annotations_import(project=target, path=path)
    assert (report.annotations_created, report.gold_created, report.duplicates_skipped) == (0, 0, 8)
    assert Annotation.objects.filter(project=target).count() == 6


def test_missing_documents_and_sources_are_imported(target, tmp_path):
    text = "Новый 😀 текст. Второе предложение."
    path = write_lines(
        tmp_path / "new.jsonl",
        {
            "id": 5,
            "source": {"name": "Новый источник", "kind": "telegram", "country": "KZ"},
            "title": "Новое",
            "url": "https://example.org/new",
            "published": "2025-02-03",
            "text": text,
            "annotations": [
                {
                    "start": 15,
                    "end": 34,
                    "label": "fact",
                    "quote": "Второе предложение.",
                    "annotator": "anna",
                }
            ],
        },
    )
    User.objects.create(username="anna")
    report = annotations_import(project=target, path=path)
    assert (report.documents_created, report.sources_created, report.annotations_created) == (
        1,
        1,
        1,
    )
    document = Document.objects.get(text=text)
    assert (document.title, document.url, str(document.published_on)) == (
        "Новое",
        "https://example.org/new",
        "2025-02-03",
    )
    assert (document.source.name, document.source.kind, document.source.country) == (
        "Новый источник",
        "telegram",
        "KZ",
    )
    assert [document.text[s.start : s.end] for s in document.sentences.all()] == [
        "Новый 😀 текст.",
        "Второе предложение.",
    ]
    assert target.documents.get() == document


def test_doccano_offsets_are_converted_from_utf16(data, target, tmp_path):
    path = export(data, "doccano", tmp_path / "d.jsonl")
    report = annotations_import(project=target, path=path)
    assert (report.annotations_created, report.gold_created) == (6, 2)
    assert spans_of(target) == snapped_spans_of(data.project)
    assert spans_of(target, GoldAnnotation) == snapped_spans_of(data.project, GoldAnnotation)
    assert set(
        GoldAnnotation.objects.filter(project=target).values_list("reviewer__username", flat=True)
    ) == {"rita"}


def test_doccano_file_from_doccano_with_annotator_option(data, target, tmp_path):
    # doccano's own export: id, text, label, Comments; no annotator, no source.
    path = write_lines(
        tmp_path / "doccano.jsonl",
        {"id": 1, "text": export_data.EMOJI_TEXT, "label": [[22, 28, "fact"]], "Comments": []},
    )
    with pytest.raises(ImportFailed) as excinfo:
        annotations_import(project=target, path=path)
    assert excinfo.value.report.errors == [
        "line 1, span 1: the span names no annotator: pass --annotator USER"
    ]
    report = annotations_import(project=target, path=path, annotator=data.boris)
    assert report.annotations_created == 1
    annotation = Annotation.objects.get(project=target)
    assert (annotation.annotator, annotation.quote, annotation.start) == (data.boris, "Токаев", 19)


def test_label_studio_export_comes_back(data, target, tmp_path):
    path = export(data, "label-studio", tmp_path / "tasks.json")
    report = annotations_import(project=target, path=path)
    assert (report.format, report.annotations_created, report.gold_created) == (
        "label-studio",
        6,
        2,
    )
    assert spans_of(target) == snapped_spans_of(data.project)


def test_label_studio_own_export_with_annotator_option(data, target, tmp_path):
    task = {
        "id": 7,
        "data": {"text": export_data.PLAIN_TEXT},
        "annotations": [
            {
                "id": 3,
                "completed_by": 1,
                "result": [
                    {
                        "id": "x1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 0, "end": 6, "text": "Завтра", "labels": ["fact"]},
                    },
                    {
                        "id": "x2",
                        "from_name": "mood",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["calm"]},
                    },
                ],
                "was_cancelled": False,
                "ground_truth": False,
            },
            {
                "id": 4,
                "completed_by": 1,
                "was_cancelled": True,
                "result": [
                    {"type": "labels", "value": {"start": 0, "end": 6, "labels": ["opinion"]}}
                ],
            },
        ],
    }
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    report = annotations_import(project=target, path=path, annotator=data.anna)
    assert report.annotations_created == 1
    assert report.results_skipped == {"choices": 1}
    assert "Skipped 1 Label Studio results of type 'choices' (not text spans)." in report.summary()
    annotation = Annotation.objects.get(project=target)
    assert (annotation.quote, annotation.label.name, annotation.annotator) == (
        "Завтра",
        "fact",
        data.anna,
    )


def test_create_users_makes_inactive_accounts(target, tmp_path):
    path = write_lines(
        tmp_path / "a.jsonl",
        {
            "text": export_data.PLAIN_TEXT,
            "source": "Канал",
            "annotations": [{"start": 0, "end": 6, "label": "fact", "annotator": "newcomer"}],
        },
    )
    report = annotations_import(project=target, path=path, create_users=True)
    assert report.users_created == 1
    user = User.objects.get(username="newcomer")
    assert not user.is_active and not user.has_usable_password()


EMOJI = export_data.EMOJI_TEXT
OK_LINE = {
    "text": "Совсем новый текст для проверки.",
    "source": {"name": "Новый"},
    "annotations": [{"start": 0, "end": 6, "label": "fact", "annotator": "anna"}],
}


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        (
            [
                {
                    "text": EMOJI,
                    "annotations": [{"start": 10, "end": 99, "label": "fact", "annotator": "anna"}],
                }
            ],
            ["line 2, span 1: Offsets 10–99 are outside the text (0–75)."],
        ),
        (
            [
                {
                    "text": EMOJI,
                    "annotations": [
                        {
                            "start": 19,
                            "end": 25,
                            "label": "fact",
                            "quote": "Путин",
                            "annotator": "anna",
                        }
                    ],
                }
            ],
            ['line 2, span 1: the quote "Путин" does not match the text at 19–25 ("Токаев")'],
        ),
        (
            [
                {
                    "text": EMOJI,
                    "annotations": [
                        {"start": "19", "end": 25, "label": "fact", "annotator": "anna"}
                    ],
                }
            ],
            ["line 2, span 1: Offsets must be whole numbers."],
        ),
        (
            [{"text": EMOJI, "label": [[22, 28, "rumour"]], "annotator": "anna"}],
            [
                'line 2, span 1: unknown label "rumour" (this project has: fact, opinion, '
                "speculation)"
            ],
        ),
        (
            [{"text": "Такого текста нет нигде.", "label": [[0, 6, "fact"]], "annotator": "anna"}],
            [
                "line 2: unknown document: no stored document has this text and the record "
                "names no source to import it from"
            ],
        ),
        (
            ['{"text": "Смайл", "label": [[0, 5, "fact"]'],
            ["line 2: not valid JSON (Expecting ',' delimiter, column 43)"],
        ),
        (["[1, 2]"], ["line 2: expected a JSON object"]),
        (
            [{"text": EMOJI}],
            ['line 2: neither our jsonl (no "annotations") nor doccano (no "label")'],
        ),
        (
            [{"text": EMOJI, "label": [[7, 28, "fact"]], "annotator": "anna"}],
            [
                "line 2, span 1: UTF-16 offset 7 falls inside a character (the two halves of an "
                "emoji or flag)."
            ],
        ),
        (
            [{"text": EMOJI, "label": [[22, 28]], "annotator": "anna"}],
            ['line 2, span 1: expected [start, end, "label"]'],
        ),
        (
            [{"text": EMOJI, "label": [[22, 28, "fact"]], "annotator": "ghost"}],
            [
                'line 2, span 1: unknown user "ghost" (create the account first, or use '
                "--create-users)"
            ],
        ),
        (
            [{"label": [], "annotator": "anna"}],
            ['line 2: "text" is missing or empty'],
        ),
        (
            [
                {
                    "text": "Ещё один новый текст.",
                    "source": "Новый",
                    "published": "вчера",
                    "annotations": [],
                }
            ],
            ['line 2: "published" is not a date like 2025-01-31'],
        ),
    ],
)
def test_bad_input_is_rejected_with_exact_messages_and_nothing_is_written(
    data, target, tmp_path, lines, errors
):
    path = write_lines(tmp_path / "bad.jsonl", OK_LINE, *lines)
    before = counts()
    with pytest.raises(ImportFailed) as excinfo:
        annotations_import(project=target, path=path)
    assert excinfo.value.report.errors == errors
    assert counts() == before
    assert not Document.objects.filter(text=OK_LINE["text"]).exists()


@pytest.mark.parametrize(
    ("content", "errors"),
    [
        ("", ["The file has no records."]),
        (
            '{"not": "a list"}',
            ['line 1: neither our jsonl (no "annotations") nor doccano (no "label")'],
        ),
        ('[{"data": {}}]', ['task 1: "text" is missing or empty']),
        ('[{"text": "x"}]', ['task 1: expected a task object with "data"']),
        ("[1, ", ["not valid JSON (Expecting value, line 1, column 5)"]),
    ],
)
def test_bad_files_are_rejected(target, tmp_path, content, errors):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed) as excinfo:
        annotations_import(project=target, path=path)
    assert excinfo.value.report.errors == errors


def test_every_problem_is_reported_not_only_the_first(data, target, tmp_path):
    path = write_lines(
        tmp_path / "bad.jsonl",
        {"text": EMOJI, "label": [[22, 28, "rumour"], [0, 99, "fact"]], "annotator": "anna"},
        "not json",
    )
    with pytest.raises(ImportFailed) as excinfo:
        annotations_import(project=target, path=path)
    assert excinfo.value.report.errors == [
        'line 1, span 1: unknown label "rumour" (this project has: fact, opinion, speculation)',
        "line 1, span 2: Offsets 0–99 are outside the text (0–78 in UTF-16 units).",
        "line 2: not valid JSON (Expecting value, column 1)",
    ]


def test_command_prints_a_summary(data, target, tmp_path, capsys):
    path = export(data, "jsonl", tmp_path / "a.jsonl")
    call_command("import_annotations", str(path), "--project=target")
    assert capsys.readouterr().out.splitlines() == [
        "Read 3 records (jsonl).",
        "Documents: 3 matched, 0 imported.",
        "Annotations: 6 imported; gold spans: 2 imported; 0 already present, skipped.",
        # The test data's sentence spans end with a full stop.
        "7 spans were trimmed to whole words without spaces or punctuation at the ends "
        "(the boundary convention).",
    ]


def test_command_attributes_spans_to_the_annotator_option(data, target, tmp_path):
    path = export(data, "doccano", tmp_path / "d.jsonl")
    call_command("import_annotations", str(path), "--project=target", "--annotator=rita")
    assert set(
        Annotation.objects.filter(project=target).values_list("annotator__username", flat=True)
    ) == {"rita"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--project=nope"], 'No project with slug "nope".'),
        (["--project=target", "--annotator=ghost"], 'No user named "ghost".'),
    ],
)
def test_command_refuses_unknown_project_or_user(target, tmp_path, arguments, message):
    path = write_lines(tmp_path / "a.jsonl", OK_LINE)
    with pytest.raises(CommandError) as excinfo:
        call_command("import_annotations", str(path), *arguments)
    assert str(excinfo.value) == message


def test_command_lists_the_problems(data, target, tmp_path):
    path = write_lines(
        tmp_path / "bad.jsonl", {"text": EMOJI, "label": [[22, 28, "rumour"]], "annotator": "anna"}
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("import_annotations", str(path), "--project=target")
    assert str(excinfo.value) == (
        f"Nothing was imported: 1 problem(s) in {path}:\n"
        '  line 1, span 1: unknown label "rumour" (this project has: fact, opinion, speculation)'
    )
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(CommandError) as excinfo:
        call_command("import_annotations", str(missing), "--project=target")
    assert str(excinfo.value) == f"No such file: {missing}"


def test_text_with_crlf_and_trailing_spaces_matches_the_normalised_document(data, target, tmp_path):
    # The stored text (as the document importer normalises it) has "\n" line ends; a tool
    # on Windows may give back "\r\n" and trailing spaces: the spans still land right.
    raw = export_data.EMOJI_TEXT.replace("\n", "  \r\n")
    start = raw.index("Возможно")
    utf16 = len(raw[:start].encode("utf-16-le")) // 2
    path = write_lines(
        tmp_path / "crlf.jsonl",
        {"text": raw, "label": [[utf16, utf16 + 8, "speculation"]], "annotator": "anna"},
    )
    report = annotations_import(project=target, path=path)
    assert (report.documents_matched, report.documents_created) == (1, 0)
    annotation = Annotation.objects.get(project=target)
    assert annotation.document == data.emoji
    assert (annotation.quote, annotation.start) == ("Возможно", 41)


def test_new_document_with_crlf_is_stored_normalised(target, tmp_path):
    User.objects.create(username="anna")
    raw = "Первая строка.\r\nВторая строка.\r\n"
    path = write_lines(
        tmp_path / "new.jsonl",
        {
            "text": raw,
            "source": "Источник",
            "annotations": [
                {
                    "start": 16,
                    "end": 30,
                    "label": "fact",
                    "quote": "Вторая строка.",
                    "annotator": "anna",
                }
            ],
        },
    )
    annotations_import(project=target, path=path)
    document = Document.objects.get(source__name="Источник")
    assert document.text == "Первая строка.\nВторая строка."
    annotation = Annotation.objects.get(project=target)
    # Stored under the boundary convention, without the full stop.
    assert (annotation.start, annotation.end, annotation.quote) == (15, 28, "Вторая строка")


def test_decomposed_unicode_and_spans_on_dropped_characters_are_refused(target, tmp_path):
    User.objects.create(username="anna")
    path = write_lines(
        tmp_path / "bad.jsonl",
        {"text": "Йод и\u0306од.", "source": "S", "annotations": []},
        {
            "text": "Строка.  \r\nЕщё.",
            "source": "S",
            "annotations": [{"start": 7, "end": 9, "label": "fact", "annotator": "anna"}],
        },
    )
    with pytest.raises(ImportFailed) as excinfo:
        annotations_import(project=target, path=path)
    assert excinfo.value.report.errors == [
        "line 1: the text is not in Unicode NFC form; its offsets cannot follow the stored "
        "(normalised) text",
        "line 2, span 1: the span covers only line ends or trailing spaces, which the stored "
        "text drops",
    ]


def test_imported_spans_count_in_a_profile_already_shown(data, target, tmp_path):
    """bulk_create skips the model signals: the import itself marks the profiles stale."""
    from annotator.reports.profiles import ProfileFilter, source_profiles

    path = export(data, "jsonl", tmp_path / "a.jsonl")
    for document in data.project.documents.all():
        factories.ProjectDocumentFactory(project=target, document=document)
    before = source_profiles(ProfileFilter(project=target))
    assert sum(p.counts.labelled_sentences for p in before) == 0

    annotations_import(project=target, path=path)

    after = source_profiles(ProfileFilter(project=target))
    assert sum(p.counts.labelled_sentences for p in after) > 0
    assert sum(p.counts.annotated_documents for p in after) > 0


def test_a_utf16_file_with_a_bom_is_read_like_the_document_importer_reads_it(
    data, target, tmp_path
):
    path = export(data, "jsonl", tmp_path / "a.jsonl")
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    report = annotations_import(project=target, path=path)
    assert (report.encodings, report.annotations_created) == ({"a.jsonl": "utf-16"}, 6)


def test_a_binary_file_is_refused_by_name_and_nothing_is_written(data, target, tmp_path):
    path = tmp_path / "scan.json"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    before = counts()
    with pytest.raises(ImportFailed) as excinfo:
        annotations_import(project=target, path=path)
    assert str(excinfo.value) == "scan.json: binary file, not text"
    assert counts() == before


def test_a_source_named_in_another_letter_case_is_the_stored_source(target, tmp_path):
    """Both importers match source names alike: "тасс" is the stored "ТАСС" (issue 12)."""
    tass = factories.SourceFactory(name="ТАСС")
    User.objects.create(username="anna")
    path = write_lines(
        tmp_path / "a.jsonl",
        {
            "text": "Текст из агентства.",
            "source": {"name": " тасс ", "kind": "agency"},
            "annotations": [{"start": 0, "end": 5, "label": "fact", "annotator": "anna"}],
        },
    )
    report = annotations_import(project=target, path=path)
    assert (report.documents_created, report.sources_created) == (1, 0)
    assert list(Source.objects.values_list("name", flat=True)) == ["ТАСС"]
    assert Document.objects.get(text="Текст из агентства.").source == tass


def test_an_invalid_new_source_is_reported_and_nothing_is_written(target, tmp_path):
    User.objects.create(username="anna")
    path = write_lines(
        tmp_path / "a.jsonl",
        {"text": "Текст.", "source": {"name": "Газета", "kind": "газета"}, "annotations": []},
    )
    before = counts()
    with pytest.raises(ImportFailed) as excinfo:
        annotations_import(project=target, path=path)
    assert excinfo.value.report.errors == [
        "line 1: source: kind: Value 'газета' is not a valid choice."
    ]
    assert counts() == before


def test_notes_follow_the_workspace_rule_and_a_bad_one_writes_nothing(data, target, tmp_path):
    """A NUL or an over-long note is a line's error, not a DataError (issue 12)."""

    def line(note):
        span = {"start": 19, "end": 25, "label": "fact", "annotator": "anna", "note": note}
        return {"text": EMOJI, "annotations": [span]}

    path = write_lines(tmp_path / "notes.jsonl", line("a\x00b"), line("x" * 5001), line("x" * 5000))
    before = counts()
    with pytest.raises(ImportFailed) as excinfo:
        annotations_import(project=target, path=path)
    assert excinfo.value.report.errors == [
        "line 1, span 1: The note contains a NUL character (U+0000); remove it.",
        "line 2, span 1: The note is too long (at most 5000 characters).",
    ]
    assert counts() == before


def test_spans_are_stored_under_the_boundary_convention(target, tmp_path):
    User.objects.create(username="anna")
    text = "«Да», — сказал он. Токаев считает иначе."
    spans = [
        {"start": 0, "end": 18, "label": "fact", "annotator": "anna"},  # «Да», — сказал он.
        {"start": 19, "end": 40, "label": "opinion", "annotator": "anna"},  # ... иначе.
        {"start": 21, "end": 30, "label": "opinion", "annotator": "anna"},  # half words
    ]
    path = write_lines(tmp_path / "a.jsonl", {"text": text, "source": "S", "annotations": spans})
    report = annotations_import(project=target, path=path)
    assert report.spans_snapped == 3
    assert [a.quote for a in Annotation.objects.order_by("start", "end")] == [
        "Да», — сказал он",
        "Токаев считает",
        "Токаев считает иначе",
    ]


def test_a_span_of_punctuation_only_is_refused(target, tmp_path):
    User.objects.create(username="anna")
    before = counts()
    path = write_lines(
        tmp_path / "a.jsonl",
        {
            "text": "Токаев: «нет».",
            "source": "S",
            "annotations": [{"start": 13, "end": 14, "label": "fact", "annotator": "anna"}],
        },
    )
    with pytest.raises(ImportFailed) as failed:
        annotations_import(project=target, path=path)
    assert failed.value.report.errors == [
        "line 1, span 1: the span holds no words, only spaces or punctuation"
    ]
    assert counts() == before
