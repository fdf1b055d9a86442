"""The document page's written-out statement (annotator.workspace.page_rows) answers as
the ORM reads it stands for, and so does the undo look-up."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from annotator.access import document_for_member, project_for_member
from annotator.fastpath.statements import latest_events
from annotator.models import AnnotationEvent, Comment, DocumentProgress
from annotator.workspace import selectors
from annotator.workspace.page_rows import document_page_rows
from tests.fastpath.test_written_out_sql import values
from tests.support import factories

pytestmark = pytest.mark.django_db


def orm_rows(user, slug, document_id):
    """The same facts through the ORM (what the page did before)."""
    project, membership = project_for_member(user, slug)
    document = document_for_member(
        project, membership, document_id, done_at=selectors.done_at(project, user)
    )
    progress = DocumentProgress.objects.filter(project=project, annotator=user)
    mine = progress.filter(document=document).first()
    latest = progress.exclude(last_opened_at=None).order_by("-last_opened_at").first()
    return {
        "project": values(project),
        "membership": values(membership),
        "document": values(document),
        "source": values(document.source),
        "done_at": document.done_at,
        "last_opened_at": mine.last_opened_at if mine else None,
        "last_opened_id": latest.document_id if latest else None,
        "progress": selectors.queue_progress(project, membership),
        "commented": Comment.objects.filter(project=project, document=document).exists(),
    }


def written_out(user, slug, document_id):
    rows = document_page_rows(user, slug, document_id)
    assert rows.membership.project is rows.project
    return {
        "project": values(rows.project),
        "membership": values(rows.membership),
        "document": values(rows.document),
        "source": values(rows.document.source),
        "done_at": rows.document.done_at,
        "last_opened_at": rows.last_opened_at,
        "last_opened_id": rows.last_opened_id,
        "progress": rows.progress,
        "commented": rows.commented,
    }


def outcome(read, *args):
    try:
        return read(*args)
    except Http404:
        return "404"


@pytest.mark.parametrize("role", ["annotator", "reviewer", "manager", None])
@pytest.mark.parametrize("assigned", ["nobody", "this user", "someone else"])
@pytest.mark.parametrize("progress", [False, True])
def test_document_page_rows_answer_as_the_orm(role, assigned, progress):
    project = factories.ProjectFactory()
    user, other = factories.UserFactory(), factories.UserFactory()
    if role:
        factories.MembershipFactory(project=project, user=user, role=role)
    factories.MembershipFactory(project=project, user=other)
    document, spare, third = (factories.DocumentFactory() for _ in range(3))
    for linked in (document, spare, third):
        factories.ProjectDocumentFactory(project=project, document=linked)
    elsewhere = factories.DocumentFactory()  # in another project
    factories.ProjectDocumentFactory(document=elsewhere)
    if assigned == "this user":
        for mine in (document, third):
            factories.AssignmentFactory(project=project, document=mine, annotator=user)
        factories.AssignmentFactory(project=project, document=elsewhere, annotator=user)
    elif assigned == "someone else":
        factories.AssignmentFactory(project=project, document=spare, annotator=other)
    if progress:
        now, second = timezone.now(), datetime.timedelta(seconds=1)
        for done, opened_at, done_at in [
            (document, now - 60 * second, now),
            (spare, now + 2 * second, now),  # opened last
            (third, now + second, None),
            (elsewhere, now, now),  # not in this project's queue
        ]:
            DocumentProgress.objects.create(
                project=project,
                document=done,
                annotator=user,
                done_at=done_at,
                last_opened_at=opened_at,
            )
        DocumentProgress.objects.create(
            project=project, document=third, annotator=other, done_at=now
        )
    if progress:  # comments: on this document, and on another in another project
        factories.CommentFactory(project=project, document=document, author=other)
        factories.CommentFactory(document=spare)
    for slug, document_id in (
        (project.slug, document.pk),
        (project.slug, spare.pk),
        (project.slug, elsewhere.pk),
        (project.slug, 10**9),
        ("no-such-project", document.pk),
    ):
        expected = outcome(orm_rows, user, slug, document_id)
        assert outcome(written_out, user, slug, document_id) == expected, (slug, document_id)


def test_undo_events_are_the_orm_query_written_out():
    event = factories.AnnotationEventFactory(after={"quote": "«тихая» 😀", "annotator": 1})
    project, document, actor = event.project, event.document, event.actor
    for n in range(selectors.UNDO_WINDOW + 5):
        factories.AnnotationEventFactory(
            project=project, document=document, actor=actor, after={"n": n}
        )
    factories.AnnotationEventFactory(project=project, actor=actor)  # another document
    orm = AnnotationEvent.objects.filter(project=project, document=document, actor=actor)
    orm = orm.order_by("-id")[: selectors.UNDO_WINDOW]
    rows = latest_events(project.pk, document.pk, actor.pk, selectors.UNDO_WINDOW)
    assert [values(e) for e in rows] == [values(e) for e in orm]
