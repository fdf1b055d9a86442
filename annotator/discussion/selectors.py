"""Reads behind the discussion: who may read which comment, threads, mentions, reopens.

The one rule of who reads a comment lives here (``readable``): reviewers and managers read
every comment of their project; an annotator reads the comments concerning them (theirs,
and what reviewers said to them), never another annotator's, so discussion cannot break
the blindness between annotators. Mentions follow the same rule: only someone who may
read a comment can be mentioned in it (``mentionable``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from annotator.fastpath.statements import project_members
from annotator.models import Comment, Document, DocumentProgress, Membership, Mention, Project

# «@username» not preceded by a word character (so an e-mail address is no mention).
MENTION = re.compile(r"(?<![\w@])@([\w.+-]*\w)")


def reader_condition(user_id: int, *, reviews: bool, prefix: str = "") -> Q:
    """The rule, inside one project: reviewers and managers (``reviews``) read every
    comment, an annotator the comments concerning them. ``prefix`` reaches the comment
    from another model (``"comment__"`` from a mention)."""
    return Q() if reviews else Q(**{f"{prefix}concerning_id": user_id})


def readable(project: Project, membership: Membership) -> QuerySet[Comment]:
    """The project's comments the member may read."""
    condition = reader_condition(membership.user_id, reviews=membership.can_review)
    return Comment.objects.filter(project=project).filter(condition)


@dataclass
class Thread:
    """A first comment and its replies, oldest first."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def document_threads(project: Project, membership: Membership, document_id: int) -> list[Thread]:
    """The threads on a document the member may read, in the order they were started
    (one query, whatever their number)."""
    comments = readable(project, membership).filter(document_id=document_id)
    threads: dict[int, Thread] = {}
    for comment in comments.select_related("author", "concerning").order_by("id"):
        if comment.parent_id is None:
            threads[comment.pk] = Thread(comment)
        elif comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
    return list(threads.values())


def open_reopen(threads: list[Thread], membership: Membership, done_at) -> Comment | None:
    """The reviewer's latest «reopen» sent to this member on the document, unless they
    have marked it done since."""
    latest = None
    for thread in threads:
        comment = thread.comment
        if comment.kind == Comment.Kind.REOPEN and comment.concerning_id == membership.user_id:
            latest = comment
    if latest is None or (done_at is not None and done_at > latest.created_at):
        return None
    return latest


def members(project: Project) -> list[tuple[str, str, int]]:
    """``(username, role, user id)`` of the project's members, by name: the names the
    comment form offers to mention (and, for reviewers, to address). Written out
    (``fastpath.statements.project_members``): every document page reads it."""
    return project_members(project.pk)


def mentionable(project: Project, concerning_id: int | None) -> dict[str, int]:
    """username -> id of the members who may read a comment concerning ``concerning_id``:
    the reviewers and managers, and the annotator concerned."""
    reviewers = Q(role__in=[Membership.Role.REVIEWER, Membership.Role.MANAGER])
    rows = Membership.objects.filter(project=project).filter(
        reviewers | Q(user_id=concerning_id) if concerning_id else reviewers
    )
    return dict(rows.values_list("user__username", "user_id"))


def mentioned_names(text: str) -> list[str]:
    """The ``@names`` in a comment's text, each once, in order."""
    return list(dict.fromkeys(MENTION.findall(text)))


def user_mentions(user) -> QuerySet[Mention]:
    """The comments naming the user, newest first, with what the list shows: only those
    of projects they are still a member of, and that they may still read."""
    roles = Membership.objects.filter(user=user).values_list("project_id", "role")
    readable_by_user = Q(pk__in=[])
    for project_id, role in roles:
        reviews = role != Membership.Role.ANNOTATOR
        readable_by_user |= Q(comment__project_id=project_id) & reader_condition(
            user.pk, reviews=reviews, prefix="comment__"
        )
    return (
        Mention.objects.filter(user=user)
        .filter(readable_by_user)
        .select_related("comment__author", "comment__project", "comment__document")
        .defer("comment__document__text")
        .order_by("-comment_id")
    )


def unseen_mentions(user) -> int:
    """How many mentions the user has not marked read (the badge)."""
    return user_mentions(user).filter(seen_at__isnull=True).count()


def done_at(project: Project, membership: Membership, document: Document):
    """When the member last marked the document done (None: not done)."""
    progress = DocumentProgress.objects.filter(
        project=project, document=document, annotator_id=membership.user_id
    )
    return progress.values_list("done_at", flat=True).first()


def panel_context(
    project: Project,
    membership: Membership,
    document: Document,
    done_at=None,
    *,
    commented: bool = True,
) -> dict:
    """What ``discussion/_panel.html`` reads: ``threads``, ``members``, ``addressees``
    (the annotators: reviewers address comments and send documents back to them; not
    ``annotators``, which the document page uses for its legend), ``candidates`` (the
    mention list's data: who else is in the project) and ``reopened`` (the reopen sent
    to this member, while it is open: ``done_at`` is when they last marked it done).
    Two queries; one when the caller knows the document has no comment at all
    (``commented=False``)."""
    threads = document_threads(project, membership, document.pk) if commented else []
    everyone = members(project)
    candidates = [
        {"name": name, "id": user_id, "reviews": role != Membership.Role.ANNOTATOR}
        for name, role, user_id in everyone
        if user_id != membership.user_id
    ]
    return {
        "project": project,
        "membership": membership,
        "document": document,
        "threads": threads,
        "members": everyone,
        "addressees": [m for m in everyone if m[1] == Membership.Role.ANNOTATOR],
        "candidates": candidates,
        "reopened": open_reopen(threads, membership, done_at),
    }
