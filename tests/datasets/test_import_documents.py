import io
import json
import unicodedata
import zipfile
from datetime import date

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.datasets.imports import documents as importing
from annotator.datasets.imports.decode import decode_bytes, normalize_text
from annotator.datasets.imports.documents import MAX_REPORTED, import_paths, import_upload
from annotator.datasets.imports.repeats import find_repeats, remove_repeats
from annotator.datasets.imports.report import ImportFailed
from annotator.models import Document, ProjectDocument, Sentence, Source, sentence_spans
from tests.support import factories
from tests.support.factories import SAMPLE_TEXT

SEEDS = settings.BASE_DIR / "seeds"
REPEATING_SEED = SEEDS / "003_630c0bafdc5be0e1.txt"

db = pytest.mark.django_db


def write_jsonl(path, *records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


def nothing_written():
    return not Document.objects.exists() and not Source.objects.exists()


# ---------------------------------------------------------------- plain functions


def test_normalize_text_newlines_trailing_spaces_and_nfc():
    decomposed = "И\u0306"  # И + combining breve
    text = "\n\r\nПервая строка.  \r\nВторая\t\rТретья " + decomposed + "\u00a0\n\n"
    assert normalize_text(text) == "Первая строка.\nВторая\nТретья Й"
    assert unicodedata.is_normalized("NFC", normalize_text(decomposed))


def test_normalize_text_keeps_leading_spaces_and_inner_blank_lines():
    assert normalize_text(" date 2025\n\n\nТекст") == " date 2025\n\n\nТекст"


@pytest.mark.parametrize(
    ("encoding", "name"), [("cp1251", "cp1251"), ("koi8_r", "koi8-r"), ("cp866", "cp866")]
)
def test_decode_bytes_detects_russian_encodings(encoding, name):
    assert decode_bytes("a.txt", SAMPLE_TEXT.encode(encoding)) == (SAMPLE_TEXT, name)


def test_decode_bytes_reads_utf8_and_boms():
    assert decode_bytes("a", "Текст".encode()) == ("Текст", "utf-8")
    assert decode_bytes("a", "\ufeffТекст".encode()) == ("Текст", "utf-8-sig")
    assert decode_bytes("a", "\ufeffТекст".encode("utf-16-le")) == ("Текст", "utf-16")


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\nabc", b"abc\x00def", b"%PDF-1.7 stream"])
def test_decode_bytes_refuses_binary(data):
    with pytest.raises(ImportFailed) as exc:
        decode_bytes("scan.txt", data)
    assert str(exc.value) == "scan.txt: binary file, not text"


def test_find_repeats_in_the_self_repeating_seed():
    text = normalize_text(REPEATING_SEED.read_text())
    [repeat] = find_repeats(text)
    assert repeat.describe() == "lines 2-13 repeat as lines 14-25"
    cleaned, removed = remove_repeats(text)
    assert removed == [repeat]
    assert cleaned == "\n".join(text.split("\n")[:13])
    assert find_repeats(cleaned) == []


def test_a_headline_printed_twice_is_not_a_repeat():
    headline = "Итоги визита Путина в Казахстан: конструктивный диалог и саммит ОДКБ"
    assert find_repeats(f"{headline}\n\n{headline}\n\n{SAMPLE_TEXT}") == []


def test_repeat_removal_keeps_what_follows_and_handles_blank_lines():
    body = "Абзац первый, довольно длинный. " * 5 + "\n\n" + "Абзац второй. " * 10
    text = f"Заголовок\n\n{body}\n\n{body}\n\nПодпись"
    cleaned, [repeat] = remove_repeats(text)
    assert cleaned == f"Заголовок\n\n{body}\n\nПодпись"
    assert repeat.describe() == "lines 3-5 repeat as lines 7-9"


def test_a_long_paragraph_printed_three_times_keeps_one_copy():
    paragraph = "Длинный абзац, который повторяется. " * 8
    text = f"{paragraph}\n{paragraph}\n{paragraph}\nКонец."
    assert [r.describe() for r in find_repeats(text)] == ["line 1 repeats as line 2"]
    cleaned, removed = remove_repeats(text)
    assert cleaned == f"{paragraph}\nКонец."
    assert len(removed) == 2


# ---------------------------------------------------------------- formats


@db
def test_import_seeds_yields_five_documents_from_five_sources_with_sentences():
    report = import_paths([SEEDS])

    assert report.summary() == "5 documents added, 0 skipped as duplicate, 0 rejected"
    assert Document.objects.count() == 5
    assert Source.objects.count() == 5
    for document in Document.objects.all():
        spans = [(s.start, s.end) for s in document.sentences.all()]
        assert spans == list(sentence_spans(document.text))
        assert len(spans) > 10
    dw = Document.objects.get(source__name="DW")
    assert (dw.title, dw.published_on, dw.url, dw.source.kind) == (
        "Для чего Путин приезжал в Казахстан",
        date(2023, 11, 9),
        "https://p.dw.com/p/4Ydis",
        "news_site",
    )
    kinds = dict(Source.objects.values_list("name", "kind"))
    assert kinds == {
        "DW": "news_site",
        "Unknown source": "other",
        "Вестник Кавказа": "news_site",
        "Максим Крамаренко (VK)": "vk",
        "Разговор при галстука": "telegram",
    }
    assert Document.objects.get(source__name="Вестник Кавказа").published_on is None
    vk = Document.objects.get(source__kind="vk")
    assert vk.author == "Максим Крамаренко"
    assert vk.text.count("Путин, Токаев и «тихая дипломатия»") == 1
    assert report.repeats == [f"{REPEATING_SEED}: lines 2-13 repeat as lines 14-25 (removed)"]
    assert set(report.encodings.values()) == {"utf-8"}


@db
def test_import_seeds_command_prints_repeats_and_summary():
    out = io.StringIO()
    call_command("import_documents", str(SEEDS), stdout=out)
    output = out.getvalue()
    assert "Read as utf-8: " in output
    assert "Repeated text: " in output and "lines 2-13 repeat as lines 14-25 (removed)" in output
    assert output.rstrip().endswith("5 documents added, 0 skipped as duplicate, 0 rejected")


@db
def test_import_jsonl_with_all_keys(tmp_path):
    path = write_jsonl(
        tmp_path / "docs.jsonl",
        {
            "text": "Первый текст.",
            "title": "Заголовок",
            "source": "ТАСС",
            "source_kind": "agency",
            "author": "Иван Петров",
            "published_on": "2024-11-26",
            "url": "https://tass.ru/1",
            "language": "ru",
        },
        {"text": "Второй текст.", "source": "тасс"},
    )
    report = import_paths([path])

    assert report.summary() == "2 documents added, 0 skipped as duplicate, 0 rejected"
    first, second = Document.objects.order_by("id")
    assert (first.title, first.author, first.published_on, first.url) == (
        "Заголовок",
        "Иван Петров",
        date(2024, 11, 26),
        "https://tass.ru/1",
    )
    assert first.source == second.source
    assert first.source.kind == "agency"
    assert first.imported_from == f"{path} line 1"
    assert second.title == "" and second.published_on is None


@db
def test_import_csv_with_optional_columns_and_multiline_text(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text(
        "text,title,source,source_kind,published_on\n"
        '"Первая строка.\nВторая строка.",Заголовок,Коммерсантъ,news_site,2024-11-27\n'
        "Ещё текст.,,,,\n"
    )
    report = import_paths([path], default_source="Сайт")

    first, second = Document.objects.order_by("id")
    assert first.text == "Первая строка.\nВторая строка."
    assert (first.title, first.source.name, first.published_on) == (
        "Заголовок",
        "Коммерсантъ",
        date(2024, 11, 27),
    )
    assert second.source.name == "Сайт" and second.source.kind == "other"
    assert second.imported_from == f"{path} line 4"
    assert first.sentences.count() == 2
    assert report.encodings == {str(path): "utf-8"}


@db
def test_import_csv_with_semicolons(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("title;text\nЗаголовок;Текст, с запятой.\n")
    import_paths([path], default_source="Сайт")
    assert Document.objects.get().text == "Текст, с запятой."


@db
def test_folder_without_metadata_uses_the_default_source(tmp_path):
    (tmp_path / "a.txt").write_text("Текст А.")
    (tmp_path / "b.txt").write_text("Текст Б.")
    (tmp_path / "notes.md").write_text("not imported")
    import_paths([tmp_path], default_source="Архив")
    assert list(Document.objects.values_list("text", "source__name", "title")) == [
        ("Текст А.", "Архив", ""),
        ("Текст Б.", "Архив", ""),
    ]


@db
@pytest.mark.parametrize(("encoding", "name"), [("cp1251", "cp1251"), ("koi8_r", "koi8-r")])
def test_import_detects_and_reports_the_encoding(tmp_path, encoding, name):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(SAMPLE_TEXT.encode(encoding))
    out = io.StringIO()
    call_command("import_documents", str(path), "--source", "Сайт", stdout=out)

    assert Document.objects.get().text == SAMPLE_TEXT
    assert f"Read as {name}: {path}\n" in out.getvalue()


@db
def test_crlf_and_nfc_are_normalised_on_import(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("Строка один.  \r\nЗае\u0308мщик\r\rКонец\r\n".encode())
    import_paths([path], default_source="Сайт")
    document = Document.objects.get()
    assert document.text == "Строка один.\nЗаёмщик\n\nКонец"
    assert document.text_sha256 == importing.text_sha256(document.text)


# ---------------------------------------------------------------- duplicates


@db
def test_same_text_imported_twice_is_skipped_and_reported(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "Один и тот же текст."})
    import_paths([path], default_source="Сайт")
    document = Document.objects.get()

    again = write_jsonl(
        tmp_path / "b.jsonl", {"text": "Один и тот же текст.\r\n"}, {"text": "Новый."}
    )
    report = import_paths([again], default_source="Сайт")

    assert report.summary() == "1 document added, 1 skipped as duplicate, 0 rejected"
    assert report.duplicates == [f"{again} line 1: same text as document {document.pk}"]
    assert Document.objects.count() == 2


@db
def test_duplicates_within_one_import_are_skipped(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "Текст."}, {"text": "Текст."})
    report = import_paths([path], default_source="Сайт")
    assert report.duplicates == [f"{path} line 2: same text as {path} line 1"]
    assert Document.objects.count() == 1


@db
def test_documents_and_existing_duplicates_are_added_to_the_project(tmp_path):
    project = factories.ProjectFactory()
    existing = factories.DocumentFactory(text="Уже есть.")
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "Уже есть."}, {"text": "Новый."})
    import_paths([path], project=project, default_source="Сайт")
    in_project = set(project.documents.values_list("text", flat=True))
    assert in_project == {"Уже есть.", "Новый."}
    import_paths([path], project=project, default_source="Сайт")
    assert ProjectDocument.objects.filter(project=project).count() == 2
    assert existing.projects.get() == project


@db
def test_self_repeating_text_is_reported_and_kept_without_the_option(tmp_path):
    path = tmp_path / REPEATING_SEED.name
    path.write_bytes(REPEATING_SEED.read_bytes())
    report = import_paths([path], default_source="VK")
    assert report.repeats == [f"{path}: lines 2-13 repeat as lines 14-25 (kept)"]
    assert Document.objects.get().text == normalize_text(REPEATING_SEED.read_text())


@db
def test_remove_repeats_option_removes_the_repeated_run(tmp_path):
    path = tmp_path / REPEATING_SEED.name
    path.write_bytes(REPEATING_SEED.read_bytes())
    out = io.StringIO()
    call_command("import_documents", str(path), "--source", "VK", "--remove-repeats", stdout=out)
    assert f"Repeated text: {path}: lines 2-13 repeat as lines 14-25 (removed)" in out.getvalue()
    text = Document.objects.get().text
    assert text.count("Не зря же придумали термин") == 1
    assert text.startswith("О возможных темах")


# ---------------------------------------------------------------- bad input


def bad_inputs(tmp_path):
    """(paths, expected message) for every kind of bad input."""
    (tmp_path / "empty.txt").write_text("  \r\n \n")
    (tmp_path / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write_jsonl(tmp_path / "ok.jsonl", {"text": "Хороший текст."})
    (tmp_path / "bad.jsonl").write_text('{"text": "Хороший."}\n{"text": "Плохой"\n')
    write_jsonl(tmp_path / "blank.jsonl", {"text": "Хороший."}, {"text": " \n "})
    write_jsonl(tmp_path / "nokey.jsonl", {"title": "Без текста"})
    write_jsonl(tmp_path / "kind.jsonl", {"text": "Текст.", "source_kind": "tg"})
    write_jsonl(tmp_path / "date.jsonl", {"text": "Текст.", "published_on": "12.11.2025"})
    (tmp_path / "nocol.csv").write_text("body,title\nТекст,Заголовок\n")
    (tmp_path / "kind.csv").write_text("text,source_kind\nХороший,news_site\nТекст,газета\n")
    (tmp_path / "doc.docx").write_bytes(b"PK\x03\x04")
    meta = tmp_path / "meta"
    meta.mkdir()
    (meta / "a.txt").write_text("Текст.")
    (meta / "metadata.csv").write_text("file,source\na.txt,Сайт\nb.txt,Сайт\n")
    kinds = ", ".join(Source.Kind.values)
    return [
        (["missing.txt"], "missing.txt: no such file or folder"),
        (["empty.txt"], "empty.txt: empty text"),
        (["scan.txt"], "scan.txt: binary file, not text"),
        (
            ["ok.jsonl", "bad.jsonl"],
            "bad.jsonl line 2: bad JSON (Expecting ',' delimiter at column 18)",
        ),
        (["blank.jsonl"], "blank.jsonl line 2: empty text"),
        (["nokey.jsonl"], "nokey.jsonl line 1: missing 'text' key"),
        (["nocol.csv"], "nocol.csv: missing 'text' column (found: body, title)"),
        (
            ["kind.jsonl"],
            f"kind.jsonl line 1: unknown source kind 'tg' (use one of: {kinds})",
        ),
        (
            ["kind.csv"],
            f"kind.csv line 3: unknown source kind 'газета' (use one of: {kinds})",
        ),
        (["date.jsonl"], "date.jsonl line 1: bad published_on '12.11.2025' (use YYYY-MM-DD)"),
        (
            ["doc.docx"],
            "doc.docx: unsupported file type "
            "(use .txt, .jsonl, .json, .csv, a .zip of .txt files or a folder)",
        ),
        (["meta"], "meta/metadata.csv line 3: no file 'b.txt' in the folder"),
    ]


BAD_CASES = [
    "missing",
    "empty",
    "binary",
    "bad-json",
    "empty-jsonl",
    "no-text-key",
    "no-text-column",
    "unknown-kind-jsonl",
    "unknown-kind-csv",
    "bad-date",
    "unsupported",
    "metadata-names-missing-file",
]


@db
@pytest.mark.parametrize("case", range(len(BAD_CASES)), ids=BAD_CASES)
def test_bad_input_fails_with_one_line_and_writes_nothing(tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    names, message = bad_inputs(tmp_path)[case]
    with pytest.raises(CommandError) as exc:
        call_command("import_documents", *names, "--source", "Сайт", stdout=io.StringIO())
    assert str(exc.value) == message
    assert nothing_written()


@db
def test_a_record_without_any_source_fails(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "a.jsonl", {"text": "Текст.", "source": "Сайт"}, {"text": "Ещё."})
    with pytest.raises(ImportFailed) as exc:
        import_paths([tmp_path / "a.jsonl"])
    assert str(exc.value) == (
        f"{tmp_path / 'a.jsonl'} line 2: no source "
        "(name one in the input or give a default source with --source)"
    )
    assert nothing_written()


@db
def test_skip_bad_imports_the_good_records_and_lists_the_bad(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad_inputs(tmp_path)
    out = io.StringIO()
    call_command(
        "import_documents",
        "ok.jsonl",
        "bad.jsonl",
        "scan.txt",
        "kind.csv",
        "missing.txt",
        "--source",
        "Сайт",
        "--skip-bad",
        stdout=out,
    )
    output = out.getvalue()
    assert set(Document.objects.values_list("text", flat=True)) == {
        "Хороший текст.",
        "Хороший.",
        "Хороший",
    }
    assert "Rejected: bad.jsonl line 2: bad JSON" in output
    assert "Rejected: scan.txt: binary file, not text" in output
    assert "Rejected: kind.csv line 3: unknown source kind 'газета'" in output
    assert "Rejected: missing.txt: no such file or folder" in output
    assert "3 documents added, 0 skipped as duplicate, 4 rejected" in output


@db
def test_unknown_project_is_refused(tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import_documents", str(SEEDS), "--project", "nope")
    assert str(exc.value) == "No project with the slug 'nope'."
    assert nothing_written()


@db
def test_a_database_refusal_rolls_everything_back(tmp_path, monkeypatch):
    factories.DocumentFactory(text="Уже есть.")
    monkeypatch.setattr(importing, "_existing_documents", lambda hashes: {})
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "Новый."}, {"text": "Уже есть."})
    with pytest.raises(ImportFailed) as exc:
        import_paths([path], default_source="Новый источник")
    assert str(exc.value).startswith("import stopped, nothing written: the database refused")
    assert "\n" not in str(exc.value)
    assert Document.objects.count() == 1
    assert not Source.objects.filter(name="Новый источник").exists()


# ---------------------------------------------------------------- uploads


@db
def test_upload_of_a_jsonl_file():
    data = b'{"text": "\xd0\xa2\xd0\xb5\xd0\xba\xd1\x81\xd1\x82.", "source": "DW"}\n'
    report = import_upload("C:\\Users\\me\\docs.jsonl", data)
    assert report.summary() == "1 document added, 0 skipped as duplicate, 0 rejected"
    assert Document.objects.get().imported_from == "docs.jsonl line 1"


@db
def test_upload_of_a_zip_of_txt_files_with_metadata():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("corpus/a.txt", "Текст А.".encode("cp1251"))
        archive.writestr("corpus/b.txt", "Текст Б.")
        archive.writestr("corpus/metadata.csv", "file,title,source\na.txt,Первый,ТАСС\n")
        archive.writestr("__MACOSX/corpus/._a.txt", b"\x00\x05")
    report = import_upload("corpus.zip", buffer.getvalue(), default_source="Архив")
    assert list(Document.objects.order_by("id").values_list("title", "source__name")) == [
        ("Первый", "ТАСС"),
        ("", "Архив"),
    ]
    assert report.encodings["corpus.zip/a.txt"] == "cp1251"


@db
def test_upload_of_a_broken_zip_fails():
    with pytest.raises(ImportFailed) as exc:
        import_upload("corpus.zip", b"PK\x03\x04broken")
    assert str(exc.value) == "corpus.zip: not a valid .zip file"
    assert nothing_written()


@db
def test_upload_of_a_zip_bomb_is_refused(settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 2**20
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", "а" * 2**20)
    with pytest.raises(ImportFailed) as exc:
        import_upload("big.zip", buffer.getvalue(), default_source="Сайт")
    assert str(exc.value) == "big.zip: unpacks to more than 1 MB"


# ---------------------------------------------------------------- bulk writing


def count_queries(tmp_path, n):
    path = write_jsonl(
        tmp_path / f"{n}.jsonl", *[{"text": f"{SAMPLE_TEXT} Номер {n}-{i}."} for i in range(n)]
    )
    project = factories.ProjectFactory()
    with CaptureQueriesContext(connection) as queries:
        import_paths([path], project=project, default_source=f"Сайт {n}")
    return len(queries)


@db
def test_the_number_of_queries_does_not_grow_with_the_documents(tmp_path):
    assert count_queries(tmp_path, 3) == count_queries(tmp_path, 60)
    assert Sentence.objects.count() == 63 * 4


@db
def test_documents_get_their_ids_when_bulk_insert_returns_none(tmp_path, monkeypatch):
    monkeypatch.setattr(connection.features, "can_return_rows_from_bulk_insert", False)
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "Один. Два."}, {"text": "Три."})
    report = import_paths([path], default_source="Сайт")
    assert [d.pk for d in report.added] == list(Document.objects.values_list("pk", flat=True))
    assert Sentence.objects.filter(document=report.added[0]).count() == 2


@db
def test_progress_bar_goes_to_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(importing, "PROGRESS_DELAY", 0)
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "Один."}, {"text": "Два."})
    import_paths([path], default_source="Сайт", progress=True)
    captured = capsys.readouterr()
    assert "Saving: 100%" in captured.err and "2/2" in captured.err
    assert captured.out == ""


@db
def test_a_zip_path_is_imported_like_a_folder(tmp_path):
    path = tmp_path / "texts.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "Текст из архива.")
    report = import_paths([path], default_source="Архив")
    assert Document.objects.get().imported_from == f"{path}/a.txt"
    assert report.encodings == {f"{path}/a.txt": "utf-8"}


@db
def test_a_damaged_zip_member_fails_with_its_name():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", b"Some text here.")
    data = buffer.getvalue().replace(b"Some text", b"Some TEXT", 1)
    with pytest.raises(ImportFailed) as exc:
        import_upload("texts.zip", data, default_source="Архив")
    assert str(exc.value) == "texts.zip/a.txt: cannot unpack (Bad CRC-32 for file 'a.txt')"
    assert nothing_written()


@db
def test_an_unreadable_file_fails_with_its_name(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text("Текст.")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "read_bytes", refuse)
    with pytest.raises(ImportFailed) as exc:
        import_paths([path], default_source="Сайт")
    assert str(exc.value) == f"{path}: cannot read (Permission denied)"


@db
def test_a_zip_member_larger_than_its_header_says_is_refused(tmp_path):
    path = tmp_path / "texts.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", "Текст из архива.")
        archive.writestr("b.txt", "Б" * 5000)
        archive.getinfo("b.txt").file_size = 100  # the central directory is written on close
    with pytest.raises(ImportFailed) as exc:
        import_paths([path], default_source="Архив")
    assert str(exc.value) == (
        f"{path}/b.txt: unpacks to more than the 100 bytes its zip header declares "
        "(a damaged or hostile archive)"
    )
    assert nothing_written()


@db
def test_a_zip_member_compressed_with_bzip2_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("a.txt", "Текст.")
    with pytest.raises(ImportFailed) as exc:
        import_upload("texts.zip", buffer.getvalue(), default_source="Архив")
    assert str(exc.value) == (
        "texts.zip/a.txt: compressed with bzip2, which the importer does not unpack "
        "(use a .zip of stored or deflated files)"
    )
    assert nothing_written()


@db
def test_every_bad_record_is_reported_up_to_a_limit(tmp_path):
    lines = [{"text": "Хороший.", "source": "ТАСС"}] + [{"title": "no text"}] * 25
    path = write_jsonl(tmp_path / "a.jsonl", *lines)
    with pytest.raises(ImportFailed) as exc:
        import_paths([path])
    assert str(exc.value).split("\n") == [
        *(f"{path} line {n}: missing 'text' key" for n in range(2, 2 + MAX_REPORTED)),
        "5 more bad records not listed.",
    ]
    assert nothing_written()


@db
def test_a_large_import_split_by_helpers_stores_each_documents_own_sentences(monkeypatch):
    """Helpers split while the documents go in; duplicates in the batch and already stored
    texts are skipped, and every new document gets its own text's sentences."""
    from annotator.text import sentences

    monkeypatch.setattr(sentences, "PARALLEL_CHARS", 1)
    monkeypatch.setattr(sentences, "CHUNK_CHARS", 300)
    stored = factories.DocumentFactory(text="Уже есть. Второе предложение.")
    texts = [
        f"Текст {n}. Мы можем предположить, что визит № {n} удался…\nИли нет?" for n in range(40)
    ]
    records = [{"text": text, "source": "ТАСС"} for text in texts]
    records[7:7] = [{"text": texts[3], "source": "ТАСС"}, {"text": stored.text, "source": "ТАСС"}]
    body = json.dumps(records, ensure_ascii=False).encode()

    report = import_upload("request.json", body)

    assert report.summary() == "40 documents added, 2 skipped as duplicate, 0 rejected"
    for document in Document.objects.exclude(pk=stored.pk):
        spans = [(s.start, s.end) for s in document.sentences.order_by("index")]
        assert spans == list(sentence_spans(document.text)), document.text
