"""Projects (annotation campaigns): their documents, members and roles, labels, and each
annotator's assignments and progress.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator.models.corpus import Document, Source
from annotator.validators import validate_colour


class Project(models.Model):
    """An annotation campaign: a set of documents, labels and members."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    guidelines = models.TextField(
        blank=True, help_text=_("Markdown shown to annotators."), verbose_name=_("guidelines")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the default label titles and definitions."),
    )
    show_all_annotations = models.BooleanField(
        default=False,
        help_text=_(
            "Annotation is blind by default. When on, reviewers and managers "
            "can switch to see every annotator's labels."
        ),
        verbose_name=_("show all annotations"),
    )
    suggestions_enabled = models.BooleanField(
        default=True,
        verbose_name=_("suggestions enabled"),
        help_text=_(
            "Show suggested labels in the workspace. Off: nobody in the project sees them "
            "(to compare labels made without suggestions with labels made with them, turn "
            "them off per member instead)."
        ),
    )
    suggestion_threshold = models.FloatField(
        default=0.8,
        verbose_name=_("suggestion threshold"),
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("“Accept all” in the workspace accepts the suggestions scoring this or more."),
    )
    retrain_every = models.PositiveIntegerField(
        default=200,
        verbose_name=_("retrain every"),
        help_text=_(
            "Retrain the learned suggester in the background after this many newly labelled "
            "sentences (counted when a document is marked done); 0: only on demand."
        ),
    )
    labelled_since_training = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("labelled since training")
    )
    documents = models.ManyToManyField(
        Document,
        through="ProjectDocument",
        related_name="projects",
        blank=True,
        verbose_name=_("documents"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="annotation_projects",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
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


class DocumentCopies(models.Model):
    """Copies of the document's source and date, so the profiles group and filter these
    rows without joining documents (kept by annotator.reports.tallies on every recount)."""

    source = models.ForeignKey(
        Source,
        null=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("source"),
    )
    published_on = models.DateField(null=True, editable=False, verbose_name=_("published on"))

    class Meta:
        abstract = True


class ProjectDocument(DocumentCopies):
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="project_documents",
        verbose_name=_("project"),
    )
    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="project_documents",
        verbose_name=_("document"),
    )
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    # Source profiles read stored tallies (DocumentTally): every change to the document's
    # spans bumps labels_version; the tallies are recounted while profiled_version lags.
    labels_version = models.PositiveIntegerField(
        default=1, editable=False, verbose_name=_("labels version")
    )
    profiled_version = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("profiled version")
    )
    text_length = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("text length")
    )

    class Meta:
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")
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
        ANNOTATOR = "annotator", _("Annotator")
        REVIEWER = "reviewer", _("Reviewer")
        MANAGER = "manager", _("Manager")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        max_length=20, choices=Role.choices, default=Role.ANNOTATOR, verbose_name=_("role")
    )
    suggestions = models.BooleanField(
        default=True,
        verbose_name=_("suggestions"),
        help_text=_(
            "Off: this member sees no suggestions (a control group, to measure anchoring "
            "on suggestions)."
        ),
    )
    joined_at = models.DateTimeField(auto_now_add=True, verbose_name=_("joined at"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"

    @property
    def can_review(self) -> bool:
        return self.role in {self.Role.REVIEWER, self.Role.MANAGER}

    @property
    def sees_suggestions(self) -> bool:
        """The project shows suggestions and this member is not in the control group."""
        return self.project.suggestions_enabled and self.suggestions


DEFAULT_LABELS: list[dict[str, Any]] = [
    {
        "name": "fact",
        "title": _("Fact"),
        "color": "#2e7d32",
        "hotkey": "1",
        "neutral": True,
        "description": _(
            "A checkable claim about what happened, is, or was said: events, dates, "
            "figures, who met whom, what a document or person stated. It can be true or "
            "false, but it is presented as verifiable, without the author's judgement. "
            "Example: «Завтра в Казахстан с государственным визитом прибывает президент "
            "России Владимир Путин»."
        ),
    },
    {
        "name": "opinion",
        "title": _("Opinion"),
        "color": "#1565c0",
        "hotkey": "2",
        "description": _(
            "A judgement, evaluation or stance, the author's or one the text reports as "
            "someone's view: words like «считает», «полагает», «важно», «значимый», "
            "praise or blame. Example: «Токаев считает, что для возведения такого "
            "важного и сложного объекта, как АЭС, необходим международный консорциум»."
        ),
    },
    {
        "name": "speculation",
        "title": _("Speculation"),
        "color": "#c62828",
        "hotkey": "3",
        "description": _(
            "A guess about causes, intentions or the future that the text does not "
            "support with evidence: «можно предположить», «возможно», «думается», "
            "«якобы», hidden motives, predictions. Example: «Мы можем предположить, что "
            "январские события 2022 года...»."
        ),
    },
]


class LabelQuerySet(models.QuerySet["Label"]):
    def in_display_order(self) -> LabelQuerySet:
        """Labels as every page, file and hotkey list shows them: by ``order``, then name."""
        return self.order_by("order", "name", "id")


class Label(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="labels", verbose_name=_("project")
    )
    name = models.SlugField(max_length=50, verbose_name=_("name"))
    title = models.CharField(max_length=100, verbose_name=_("title"))
    description = models.TextField(
        blank=True, help_text=_("The definition analysts follow."), verbose_name=_("description")
    )
    color = models.CharField(
        max_length=7,
        default="#888888",
        help_text=_("#rrggbb"),
        validators=[validate_colour],
        verbose_name=_("color"),
    )
    hotkey = models.CharField(max_length=1, blank=True, verbose_name=_("hotkey"))
    order = models.PositiveIntegerField(default=0, verbose_name=_("order"))
    neutral = models.BooleanField(
        default=False,
        help_text=_(
            "The baseline label (e.g. Fact): a source's strongest passages are listed for "
            "every other label. Its name does not matter."
        ),
        verbose_name=_("neutral"),
    )

    objects = LabelQuerySet.as_manager()

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
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
        if (
            self.hotkey
            and self.project_id
            and Label.objects.filter(project_id=self.project_id, hotkey=self.hotkey)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"hotkey": gettext("Hotkey %(key)r is already used here.") % {"key": self.hotkey}}
            )

    @classmethod
    def create_defaults(cls, project: Project) -> list[Label]:
        """The default labels, titled and defined in the project's language (names stay
        the fixed slugs fact, opinion, speculation)."""
        with translation.override(project.language or settings.LANGUAGE_CODE):
            labels = [
                Label(
                    project=project,
                    order=i,
                    **{k: str(v) if isinstance(v, Promise) else v for k, v in spec.items()},
                )
                for i, spec in enumerate(DEFAULT_LABELS)
            ]
        return Label.objects.bulk_create(labels)


class Assignment(models.Model):
    """A document given to an annotator in a project."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("project")
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("document")
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("annotator"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
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

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="progress", verbose_name=_("project")
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="progress", verbose_name=_("document")
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("annotator"),
    )
    last_opened_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last opened at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))

    class Meta:
        verbose_name = _("document progress")
        verbose_name_plural = _("document progress")
        ordering = ["project", "document", "annotator"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "document", "annotator"], name="progress_unique"
            ),
        ]
        indexes = [models.Index(fields=["project", "annotator", "last_opened_at"])]

    def __str__(self) -> str:
        return f"{self.annotator} on {self.document}"
