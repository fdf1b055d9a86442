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

from annotator.models.corpus import Document
from annotator.models.projects import Project
from annotator.models.spans import HolderKind


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
        help_text="Empty: the cue applies to every project.",
    )
    phrase = models.CharField(
        max_length=200,
        help_text=(
            "One or more words, matched on their dictionary forms (lemmas): "
            "«предположить», «по мнение», «не исключить». Inflected forms are found too."
        ),
    )
    label = models.SlugField(
        max_length=50, help_text="The name of the label the cue suggests (e.g. speculation)."
    )
    weight = models.FloatField(default=1.0, help_text="How strongly the cue suggests the label.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "label", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["project", "phrase"], name="cue_unique_phrase"),
        ]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.label}"


class Suggestion(models.Model):
    """A suggester's proposal for a passage: a label with its score, or a holder."""

    HolderKind = HolderKind

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="suggestions")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    label = models.ForeignKey(
        "annotator.Label", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    agent = models.CharField(max_length=100, help_text="cues, model, holders, or an API agent.")
    agent_version = models.CharField(max_length=100, blank=True)
    holder_kind = models.CharField(max_length=20, choices=HolderKind.choices, null=True, blank=True)
    holder = models.CharField(max_length=300, null=True, blank=True)
    cue_start = models.PositiveIntegerField(null=True, blank=True)
    cue_end = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="decisions")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestion_decisions"
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    annotation = models.ForeignKey(
        "annotator.Annotation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The annotation an accept created.",
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["suggestion", "annotator"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "annotator"], name="suggestion_decision_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.annotator} {self.verdict} {self.suggestion_id}"
