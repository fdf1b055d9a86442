"""Spans: annotators' labels on passages, gold spans, and the audit trail of every change."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from annotator.models.corpus import Document
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


class SpanModel(models.Model):
    """Shared fields and checks of annotators' and gold spans."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    label = models.ForeignKey(Label, on_delete=models.RESTRICT, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    note = models.TextField(blank=True)
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


class GoldEvent(models.Model):
    """Audit trail of the gold standard: every add, change, removal and undo of a gold span.

    Kept apart from ``AnnotationEvent``: gold ids and annotation ids are separate
    sequences, so one table would mix up their histories. ``before``/``after`` are
    snapshots (``annotator.review.services.gold_snapshot``); ``after`` may carry
    ``"batch"`` (one action that wrote several spans, undone together) and ``"undo_of"``
    (the event an undo reverted).
    """

    Action = AnnotationEvent.Action

    gold_id = models.BigIntegerField(db_index=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gold_events")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="gold_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="gold_events",
    )
    action = models.CharField(max_length=10, choices=AnnotationEvent.Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # Undo: the reviewer's latest gold events on a document (newest id first).
            models.Index(fields=["project", "document", "actor"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} gold span {self.gold_id}"
