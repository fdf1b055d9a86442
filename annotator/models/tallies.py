"""Stored per-document counts that the source profiles read (kept by annotator.reports.tallies)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from annotator.models.projects import DocumentCopies, Label, Project, ProjectDocument


class DocumentTally(DocumentCopies):
    """Stored counts of one document's labels, read by the source profiles.

    One set of rows per coder set: each annotator (``annotator``), all annotators together
    (no annotator, not gold: their majority, ``annotator.stats.consensus``) and gold
    (``gold``). ``preferred`` marks the set a profile uses when no annotator is chosen:
    gold where the document has gold, else all annotators. A row with a label holds the
    characters and sentences whose answer is that label; the row without a label holds
    the covered characters, labelled and touched sentences, and the sentences and
    characters on which the annotators are tied. Kept by ``annotator.reports.tallies``:
    never edit by hand.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    item = models.ForeignKey(
        ProjectDocument, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("item")
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("annotator"),
    )
    gold = models.BooleanField(default=False, verbose_name=_("gold"))
    preferred = models.BooleanField(default=False, verbose_name=_("preferred"))
    label = models.ForeignKey(
        Label, null=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("label")
    )
    chars = models.PositiveIntegerField(default=0, verbose_name=_("chars"))
    sentences = models.PositiveIntegerField(default=0, verbose_name=_("sentences"))
    touched = models.PositiveIntegerField(default=0, verbose_name=_("touched"))
    tied = models.PositiveIntegerField(default=0, verbose_name=_("tied"))
    tied_chars = models.PositiveIntegerField(default=0, verbose_name=_("tied chars"))

    class Meta:
        verbose_name = _("document tally")
        verbose_name_plural = _("document tallies")
        indexes = [
            # Covers the profiles' reads: one source's rows, per coder and label, in order.
            models.Index(
                fields=[
                    *("project", "preferred", "source", "annotator", "label", "gold"),
                    *("published_on", "chars", "sentences", "touched", "item"),
                    *("tied", "tied_chars"),
                ],
                name="tally_source",
            ),
            models.Index(fields=["item"], name="tally_item"),
        ]

    def __str__(self) -> str:
        return f"tally of {self.item_id} / {self.label_id}"


class PassageVote(DocumentCopies):
    """A sentence a coder set (see DocumentTally) labelled with a non-neutral label."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    item = models.ForeignKey(
        ProjectDocument, on_delete=models.CASCADE, related_name="+", verbose_name=_("item")
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("annotator"),
    )
    gold = models.BooleanField(default=False, verbose_name=_("gold"))
    preferred = models.BooleanField(default=False, verbose_name=_("preferred"))
    label = models.ForeignKey(
        Label, on_delete=models.CASCADE, related_name="+", verbose_name=_("label")
    )
    sentence = models.PositiveIntegerField(verbose_name=_("sentence"))
    start = models.PositiveIntegerField(verbose_name=_("start"))
    end = models.PositiveIntegerField(verbose_name=_("end"))
    votes = models.PositiveIntegerField(verbose_name=_("votes"))
    coders = models.PositiveIntegerField(verbose_name=_("coders"))

    class Meta:
        verbose_name = _("passage vote")
        verbose_name_plural = _("passage votes")
        indexes = [
            models.Index(fields=["item", "label"], name="passage_item_label"),
            models.Index(
                fields=["project", "preferred", "source", "label", "annotator", "published_on"],
                name="passage_source",
            ),
        ]

    def __str__(self) -> str:
        return f"passage {self.item_id}:{self.sentence} / {self.label_id}"
