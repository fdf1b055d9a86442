"""A small project with everything an export must get right: emoji and a flag before a
span (so offset units matter), overlapping spans, two annotators, a note, gold spans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from annotator.models import Annotation, Document, GoldAnnotation, Project, ProjectDocument
from annotator.text.snapping import snap
from tests.support import factories

User = get_user_model()

EMOJI_TEXT = "Смайл 😀 и флаг 🇰🇿: Токаев считает иначе.\nВозможно, всё изменится к лучшему."
PLAIN_TEXT = "Завтра в Астану прибывает делегация. Это важный визит."
EMPTY_TEXT = "Документ без разметки."


@dataclass
class ExportData:
    project: Project
    emoji: Document
    plain: Document
    empty: Document
    anna: object
    boris: object
    rita: object


def span(document: Document, quote: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = document.text.index(quote, start + 1)
    return start, start + len(quote)


def build(*, ids: tuple[int, int, int] = (9001, 9002, 9003)) -> ExportData:
    project = factories.ProjectFactory(name="Export test", slug="export-test")
    tengri = factories.SourceFactory(
        name="Tengri News", kind="news_site", country="KZ", language="ru"
    )
    channel = factories.SourceFactory(name="Канал Б", kind="telegram", country="RU")
    emoji = factories.DocumentFactory(
        id=ids[0],
        source=tengri,
        title="Смайл",
        text=EMOJI_TEXT,
        url="https://example.org/a",
        published_on=date(2024, 5, 1),
    )
    plain = factories.DocumentFactory(id=ids[1], source=channel, title="Визит", text=PLAIN_TEXT)
    empty = factories.DocumentFactory(id=ids[2], source=tengri, title="Пусто", text=EMPTY_TEXT)
    for document in (emoji, plain, empty):
        ProjectDocument.objects.create(project=project, document=document)
    # Created without a password: hashing one is slow and login is not needed here.
    anna, boris, rita = (User.objects.create(username=n) for n in ("anna", "boris", "rita"))
    factories.MembershipFactory(project=project, user=anna)
    factories.MembershipFactory(project=project, user=boris)
    factories.MembershipFactory(project=project, user=rita, role="reviewer")

    def annotate(factory, document, quote, label, **extra):
        start, end = span(document, quote)
        return factory(
            project=project,
            document=document,
            label=factories.project_label(project, label),
            start=start,
            end=end,
            **extra,
        )

    sentence = "Токаев считает иначе."
    second = "Возможно, всё изменится к лучшему."
    annotate(factories.AnnotationFactory, emoji, "Токаев", "opinion", annotator=anna)
    cue_start, cue_end = span(emoji, "считает")  # after the emoji and the flag: UTF-16 differs
    tokayev = {"holder_kind": "attributed", "holder": "Токаев"}
    tokayev |= {"cue_start": cue_start, "cue_end": cue_end}
    annotate(factories.AnnotationFactory, emoji, sentence, "opinion", annotator=anna, **tokayev)
    annotate(factories.AnnotationFactory, emoji, sentence, "fact", annotator=boris)
    annotate(
        factories.AnnotationFactory, emoji, second, "speculation", annotator=anna, note="якобы"
    )
    annotate(factories.AnnotationFactory, emoji, second, "speculation", annotator=boris)
    annotate(factories.AnnotationFactory, plain, "Это важный визит.", "opinion", annotator=boris)
    annotate(factories.GoldAnnotationFactory, emoji, sentence, "opinion", reviewer=rita, **tokayev)
    annotate(factories.GoldAnnotationFactory, emoji, second, "speculation", reviewer=rita)
    ProjectDocument.objects.filter(project=project, document=emoji).update(
        reviewed_at=timezone.now(), reviewed_by=rita
    )
    return ExportData(project, emoji, plain, empty, anna, boris, rita)


# Cells a spreadsheet would run as formulas (issue 18): any annotator can plant a note.
FORMULA_TITLE = '=HYPERLINK("http://evil.example","title")'
FORMULA_SOURCE = "+cmd|' /C calc'!A0"
FORMULA_NOTES = ("=1+1", "@SUM(1+1)*cmd|' /C calc'!A0")
DASH_QUOTE = "- Владимир Путин"
DASH_SENTENCE = "- Владимир Путин заявил, что всё идёт по плану."
FORMULA_TEXT = DASH_SENTENCE + " Остальное спокойно."


def build_formulas() -> Project:
    """Project ``formulas``: a document whose title, source, notes and text look like formulas."""
    project = factories.ProjectFactory(name="Formulas", slug="formulas")
    source = factories.SourceFactory(name=FORMULA_SOURCE)
    document = factories.DocumentFactory(source=source, title=FORMULA_TITLE, text=FORMULA_TEXT)
    ProjectDocument.objects.create(project=project, document=document)
    anna = User.objects.create(username="anna")
    factories.MembershipFactory(project=project, user=anna)
    for (start, end), note in zip(
        (span(document, DASH_QUOTE), span(document, DASH_SENTENCE)), FORMULA_NOTES, strict=True
    ):
        factories.AnnotationFactory(
            project=project,
            document=document,
            label=factories.project_label(project, "opinion"),
            start=start,
            end=end,
            annotator=anna,
            note=note,
        )
    return project


def follow_the_boundary_convention():
    """Store every span as the tool does (``text.snapping.snap``): the test data holds spans
    ending with a full stop, as spans made before the convention can, which an import
    trims (and says so)."""
    for model in (Annotation, GoldAnnotation):
        for span in model.objects.select_related("document"):
            span.start, span.end = snap(span.document.text, span.start, span.end)
            span.quote = span.document.text[span.start : span.end]
            model.objects.filter(pk=span.pk).update(
                start=span.start, end=span.end, quote=span.quote
            )
