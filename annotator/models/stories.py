"""Stories: documents of several outlets on one event, so their profiles can be compared."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator.models.corpus import Document


class Story(models.Model):
    """An event or story the corpus covers from several outlets (e.g. one state visit).

    Stories group documents of the corpus, not of one project: the same articles can be
    annotated in several projects, and each project's Sources page filters to the story.
    """

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    date_from = models.DateField(
        null=True, blank=True, help_text=_("When the story began."), verbose_name=_("date from")
    )
    date_to = models.DateField(
        null=True, blank=True, help_text=_("When the story ended."), verbose_name=_("date to")
    )
    documents = models.ManyToManyField(
        Document, related_name="stories", blank=True, verbose_name=_("documents")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__isnull=True)
                | Q(date_to__isnull=True)
                | Q(date_from__lte=F("date_to")),
                name="story_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationError({"date_to": gettext("The story ends before it begins.")})
