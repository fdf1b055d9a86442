"""Suggested labels and holders, the annotators' answers to them, and the cue lexicon's
additions that managers make in the admin.

One ``Suggestion`` model serves every suggester (agent ``cues``, ``model``, ``holders``,
and external agents whose predictions arrive through the API): a label suggestion fills
``label``; a holder suggestion fills ``holder_kind``/``holder`` and the cue's offsets.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from annotator.models.corpus import Document
from annotator.models.projects import Project
from annotator.models.spans import HolderKind

# The suggesters this app runs itself; any other ``agent`` is an external model whose
# predictions came through the API.
BUILT_IN_AGENTS = ("cues", "model", "holders")


class Cue(models.Model):
    """A cue added to the lexicon file (``annotator/suggestions/lexicon.json``).

    The file is the seed every project starts with; these rows extend it, for one project
    or (project empty) for all. A row whose phrase is in the file overrides its label and
    weight; an inactive row removes the file's entry.
    """

    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cues",
        help_text=_("Empty: the cue applies to every project."),
        verbose_name=_("project"),
    )
    phrase = models.CharField(
        max_length=200,
        help_text=_(
            "One or more words, matched on their dictionary forms (lemmas): "
            "«предположить», «по мнение», «не исключить». Inflected forms are found too."
        ),
        verbose_name=_("phrase"),
    )
    label = models.SlugField(
        max_length=50,
        help_text=_("The name of the label the cue suggests (e.g. speculation)."),
        verbose_name=_("label"),
    )
    weight = models.FloatField(
        default=1.0,
        help_text=_("How strongly the cue suggests the label."),
        verbose_name=_("weight"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("cue")
        verbose_name_plural = _("cues")
        ordering = ["project", "label", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["project", "phrase"], name="cue_unique_phrase"),
        ]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.label}"


class Suggestion(models.Model):
    """A suggester's proposal for a passage: a label with its score, or a holder."""

    HolderKind = HolderKind

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("project")
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("document")
    )
    start = models.PositiveIntegerField(verbose_name=_("start"))
    end = models.PositiveIntegerField(verbose_name=_("end"))
    quote = models.TextField(verbose_name=_("quote"))
    label = models.ForeignKey(
        "annotator.Label",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("label"),
    )
    score = models.FloatField(verbose_name=_("score"))
    agent = models.CharField(
        max_length=100,
        help_text=_("cues, model, holders, or an API agent."),
        verbose_name=_("agent"),
    )
    agent_version = models.CharField(max_length=100, blank=True, verbose_name=_("agent version"))
    holder_kind = models.CharField(
        max_length=20,
        choices=HolderKind.choices,
        null=True,
        blank=True,
        verbose_name=_("holder kind"),
    )
    holder = models.CharField(max_length=300, null=True, blank=True, verbose_name=_("holder"))
    cue_start = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("cue start"))
    cue_end = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("cue end"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["document", "start", "end", "agent", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="suggestion_start_lt_end"),
        ]
        indexes = [models.Index(fields=["project", "document", "agent"])]

    def __str__(self) -> str:
        return (
            f"{self.agent}: {self.label or self.holder} [{self.start}:{self.end}] {self.score:.2f}"
        )


class SuggestionDecision(models.Model):
    """An annotator's accept or reject of a suggestion (rejections are kept too: the
    accept rate by agent is part of the evaluation)."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("suggestion")
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="suggestion_decisions",
        verbose_name=_("annotator"),
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices, verbose_name=_("verdict"))
    annotation = models.ForeignKey(
        "annotator.Annotation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The annotation an accept created."),
        verbose_name=_("annotation"),
    )
    decided_at = models.DateTimeField(auto_now_add=True, verbose_name=_("decided at"))

    class Meta:
        verbose_name = _("suggestion decision")
        verbose_name_plural = _("suggestion decisions")
        ordering = ["suggestion", "annotator"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "annotator"], name="suggestion_decision_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.annotator} {self.verdict} {self.suggestion_id}"
