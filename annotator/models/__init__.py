"""The domain: sources, documents and their sentences, projects, labels and annotations.

Offsets everywhere are Unicode code points into ``Document.text`` (Python string
indices), never UTF-16 units or bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from annotator.models.notes import NOTE_MAX as NOTE_MAX  # re-exported
from annotator.models.notes import NoteValidationError, check_note


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Source(models.Model):
    """The outlet or channel a text comes from."""

    class Kind(models.TextChoices):
        NEWS_SITE = "news_site", "News site"
        AGENCY = "agency", "News agency"
        TELEGRAM = "telegram", "Telegram channel"
        VK = "vk", "VK page"
        BLOG = "blog", "Blog"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    url = models.URLField(max_length=500, blank=True)
    country = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FrozenTextError(ValidationError):
    """Raised when the text of a document that has annotations would change."""


class Document(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    text = models.TextField(help_text="The exact stored text all annotation offsets point into.")
    text_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(max_length=20, blank=True, default="ru")
    imported_from = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source__name", "published_on", "id"]
        indexes = [models.Index(fields=["source", "published_on"])]

    def __str__(self) -> str:
        return self.title or f"Document {self.pk}"

    def save(self, *args, **kwargs) -> None:
        creating = self._state.adding
        changed = creating or self._stored_text_if_changed() is not None
        self.text_sha256 = text_sha256(self.text)
        super().save(*args, **kwargs)
        if changed:
            self.split_sentences(replace=not creating)
        if not creating:  # its profiles' stored text length, source or date change
            stale = ProjectDocument.objects.filter(document=self)
            if not changed:
                stale = stale.exclude(source_id=self.source_id, published_on=self.published_on)
            stale.update(labels_version=F("labels_version") + 1)

    @property
    def has_annotations(self) -> bool:
        if self.pk is None:
            return False
        return (
            Annotation.objects.filter(document_id=self.pk).exists()
            or GoldAnnotation.objects.filter(document_id=self.pk).exists()
        )

    def clean(self) -> None:
        super().clean()
        if not self.text or not self.text.strip():
            raise ValidationError({"text": "The document text is empty."})
        self._stored_text_if_changed()

    def _stored_text_if_changed(self) -> str | None:
        """The text in the database when ``self.text`` differs from it, else None.

        Raises FrozenTextError when the document has annotations.
        """
        if self.pk is None:
            return None
        stored = Document.objects.filter(pk=self.pk).values_list("text", flat=True).first()
        if stored is None or stored == self.text:
            return None
        if self.has_annotations:
            raise FrozenTextError(
                {"text": "This document has annotations; its text can no longer change."}
            )
        return stored

    def split_sentences(self, *, replace: bool = True) -> list[Sentence]:
        """Store the document's sentences (razdel) with their code-point offsets."""
        if replace:
            self.sentences.all().delete()
        sentences = [
            Sentence(document=self, index=i, start=start, end=end)
            for i, (start, end) in enumerate(sentence_spans(self.text))
        ]
        return Sentence.objects.bulk_create(sentences)


def sentence_spans(text: str) -> Iterable[tuple[int, int]]:
    """Sentence (start, end) code-point offsets; each paragraph is split on its own.

    razdel splits Russian sentences; splitting per line keeps headlines and
    list items from being glued to the next paragraph.
    """
    from razdel import sentenize

    offset = 0
    for line in text.split("\n"):
        if line.strip():
            for sentence in sentenize(line):
                yield offset + sentence.start, offset + sentence.stop
        offset += len(line) + 1


class Sentence(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sentences")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        ordering = ["document", "index"]
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="sentence_unique_index"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="sentence_start_lt_end"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.index} [{self.start}:{self.end}]"

    def text_in(self, document_text: str) -> str:
        return document_text[self.start : self.end]


class Project(models.Model):
    """An annotation campaign: a set of documents, labels and members."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    guidelines = models.TextField(blank=True, help_text="Markdown shown to annotators.")
    show_all_annotations = models.BooleanField(
        default=False,
        help_text=(
            "Annotation is blind by default. When on, reviewers and managers "
            "can switch to see every annotator's labels."
        ),
    )
    documents = models.ManyToManyField(
        Document, through="ProjectDocument", related_name="projects", blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="annotation_projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        creating = self.pk is None
        super().save(*args, **kwargs)
        if creating:
            Label.create_defaults(self)

    def get_absolute_url(self) -> str:
        return reverse("project", kwargs={"slug": self.slug})

    def role_of(self, user) -> str | None:
        if not user.is_authenticated:
            return None
        return (
            Membership.objects.filter(project=self, user=user)
            .values_list("role", flat=True)
            .first()
        )


class DocumentCopies(models.Model):
    """Copies of the document's source and date, so the profiles group and filter these
    rows without joining documents (kept by annotator.reports.tallies on every recount)."""

    source = models.ForeignKey(
        "Source",
        null=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    published_on = models.DateField(null=True, editable=False)

    class Meta:
        abstract = True


class ProjectDocument(DocumentCopies):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_documents")
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="project_documents"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Source profiles read stored tallies (DocumentTally): every change to the document's
    # spans bumps labels_version; the tallies are recounted while profiled_version lags.
    labels_version = models.PositiveIntegerField(default=1, editable=False)
    profiled_version = models.PositiveIntegerField(default=0, editable=False)
    text_length = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["project", "document"]
        constraints = [
            models.UniqueConstraint(fields=["project", "document"], name="project_document_unique"),
        ]
        indexes = [
            models.Index(
                fields=["project", "source", "document", "published_on", "text_length"],
                name="item_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} / {self.document}"


class Membership(models.Model):
    class Role(models.TextChoices):
        ANNOTATOR = "annotator", "Annotator"
        REVIEWER = "reviewer", "Reviewer"
        MANAGER = "manager", "Manager"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANNOTATOR)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"

    @property
    def can_review(self) -> bool:
        return self.role in {self.Role.REVIEWER, self.Role.MANAGER}


DEFAULT_LABELS = [
    {
        "name": "fact",
        "title": "Fact",
        "color": "#2e7d32",
        "hotkey": "1",
        "description": (
            "A checkable claim about what happened, is, or was said: events, dates, "
            "figures, who met whom, what a document or person stated. It can be true or "
            "false, but it is presented as verifiable, without the author's judgement. "
            "Example: «Завтра в Казахстан с государственным визитом прибывает президент "
            "России Владимир Путин»."
        ),
    },
    {
        "name": "opinion",
        "title": "Opinion",
        "color": "#1565c0",
        "hotkey": "2",
        "description": (
            "A judgement, evaluation or stance, the author's or one the text reports as "
            "someone's view: words like «считает», «полагает», «важно», «значимый», "
            "praise or blame. Example: «Токаев считает, что для возведения такого "
            "важного и сложного объекта, как АЭС, необходим международный консорциум»."
        ),
    },
    {
        "name": "speculation",
        "title": "Speculation",
        "color": "#c62828",
        "hotkey": "3",
        "description": (
            "A guess about causes, intentions or the future that the text does not "
            "support with evidence: «можно предположить», «возможно», «думается», "
            "«якобы», hidden motives, predictions. Example: «Мы можем предположить, что "
            "январские события 2022 года...»."
        ),
    },
]


class Label(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.SlugField(max_length=50)
    title = models.CharField(max_length=100)
    description = models.TextField(blank=True, help_text="The definition analysts follow.")
    color = models.CharField(max_length=7, default="#888888", help_text="#rrggbb")
    hotkey = models.CharField(max_length=1, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="label_unique_name"),
            models.UniqueConstraint(
                fields=["project", "hotkey"],
                condition=~Q(hotkey=""),
                name="label_unique_hotkey",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.name

    def clean(self) -> None:
        super().clean()
        import re

        if self.color and not re.fullmatch(r"#[0-9a-fA-F]{6}", self.color):
            raise ValidationError({"color": "Use a colour like #1565c0."})
        if (
            self.hotkey
            and self.project_id
            and Label.objects.filter(project_id=self.project_id, hotkey=self.hotkey)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"hotkey": f"Hotkey {self.hotkey!r} is already used here."})

    @classmethod
    def create_defaults(cls, project: Project) -> list[Label]:
        return cls.objects.bulk_create(
            [cls(project=project, order=i, **spec) for i, spec in enumerate(DEFAULT_LABELS)]
        )


class Assignment(models.Model):
    """A document given to an annotator in a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "document", "annotator"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "document", "annotator"], name="assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.annotator}"


class DocumentProgress(models.Model):
    """One annotator's state on one document: last opened, marked done."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="progress")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    last_opened_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "document", "annotator"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "document", "annotator"], name="progress_unique"
            ),
        ]
        indexes = [models.Index(fields=["project", "annotator", "last_opened_at"])]

    def __str__(self) -> str:
        return f"{self.annotator} on {self.document}"


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
        try:
            check_note(self.note)
        except NoteValidationError as exc:
            raise ValidationError({"note": exc.messages}) from exc
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


class DocumentTally(DocumentCopies):
    """Stored counts of one document's labels, read by the source profiles.

    One set of rows per coder: each annotator (``annotator``), all annotators together
    (no annotator, not gold) and gold (``gold``). ``preferred`` marks the set a profile
    uses when no annotator is chosen: gold where the document has gold, else all
    annotators. A row with a label holds that label's characters and sentence labels; the
    row without a label holds the covered characters, labelled and touched sentences.
    Kept by ``annotator.reports.tallies``: never edit by hand.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ProjectDocument, on_delete=models.CASCADE, related_name="tallies")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    gold = models.BooleanField(default=False)
    preferred = models.BooleanField(default=False)
    label = models.ForeignKey(Label, null=True, on_delete=models.CASCADE, related_name="+")
    chars = models.PositiveIntegerField(default=0)
    sentences = models.PositiveIntegerField(default=0)
    touched = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            # Covers the profiles' GROUP BY: one source's rows, per coder and label, in order.
            models.Index(
                fields=[
                    *("project", "preferred", "source", "annotator", "label", "gold"),
                    *("published_on", "chars", "sentences", "touched", "item"),
                ],
                name="tally_source",
            ),
            models.Index(fields=["item"], name="tally_item"),
        ]

    def __str__(self) -> str:
        return f"tally of {self.item_id} / {self.label_id}"


class PassageVote(DocumentCopies):
    """A sentence a coder set (see DocumentTally) labelled with a non-neutral label."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ProjectDocument, on_delete=models.CASCADE, related_name="+")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    gold = models.BooleanField(default=False)
    preferred = models.BooleanField(default=False)
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+")
    sentence = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    votes = models.PositiveIntegerField()
    coders = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["item", "label"], name="passage_item_label"),
            models.Index(
                fields=["project", "preferred", "source", "label", "annotator", "published_on"],
                name="passage_source",
            ),
        ]

    def __str__(self) -> str:
        return f"passage {self.item_id}:{self.sentence} / {self.label_id}"
