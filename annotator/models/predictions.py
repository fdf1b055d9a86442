"""A model's predicted spans (pushed through the API), kept apart from annotators' work.

As Label Studio predictions and Argilla suggestions carry them: a label on a passage, a
score and the agent (model) that made it. Annotators will see them as suggestions; they
never count as anyone's annotation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from annotator.models.corpus import Document
from annotator.models.projects import Label, Project


class Prediction(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="predictions")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="predictions")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="predictions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    score = models.FloatField(null=True, blank=True)
    agent = models.CharField(max_length=200, help_text='The model that made it, e.g. "my-bert-v3".')
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="prediction_start_lt_end"),
        ]
        indexes = [
            models.Index(fields=["project", "document"]),
            models.Index(fields=["project", "agent"]),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.label} [{self.start}:{self.end}]"
