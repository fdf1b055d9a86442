"""Spans: annotators' labels on passages, gold spans, and the audit trail of every change."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from annotator.models.corpus import Document
from annotator.models.notes import NoteValidationError, check_note
from annotator.models.projects import Label, Project


class SpanValidationError(ValidationError):
    """A span does not fit the document's text."""


def check_span(text: str, start: int, end: int, quote: str | None = None) -> None:
    """Validate code-point offsets (and the quote the client saw) against ``text``."""
    if not isinstance(start, int) or not isinstance(end, int):
        raise SpanValidationError("Offsets must be whole numbers.")
    if start < 0 or end > len(text):
        raise SpanValidationError(f"Offsets {start}–{end} are outside the text (0–{len(text)}).")
    if start >= end:
        raise SpanValidationError("The selection is empty.")
    if quote is not None and text[start:end] != quote:
        raise SpanValidationError(
            "The quoted text does not match the document at these offsets "
            "(the page may be stale: reload it)."
        )


class HolderKind(models.TextChoices):
    """Whose voice a passage is in: the outlet's own, a named or described holder's
    («Токаев», «эксперты», «источник»), or not clear from the text."""

    AUTHOR = "author", "Author"
    ATTRIBUTED = "attributed", "Attributed"
    UNCLEAR = "unclear", "Unclear"


HOLDER_MAX_LENGTH = 300


class HolderValidationError(ValidationError):
    """A holder (kind, name or cue) that does not fit the span or the text."""


def check_holder(
    text: str, holder_kind: str, holder: str, cue_start: int | None, cue_end: int | None
) -> None:
    """Validate a span's holder: a known kind, a holder name only when the voice is not
    the author's, and a cue (both offsets or neither) inside ``text``."""
    if holder_kind not in HolderKind.values:
        raise HolderValidationError(
            f"Unknown holder kind {str(holder_kind)[:20]!r} "
            f"(one of: {', '.join(HolderKind.values)})."
        )
    if not isinstance(holder, str) or len(holder) > HOLDER_MAX_LENGTH:
        raise HolderValidationError(f"A holder is at most {HOLDER_MAX_LENGTH} characters.")
    if holder != holder.strip():
        raise HolderValidationError("A holder has no leading or trailing spaces.")
    if holder and holder_kind == HolderKind.AUTHOR:
        raise HolderValidationError(
            "A passage in the author's own voice has no holder: choose attributed or unclear."
        )
    if (cue_start is None) != (cue_end is None):
        raise HolderValidationError("A cue needs both its start and its end.")
    if cue_start is not None and cue_end is not None:
        if not isinstance(cue_start, int) or not isinstance(cue_end, int):
            raise HolderValidationError("Cue offsets must be whole numbers.")
        if cue_start < 0 or cue_end > len(text) or cue_start >= cue_end:
            raise HolderValidationError(
                f"Cue offsets {cue_start}–{cue_end} are not a passage of the text (0–{len(text)})."
            )


class SpanModel(models.Model):
    """Shared fields and checks of annotators' and gold spans."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    label = models.ForeignKey(Label, on_delete=models.RESTRICT, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    note = models.TextField(blank=True)
    holder_kind = models.CharField(
        max_length=20, choices=HolderKind.choices, default=HolderKind.AUTHOR
    )
    holder = models.CharField(
        max_length=HOLDER_MAX_LENGTH,
        blank=True,
        help_text="Whose opinion or speculation this is, when not the author's (e.g. Токаев).",
    )
    cue_start = models.PositiveIntegerField(null=True, blank=True)
    cue_end = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.check_against_text(self.document.text)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.check_against_text(self.document.text)
        try:
            check_note(self.note)
        except NoteValidationError as exc:
            raise ValidationError({"note": exc.messages}) from exc
        try:
            check_holder(
                self.document.text, self.holder_kind, self.holder, self.cue_start, self.cue_end
            )
        except HolderValidationError as exc:
            raise ValidationError({"holder": exc.messages}) from exc
        if self.label.project_id != self.project_id:
            raise ValidationError({"label": "This label belongs to another project."})

    def check_against_text(self, text: str) -> None:
        check_span(text, self.start, self.end, self.quote)

    def changed_span(
        self, *, label: Label | None = None, start: int | None = None, end: int | None = None
    ) -> tuple[Label, int, int]:
        """The label and boundaries after a change; None keeps the current value."""
        return (
            label or self.label,
            self.start if start is None else start,
            self.end if end is None else end,
        )


class Annotation(SpanModel):
    """One annotator's label on a span of a document."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="annotations")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="annotations")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="annotations"
    )
    label = models.ForeignKey(Label, on_delete=models.RESTRICT, related_name="annotations")

    class Meta:
        ordering = ["document", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="annotation_start_gte_0"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="annotation_start_lt_end"),
            models.UniqueConstraint(
                fields=["document", "annotator", "label", "start", "end"],
                name="annotation_no_duplicate",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "document", "annotator"]),
            models.Index(fields=["project", "annotator", "updated_at"]),
            models.Index(fields=["project", "label"]),
        ]

    def __str__(self) -> str:
        return f"{self.label} [{self.start}:{self.end}] by {self.annotator}"


class GoldAnnotation(SpanModel):
    """An adjudicated span: the reviewer's decision, kept apart from annotators' work."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gold_annotations")
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="gold_annotations"
    )
    label = models.ForeignKey(Label, on_delete=models.RESTRICT, related_name="gold_annotations")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="gold_annotations",
    )
    accepted_from = models.ForeignKey(
        Annotation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gold_copies",
        help_text="The annotator's span this gold span was accepted from, if any.",
    )

    class Meta:
        ordering = ["document", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="gold_start_gte_0"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="gold_start_lt_end"),
            models.UniqueConstraint(
                fields=["project", "document", "label", "start", "end"],
                name="gold_no_duplicate",
            ),
        ]
        indexes = [models.Index(fields=["project", "document"])]

    def __str__(self) -> str:
        return f"gold {self.label} [{self.start}:{self.end}]"


class AnnotationEvent(models.Model):
    """Audit trail: every create, change, delete and restore of an annotation."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        RESTORE = "restore", "Restored"

    annotation_id = models.BigIntegerField(db_index=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="annotation_events")
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="annotation_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="annotation_events",
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["project", "at"]),
            # Undo: the actor's latest events on a document (newest id first).
            models.Index(fields=["project", "document", "actor"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} annotation {self.annotation_id}"
