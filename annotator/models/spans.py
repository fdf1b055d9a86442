"""Spans: annotators' labels on passages, gold spans, and the audit trail of every change."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator.models.corpus import Document
from annotator.models.notes import NoteValidationError, check_note
from annotator.models.projects import Label, Project

NO_LABEL = "no label"  # how a gold "no label here" decision is named in words and snapshots


class SpanValidationError(ValidationError):
    """A span does not fit the document's text."""


def check_span(text: str, start: int, end: int, quote: str | None = None) -> None:
    """Validate code-point offsets (and the quote the client saw) against ``text``."""
    if not isinstance(start, int) or not isinstance(end, int):
        raise SpanValidationError(gettext("Offsets must be whole numbers."))
    if start < 0 or end > len(text):
        raise SpanValidationError(
            gettext("Offsets %(start)s–%(end)s are outside the text (0–%(length)s).")
            % {"start": start, "end": end, "length": len(text)}
        )
    if start >= end:
        raise SpanValidationError(gettext("The selection is empty."))
    if quote is not None and text[start:end] != quote:
        raise SpanValidationError(
            gettext(
                "The quoted text does not match the document at these offsets "
                "(the page may be stale: reload it)."
            )
        )


class HolderKind(models.TextChoices):
    """Whose voice a passage is in: the outlet's own, a named or described holder's
    («Токаев», «эксперты», «источник»), or not clear from the text."""

    AUTHOR = "author", _("Author")
    ATTRIBUTED = "attributed", _("Attributed")
    UNCLEAR = "unclear", _("Unclear")


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
            gettext("Unknown holder kind %(kind)r (one of: %(kinds)s).")
            % {"kind": str(holder_kind)[:20], "kinds": ", ".join(HolderKind.values)}
        )
    if not isinstance(holder, str) or len(holder) > HOLDER_MAX_LENGTH:
        raise HolderValidationError(
            gettext("A holder is at most %(max)s characters.") % {"max": HOLDER_MAX_LENGTH}
        )
    if holder != holder.strip():
        raise HolderValidationError(gettext("A holder has no leading or trailing spaces."))
    if holder and holder_kind == HolderKind.AUTHOR:
        raise HolderValidationError(
            gettext(
                "A passage in the author's own voice has no holder: choose attributed or unclear."
            )
        )
    if (cue_start is None) != (cue_end is None):
        raise HolderValidationError(gettext("A cue needs both its start and its end."))
    if cue_start is not None and cue_end is not None:
        if not isinstance(cue_start, int) or not isinstance(cue_end, int):
            raise HolderValidationError(gettext("Cue offsets must be whole numbers."))
        if cue_start < 0 or cue_end > len(text) or cue_start >= cue_end:
            raise HolderValidationError(
                gettext(
                    "Cue offsets %(start)s–%(end)s are not a passage of the text (0–%(length)s)."
                )
                % {"start": cue_start, "end": cue_end, "length": len(text)}
            )


class SpanModel(models.Model):
    """Shared fields and checks of annotators' and gold spans."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    label = models.ForeignKey(
        Label, on_delete=models.RESTRICT, related_name="+", verbose_name=_("label")
    )
    start = models.PositiveIntegerField(verbose_name=_("start"))
    end = models.PositiveIntegerField(verbose_name=_("end"))
    quote = models.TextField(verbose_name=_("quote"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    holder_kind = models.CharField(
        max_length=20,
        choices=HolderKind.choices,
        default=HolderKind.AUTHOR,
        verbose_name=_("holder kind"),
    )
    holder = models.CharField(
        max_length=HOLDER_MAX_LENGTH,
        blank=True,
        help_text=_("Whose opinion or speculation this is, when not the author's (e.g. Токаев)."),
        verbose_name=_("holder"),
    )
    cue_start = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("cue start"))
    cue_end = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("cue end"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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
        # A gold span may have no label (the decision "no label here").
        if self.label_id is not None and self.label.project_id != self.project_id:
            raise ValidationError({"label": gettext("This label belongs to another project.")})

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

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="annotations", verbose_name=_("project")
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="annotations", verbose_name=_("document")
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="annotations",
        verbose_name=_("annotator"),
    )
    label = models.ForeignKey(
        Label, on_delete=models.RESTRICT, related_name="annotations", verbose_name=_("label")
    )

    class Meta:
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
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
            # The holders used in a project, for the holder field's completion: only the
            # spans that have one (most are in the author's voice and have none).
            models.Index(
                fields=["project", "holder"],
                name="annotation_project_holders",
                condition=~Q(holder=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} [{self.start}:{self.end}] by {self.annotator}"


class GoldQuerySet(models.QuerySet["GoldAnnotation"]):
    def labelled(self) -> GoldQuerySet:
        """Gold spans that carry a label (not the "no label here" decisions)."""
        return self.filter(label__isnull=False)


class GoldAnnotation(SpanModel):
    """An adjudicated span: the reviewer's decision, kept apart from annotators' work.

    A gold span without a label (``label`` None) is the decision "no label here": the
    passage was looked at and carries none of the labels. It counts as gold (a sentence it
    covers is decided, and the sentence rule gives it no label), but it is not a labelled
    passage: span exports and character counts leave it out (``labelled()``).
    """

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="gold_annotations",
        verbose_name=_("project"),
    )
    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="gold_annotations",
        verbose_name=_("document"),
    )
    label = models.ForeignKey(  # type: ignore[assignment]  # None: "no label here"
        Label,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="gold_annotations",
        verbose_name=_("label"),
        help_text=_("Empty: the reviewer decided this passage has no label."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="gold_annotations",
        verbose_name=_("reviewer"),
    )
    accepted_from = models.ForeignKey(
        Annotation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gold_copies",
        help_text=_("The annotator's span this gold span was accepted from, if any."),
        verbose_name=_("accepted from"),
    )

    objects = GoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("gold annotation")
        verbose_name_plural = _("gold annotations")
        ordering = ["document", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="gold_start_gte_0"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="gold_start_lt_end"),
            models.UniqueConstraint(
                fields=["project", "document", "label", "start", "end"],
                name="gold_no_duplicate",
            ),
            # NULLs are distinct in the constraint above: "no label" needs its own.
            models.UniqueConstraint(
                fields=["project", "document", "start", "end"],
                condition=Q(label__isnull=True),
                name="gold_no_duplicate_no_label",
            ),
        ]
        indexes = [models.Index(fields=["project", "document"])]

    def __str__(self) -> str:
        return f"gold {self.label or NO_LABEL} [{self.start}:{self.end}]"

    @property
    def label_name(self) -> str:
        """The label's name, or ``NO_LABEL`` for the decision "no label here"."""
        label = self.label if self.label_id is not None else None
        return label.name if label is not None else NO_LABEL


class AnnotationEvent(models.Model):
    """Audit trail: every create, change, delete and restore of an annotation, and of a
    gold span (``gold``: then ``annotation_id`` is the GoldAnnotation's id and the
    snapshots name a ``reviewer`` instead of an ``annotator``)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        RESTORE = "restore", _("Restored")

    annotation_id = models.BigIntegerField(db_index=True, verbose_name=_("annotation id"))
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="annotation_events",
        verbose_name=_("project"),
    )
    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="annotation_events",
        verbose_name=_("document"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="annotation_events",
        verbose_name=_("actor"),
    )
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name=_("action"))
    gold = models.BooleanField(
        default=False, help_text=_("An event of a gold span."), verbose_name=_("gold")
    )
    before = models.JSONField(null=True, blank=True, verbose_name=_("before"))
    after = models.JSONField(null=True, blank=True, verbose_name=_("after"))
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("at"))

    class Meta:
        verbose_name = _("annotation event")
        verbose_name_plural = _("annotation events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["project", "at"]),
            # Undo: the actor's latest events on a document (newest id first).
            models.Index(fields=["project", "document", "actor"]),
        ]

    def __str__(self) -> str:
        kind = "gold span" if self.gold else "annotation"
        return f"{self.get_action_display()} {kind} {self.annotation_id}"
