"""Sources, documents and their sentences: the corpus every project draws from.

Offsets everywhere are Unicode code points into ``Document.text`` (Python string
indices), never UTF-16 units or bytes.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator.text.sentences import sentence_spans


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Source(models.Model):
    """The outlet or channel a text comes from."""

    class Kind(models.TextChoices):
        NEWS_SITE = "news_site", _("News site")
        AGENCY = "agency", _("News agency")
        TELEGRAM = "telegram", _("Telegram channel")
        VK = "vk", _("VK page")
        BLOG = "blog", _("Blog")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.OTHER, verbose_name=_("kind")
    )
    url = models.URLField(max_length=500, blank=True, verbose_name=_("URL"))
    country = models.CharField(max_length=100, blank=True, verbose_name=_("country"))
    language = models.CharField(max_length=20, blank=True, verbose_name=_("language"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FrozenTextError(ValidationError):
    """Raised when the text of a document that has annotations would change."""


class Document(models.Model):
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="documents", verbose_name=_("source")
    )
    title = models.CharField(max_length=500, blank=True, verbose_name=_("title"))
    author = models.CharField(max_length=200, blank=True, verbose_name=_("author"))
    published_on = models.DateField(null=True, blank=True, verbose_name=_("published on"))
    url = models.URLField(max_length=500, blank=True, verbose_name=_("URL"))
    text = models.TextField(
        help_text=_("The exact stored text all annotation offsets point into."),
        verbose_name=_("text"),
    )
    text_sha256 = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("text SHA-256")
    )
    language = models.CharField(max_length=20, blank=True, default="ru", verbose_name=_("language"))
    imported_from = models.CharField(max_length=500, blank=True, verbose_name=_("imported from"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["source__name", "published_on", "id"]
        indexes = [models.Index(fields=["source", "published_on"])]

    # What every page calls a document without a title (the workspace and the admin alike).
    UNTITLED = "Untitled document"

    def __str__(self) -> str:
        return self.title or self.UNTITLED

    def save(self, *args, **kwargs) -> None:
        creating = self._state.adding
        changed = creating or self._stored_text_if_changed() is not None
        self.text_sha256 = text_sha256(self.text)
        super().save(*args, **kwargs)
        if changed:
            self.split_sentences(replace=not creating)
        if not creating:  # its profiles' stored text length, source or date change
            stale = self.project_documents.all()
            if not changed:
                stale = stale.exclude(source_id=self.source_id, published_on=self.published_on)
            stale.update(labels_version=F("labels_version") + 1)

    @property
    def has_annotations(self) -> bool:
        if self.pk is None:
            return False
        return self.annotations.exists() or self.gold_annotations.exists()

    def clean(self) -> None:
        super().clean()
        if not self.text or not self.text.strip():
            raise ValidationError({"text": gettext("The document text is empty.")})
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


class Sentence(models.Model):
    # No index of its own: the unique (document, index) index leads with the document.
    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="sentences",
        db_index=False,
        verbose_name=_("document"),
    )
    index = models.PositiveIntegerField(verbose_name=_("index"))
    start = models.PositiveIntegerField(verbose_name=_("start"))
    end = models.PositiveIntegerField(verbose_name=_("end"))

    class Meta:
        verbose_name = _("sentence")
        verbose_name_plural = _("sentences")
        ordering = ["document", "index"]
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="sentence_unique_index"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="sentence_start_lt_end"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.index} [{self.start}:{self.end}]"
