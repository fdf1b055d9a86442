"""Writes of the discussion: a comment (or a reply), a reopen, mentions marked read.

Each checks what the view cannot: that the passage is in the text, that the annotator
addressed is a member, that everyone mentioned may read the comment. A refusal raises
``CommentRejected`` with the reason and writes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotator.discussion.selectors import mentionable, mentioned_names
from annotator.errors import Rejected
from annotator.models import (
    COMMENT_MAX,
    Comment,
    Document,
    DocumentProgress,
    Membership,
    Mention,
    Project,
    SpanValidationError,
    check_span,
)


class CommentRejected(Rejected):
    """A comment that cannot be stored; the message says why."""


def _check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise CommentRejected(_("Write something first: the comment is empty."))
    if len(text) > COMMENT_MAX:
        raise CommentRejected(
            _("The comment is too long (at most %(max)s characters).") % {"max": COMMENT_MAX}
        )
    if "\x00" in text:
        raise CommentRejected(_("The comment contains a NUL character (U+0000); remove it."))
    return text


def _mentions(project: Project, concerning_id: int | None, text: str) -> list[int]:
    """The ids of the members mentioned; refused if one of them may not read the comment."""
    names = mentioned_names(text)
    if not names:
        return []
    allowed = mentionable(project, concerning_id)
    missing = [name for name in names if name not in allowed]
    if missing:
        raise CommentRejected(
            _(
                "%(names)s cannot read this comment: mention reviewers, managers "
                "or the annotator it concerns."
            )
            % {"names": ", ".join(f"@{name}" for name in missing)}
        )
    return [allowed[name] for name in names]


def _concerning(project: Project, membership: Membership, concerning_id: int | None):
    """Who the comment is about: an annotator's own comment is about them; a reviewer
    names an annotator of the project, or nobody (reviewers and managers only)."""
    if not membership.can_review:
        return membership.user_id
    if concerning_id is None:
        return None
    member = Membership.objects.filter(project=project, user_id=concerning_id).first()
    if member is None or member.can_review:
        raise CommentRejected(_("Address the comment to an annotator of this project."))
    return concerning_id


def comment_create(
    *,
    project: Project,
    membership: Membership,
    document: Document,
    text: str,
    parent: Comment | None = None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    concerning_id: int | None = None,
    kind: str = Comment.Kind.COMMENT,
) -> Comment:
    """A new comment on the document (or its passage ``[start, end)``, code points), or a
    reply to ``parent`` (a comment the member may read), with its mentions."""
    text = _check_text(text)
    if parent is not None:
        if parent.parent_id is not None:
            parent = parent.parent
        assert parent is not None
        concerning: int | None = parent.concerning_id
        start, end, passage = parent.start, parent.end, ""
    else:
        concerning = _concerning(project, membership, concerning_id)
        passage = ""
        if start is not None or end is not None:
            try:
                check_span(document.text, start, end, quote)  # type: ignore[arg-type]
            except SpanValidationError as exc:
                raise CommentRejected(exc.messages[0]) from exc
            passage = document.text[start:end]
    mentioned = _mentions(project, concerning, text)
    with transaction.atomic():
        comment = Comment.objects.create(
            project=project,
            document=document,
            author_id=membership.user_id,
            concerning_id=concerning,
            parent=parent,
            kind=kind,
            start=start,
            end=end,
            quote=passage,
            text=text,
        )
        Mention.objects.bulk_create(
            [
                Mention(comment=comment, user_id=user_id)
                for user_id in mentioned
                if user_id != membership.user_id
            ]
        )
    return comment


def document_reopen(
    *,
    project: Project,
    membership: Membership,
    document: Document,
    annotator_id: int | None,
    text: str,
) -> Comment:
    """A reviewer sends the document back to an annotator with a comment: it is no longer
    marked done for them, and their queue shows it reopened with the comment."""
    if not membership.can_review:
        raise CommentRejected(_("Only reviewers and managers can send a document back."))
    if annotator_id is None:
        raise CommentRejected(_("Choose the annotator to send the document back to."))
    with transaction.atomic():
        comment = comment_create(
            project=project,
            membership=membership,
            document=document,
            text=text,
            concerning_id=annotator_id,
            kind=Comment.Kind.REOPEN,
        )
        DocumentProgress.objects.filter(
            project=project, document=document, annotator_id=annotator_id
        ).update(done_at=None)
    return comment


def mentions_mark_read(*, user) -> int:
    """Mark every unread mention of the user read; returns how many."""
    return Mention.objects.filter(user=user, seen_at__isnull=True).update(seen_at=timezone.now())
