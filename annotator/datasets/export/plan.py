"""What an export reads: the project and filters resolved into querysets, and every
document streamed once with its spans and sentences.

Every format is written from ``iter_documents``. Documents, annotations, gold spans and
sentences are read with one chunked query each, ordered by document id, and merged in
Python (no per-document queries), so memory stays flat however large the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, cast

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from annotator.errors import Rejected
from annotator.models import (
    Annotation,
    GoldAnnotation,
    Project,
    ProjectDocument,
    Sentence,
    Source,
    SuggestionDecision,
)

CHUNK_SIZE = 2000  # rows of spans or sentences per fetch
DOCUMENT_CHUNK_SIZE = 100  # documents per fetch: texts are long (up to 4 bytes a character)


class ExportError(Rejected, ValueError):
    """The export cannot run as asked; ``str(exc)`` says why."""


@dataclass
class ExportFilters:
    """What to export. Empty filters export the whole project.

    ``sources``: source names; ``annotators``: usernames (their spans only, no gold);
    ``since``: spans created or changed on or after this day; ``gold_only``: the
    reviewers' gold spans alone; ``document_ids``: these documents only.
    With ``annotators``, ``since`` or ``gold_only``, documents left with nothing to
    export are left out.
    """

    sources: Sequence[str] = ()
    annotators: Sequence[str] = ()
    since: date | None = None
    gold_only: bool = False
    document_ids: Sequence[int] | None = None

    @property
    def restricts_spans(self) -> bool:
        return bool(self.annotators) or self.since is not None or self.gold_only

    def describe(self) -> dict[str, Any]:
        """The filters as the dataset card lists them."""
        return {
            "sources": list(self.sources),
            "annotators": list(self.annotators),
            "since": self.since.isoformat() if self.since else None,
            "gold_only": self.gold_only,
            "documents": len(self.document_ids) if self.document_ids is not None else None,
        }


class Span(NamedTuple):
    start: int
    end: int
    label: str
    quote: str
    user: str | None  # the annotator, or the reviewer for gold spans
    note: str
    created: datetime
    updated: datetime
    holder_kind: str = "author"
    holder: str = ""
    cue_start: int | None = None
    cue_end: int | None = None
    # (agent, score) of the suggestion the annotator accepted to make this span; None:
    # labelled by hand (and always None for gold)
    suggestion: tuple[str, float] | None = None


@dataclass(slots=True)
class DocumentRecord:
    id: int
    text: str
    title: str
    author: str
    url: str
    published: date | None
    language: str
    source: dict[str, str]
    reviewed_at: datetime | None
    reviewed_by: str | None
    annotations: list[Span] = field(default_factory=list)
    gold: list[Span] = field(default_factory=list)
    gold_no_label: list[tuple[int, int]] = field(default_factory=list)  # (start, end)
    sentences: list[tuple[int, int, int]] = field(default_factory=list)  # (index, start, end)

    @property
    def adjudicated(self) -> bool:
        return bool(self.gold or self.gold_no_label) or self.reviewed_at is not None

    def annotations_by_user(self) -> dict[str, list[Span]]:
        by_user: dict[str, list[Span]] = {}
        for span in self.annotations:  # an annotation always has its annotator
            by_user.setdefault(cast(str, span.user), []).append(span)
        return by_user


class _Usernames(dict):
    """User id → username, looked up on first use (a project has few annotators)."""

    def __missing__(self, user_id: int | None) -> str | None:
        username = None
        if user_id is not None:
            username = (
                get_user_model()
                .objects.filter(pk=user_id)
                .values_list("username", flat=True)
                .first()
            )
        self[user_id] = username
        return username


class ExportPlan:
    """A project and filters resolved into querysets; raises ExportError on bad filters.

    ``raw``: CSV cells as written, not made safe for spreadsheets (see ``formats.csv``).
    """

    def __init__(self, project: Project, filters: ExportFilters, *, raw: bool = False) -> None:
        self.project = project
        self.filters = filters
        self.raw = raw
        if filters.gold_only and filters.annotators:
            raise ExportError(
                "Gold only cannot be combined with annotators: gold spans are the reviewers'."
            )
        self.include_annotations = not filters.gold_only
        self.include_gold = not filters.annotators
        self.labels = list(project.labels.in_display_order())
        self.label_names = {label.pk: label.name for label in self.labels}
        self.label_order = [label.name for label in self.labels]
        self.sources = {
            source.pk: source
            for source in Source.objects.filter(documents__projects=project).distinct()
        }
        self.source_ids = self._resolve_sources(filters.sources)
        self.annotator_ids = self._resolve_annotators(filters.annotators)
        self.since = (
            timezone.make_aware(datetime.combine(filters.since, time.min))
            if filters.since
            else None
        )
        self.usernames = _Usernames()
        self.exported_at = timezone.now()

    def _resolve_sources(self, names: Sequence[str]) -> list[int] | None:
        if not names:
            return None
        found = dict(Source.objects.filter(name__in=names).values_list("name", "pk"))
        missing = [name for name in names if name not in found]
        if missing:
            raise ExportError("Unknown source: " + ", ".join(f'"{n}"' for n in missing) + ".")
        return [found[name] for name in names]

    def _resolve_annotators(self, usernames: Sequence[str]) -> list[int] | None:
        if not usernames:
            return None
        found = dict(
            get_user_model().objects.filter(username__in=usernames).values_list("username", "pk")
        )
        missing = [name for name in usernames if name not in found]
        if missing:
            raise ExportError("Unknown annotator: " + ", ".join(f'"{n}"' for n in missing) + ".")
        return [found[name] for name in usernames]

    # Querysets, each ordered by document id so they can be merged in one pass.

    def project_documents(self):
        queryset = ProjectDocument.objects.filter(project=self.project)
        if self.source_ids is not None:
            queryset = queryset.filter(document__source_id__in=self.source_ids)
        if self.filters.document_ids is not None:
            queryset = queryset.filter(document_id__in=list(self.filters.document_ids))
        return queryset

    def _spans(self, model):
        queryset = model.objects.filter(project=self.project)
        if self.source_ids is not None or self.filters.document_ids is not None:
            queryset = queryset.filter(
                document_id__in=self.project_documents().values("document_id")
            )
        if self.since is not None:
            queryset = queryset.filter(updated_at__gte=self.since)
        return queryset

    def annotations(self):
        queryset = self._spans(Annotation)
        if self.annotator_ids is not None:
            queryset = queryset.filter(annotator_id__in=self.annotator_ids)
        return queryset

    def suggested_annotations(self):
        """``annotations`` with the agent and score of the suggestion each was accepted
        from (both None for a span labelled by hand)."""
        accepted = SuggestionDecision.objects.filter(
            annotation=OuterRef("pk"), verdict=SuggestionDecision.Verdict.ACCEPTED
        ).order_by("id")
        return self.annotations().annotate(
            suggestion_agent=Subquery(accepted.values("suggestion__agent")[:1]),
            suggestion_score=Subquery(accepted.values("suggestion__score")[:1]),
        )

    def gold_annotations(self):
        """Labelled gold spans ("no label" decisions are in ``gold_no_label``)."""
        return self._spans(GoldAnnotation).filter(label__isnull=False)

    def gold_no_label(self):
        """Gold "no label here" decisions: no span to export, but a gold sentence label."""
        return self._spans(GoldAnnotation).filter(label__isnull=True)

    def document_count(self) -> int:
        return self.project_documents().count()

    def annotator_usernames(self) -> list[str]:
        """The annotators whose spans are exported, by username."""
        if not self.include_annotations:
            return []
        ids = self.annotations().order_by().values_list("annotator_id", flat=True).distinct()
        return sorted(self.usernames[user_id] for user_id in ids)

    def has_adjudication(self) -> bool:
        """Whether the project has gold spans or reviewed documents (jsonl then has gold)."""
        if not self.include_gold:
            return False
        return (
            GoldAnnotation.objects.filter(project=self.project).exists()
            or ProjectDocument.objects.filter(
                project=self.project, reviewed_at__isnull=False
            ).exists()
        )

    def keeps(self, record: DocumentRecord) -> bool:
        """Whether a document belongs in the export (see ExportFilters)."""
        if not self.filters.restricts_spans:
            return True
        if record.annotations or record.gold or record.gold_no_label:
            return True
        return (
            self.include_gold
            and record.reviewed_at is not None
            and (self.since is None or record.reviewed_at >= self.since)
        )


SPAN_FIELDS = ("document_id", "start", "end", "label_id", "quote")
SPAN_TAIL = ("note", "created_at", "updated_at", "holder_kind", "holder", "cue_start", "cue_end")


class _Merge:
    """Rows grouped by document id, taken in increasing document-id order."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        self._groups = groupby(rows, key=itemgetter(0))
        self._pending = next(self._groups, None)

    def take(self, document_id: int) -> list[tuple]:
        while self._pending is not None and self._pending[0] < document_id:
            self._pending = next(self._groups, None)
        if self._pending is None or self._pending[0] != document_id:
            return []
        rows = list(self._pending[1])
        self._pending = next(self._groups, None)
        return rows


def _chunked(queryset, *fields: str, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple]:
    return queryset.order_by("document_id").values_list(*fields).iterator(chunk_size=chunk_size)


def _spans(rows: list[tuple], plan: ExportPlan, *, by_user: bool) -> list[Span]:
    """Span rows (as SPAN_FIELDS, user id, SPAN_TAIL, and for annotations the suggestion's
    agent and score) in export order.

    Annotators' spans: by start, end, annotator, label; gold: by start, end, label
    (each unique by the database's constraints, so the order never depends on ids).
    """
    labels, usernames = plan.label_names, plan.usernames
    spans = [
        Span(
            start,
            end,
            labels[label],
            quote,
            usernames[user],
            note,
            created,
            updated,
            kind,
            holder,
            cue_start,
            cue_end,
            (suggested[0], suggested[1]) if suggested and suggested[0] is not None else None,
        )
        # SPAN_FIELDS, the user, SPAN_TAIL; then, for annotations, the suggestion's two
        for (
            _,
            start,
            end,
            label,
            quote,
            user,
            note,
            created,
            updated,
            kind,
            holder,
            cue_start,
            cue_end,
            *suggested,
        ) in rows
    ]
    if by_user:
        spans.sort(key=lambda span: (span.start, span.end, span.user, span.label))
    else:
        spans.sort(key=lambda span: (span.start, span.end, span.label))
    return spans


def iter_documents(
    plan: ExportPlan, *, sentences: bool = False, progress=None
) -> Iterator[DocumentRecord]:
    """Every exported document with its spans (and sentences), in document-id order."""
    empty = _Merge(())
    annotations = (
        _Merge(
            _chunked(
                plan.suggested_annotations(),
                *SPAN_FIELDS,
                "annotator_id",
                *SPAN_TAIL,
                "suggestion_agent",
                "suggestion_score",
            )
        )
        if plan.include_annotations
        else empty
    )
    gold = (
        _Merge(_chunked(plan.gold_annotations(), *SPAN_FIELDS, "reviewer_id", *SPAN_TAIL))
        if plan.include_gold
        else empty
    )
    no_label = (
        _Merge(_chunked(plan.gold_no_label(), "document_id", "start", "end"))
        if plan.include_gold
        else empty
    )
    sentence_rows = empty
    if sentences:
        sentence_queryset = Sentence.objects.filter(
            document_id__in=plan.project_documents().values("document_id")
        ).order_by("document_id", "index")
        sentence_rows = _Merge(
            sentence_queryset.values_list("document_id", "index", "start", "end").iterator(
                chunk_size=CHUNK_SIZE
            )
        )
    documents = _chunked(
        plan.project_documents(),
        "document_id",
        "document__text",
        "document__title",
        "document__author",
        "document__url",
        "document__published_on",
        "document__language",
        "document__source_id",
        "reviewed_at",
        "reviewed_by__username",
        chunk_size=DOCUMENT_CHUNK_SIZE,
    )
    sources: dict[int, dict[str, str]] = {}
    for doc_id, text, title, author, url, published, language, source_id, r_at, r_by in documents:
        if source_id not in sources:
            source = plan.sources.get(source_id) or Source.objects.get(pk=source_id)
            sources[source_id] = {
                "name": source.name,
                "kind": source.kind,
                "country": source.country,
                "language": source.language,
            }
        record = DocumentRecord(
            id=doc_id,
            text=text,
            title=title,
            author=author,
            url=url,
            published=published,
            language=language,
            source=sources[source_id],
            reviewed_at=r_at,
            reviewed_by=r_by,
        )
        record.annotations = _spans(annotations.take(doc_id), plan, by_user=True)
        record.gold = _spans(gold.take(doc_id), plan, by_user=False)
        record.gold_no_label = sorted(row[1:] for row in no_label.take(doc_id))
        if sentences:
            record.sentences = [row[1:] for row in sentence_rows.take(doc_id)]
        if progress is not None:
            progress.update(1)
        if plan.keeps(record):
            yield record


def layers(plan: ExportPlan, record: DocumentRecord) -> list[tuple[str | None, bool, list[Span]]]:
    """(user, is_gold, spans) per annotator and for gold; one empty layer if nothing."""
    result: list[tuple[str | None, bool, list[Span]]] = [
        (user, False, spans) for user, spans in sorted(record.annotations_by_user().items())
    ]
    if plan.include_gold and record.adjudicated:
        reviewers = sorted({span.user for span in record.gold if span.user})
        reviewer = record.reviewed_by or (reviewers[0] if reviewers else None)
        result.append((reviewer, True, record.gold))
    if not result:
        result.append((None, False, []))
    return result
