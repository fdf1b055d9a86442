"""Comments on a document or a passage of it, threaded, with mentions of project members.

A comment is about one annotator's work (``concerning``) or, when ``concerning`` is empty,
for the project's reviewers and managers only. Who may read it follows from that one
field (``annotator.discussion.selectors.visible_comments``): reviewers and managers read
every comment, an annotator only the comments concerning them, so annotators never read
what is said about each other's spans. A reply belongs to its thread's first comment and
takes its document, passage and ``concerning`` from it.

A *reopen* comment is a reviewer sending the document back to the annotator concerned:
the document is reopened for them until they mark it done again after it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from annotator.models.corpus import Document
from annotator.models.projects import Project

COMMENT_MAX = 5000


class Comment(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        REOPEN = "reopen", _("Sent back")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    concerning = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments_concerning",
        help_text=_("The annotator whose work this is about; empty: reviewers and managers only."),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    # The passage, as code-point offsets into Document.text; both empty: the whole document.
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True)
    text = models.TextField(max_length=COMMENT_MAX)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["project", "document", "concerning"], name="comment_document"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(start__isnull=True) & models.Q(end__isnull=True))
                | models.Q(start__isnull=False, end__isnull=False, start__lt=models.F("end")),
                name="comment_passage_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.document_id}: {self.text[:40]}"


class Mention(models.Model):
    """A project member named with ``@username`` in a comment; ``seen_at`` once read."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-comment_id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="mention_unique"),
        ]
        indexes = [models.Index(fields=["user", "seen_at"], name="mention_unseen")]

    def __str__(self) -> str:
        return f"@{self.user} in comment {self.comment_id}"
