import pytest

from annotator.access import document_for_member, own_annotation, visible_documents
from annotator.models import Annotation, AnnotationEvent, Membership
from annotator.workspace.annotations import (
    AnnotationRejected,
    annotation_create,
    annotation_delete,
    annotation_update,
)
from annotator.workspace.selectors import neighbour_id, undo_target, visible_annotations
from annotator.workspace.services import (
    OPENED_PRECISION,
    annotation_undo,
    parse_offset,
    progress_opened,
    progress_set_done,
    selection_span,
)
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Смайл 😀 и Токаев считает иначе."


def test_selection_is_checked_then_snapped():
    start = TEXT.index("каев")
    assert selection_span(text=TEXT, start=start, end=start + 4, quote="каев") == (10, 16)
    with pytest.raises(AnnotationRejected, match="does not match the document"):
        selection_span(text=TEXT, start=10, end=16, quote="Токае")
    with pytest.raises(AnnotationRejected, match="only spaces or punctuation"):
        selection_span(text=TEXT, start=30, end=31, quote=".")
    with pytest.raises(AnnotationRejected, match=r"^Offsets 0–99 are outside the text \(0–31\)\.$"):
        selection_span(text=TEXT, start=0, end=99, quote=None)


@pytest.mark.parametrize("value", ["", None, "1.5", "ten", "١٢x"])
def test_offsets_must_be_whole_numbers(value):
    with pytest.raises(AnnotationRejected, match="^Offsets must be whole numbers.$"):
        parse_offset(value)


def test_progress_upsert_and_done():
    progress = factories.DocumentProgressFactory()
    kwargs = {
        "project": progress.project,
        "document": progress.document,
        "annotator": progress.annotator,
    }
    assert progress_opened(**kwargs)
    progress.refresh_from_db()
    assert progress.last_opened_at is not None
    # Already the document opened last, a moment ago: nothing to write.
    opened = {"last_opened_at": progress.last_opened_at, "last_opened_id": progress.document_id}
    assert not progress_opened(**kwargs, **opened)
    # Another document was opened since, or this was long ago: recorded again.
    assert progress_opened(**kwargs, **{**opened, "last_opened_id": progress.document_id + 1})
    earlier = progress.last_opened_at - OPENED_PRECISION
    assert progress_opened(**kwargs, **{**opened, "last_opened_at": earlier})
    progress.refresh_from_db()
    assert progress.last_opened_at > opened["last_opened_at"]
    assert progress_set_done(**kwargs, done=True).done_at is not None
    assert progress_set_done(**kwargs, done=False).done_at is None


@pytest.fixture
def setup():
    project = factories.ProjectFactory()
    document = factories.DocumentFactory(text=TEXT)
    user = factories.UserFactory()
    return project, document, user


def create(project, document, user, start=10, end=16, name="fact"):
    return annotation_create(
        project=project,
        document=document,
        annotator=user,
        label=factories.project_label(project, name),
        start=start,
        end=end,
        quote=TEXT[start:end],
    )


def test_undo_target_skips_undone_changes_and_other_peoples_work(setup):
    project, document, user = setup
    first = create(*setup)
    manager = factories.UserFactory()
    # A manager changing this annotation is not the manager's to undo here, nor the user's.
    annotation_update(
        annotation=first, actor=manager, label=factories.project_label(project, "opinion")
    )
    assert undo_target(project=project, document=document, actor=manager) is None
    target = undo_target(project=project, document=document, actor=user)
    assert (target.action, target.annotation_id) == ("create", first.pk)
    annotation_undo(project=project, document=document, actor=user)
    assert undo_target(project=project, document=document, actor=user) is None
    assert not Annotation.objects.exists()


def test_undo_of_a_delete_restores_the_same_id_and_refuses_a_clash(setup):
    project, document, user = setup
    annotation = create(*setup)
    pk = annotation.pk
    annotation_delete(annotation=annotation, actor=user)
    outcome = annotation_undo(project=project, document=document, actor=user)
    assert outcome.added[0].pk == pk and outcome.ranges == [(10, 16)]
    restored = Annotation.objects.get()
    assert (restored.pk, restored.quote) == (pk, "Токаев")
    event = AnnotationEvent.objects.get(action="restore")
    assert event.after["undo_of"] and event.after["id"] == pk
    # Deleted again, then the same span labelled by other means (no event of this
    # user's): bringing the old one back would duplicate it, so the undo is refused.
    annotation_delete(annotation=restored, actor=user)
    factories.AnnotationFactory(
        project=project, document=document, annotator=user, start=10, end=16
    )
    with pytest.raises(
        AnnotationRejected,
        match=r"^Cannot undo. An identical annotation exists \(same annotator, label and passage",
    ):
        annotation_undo(project=project, document=document, actor=user)
    assert Annotation.objects.count() == 1
    assert AnnotationEvent.objects.filter(action="restore").count() == 1


def test_undo_of_a_delete_after_the_text_changed_says_so(setup):
    project, document, user = setup
    annotation = create(*setup)
    annotation_delete(annotation=annotation, actor=user)
    document.text = "Другой текст документа, совсем не тот, что был."
    document.save()  # no annotation left: the text may change
    with pytest.raises(
        AnnotationRejected,
        match=(
            "^Cannot undo. The document's text no longer matches this annotation, "
            "so it cannot be restored.$"
        ),
    ):
        annotation_undo(project=project, document=document, actor=user)
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.filter(action="restore").exists()


def test_undo_refuses_when_the_annotation_is_gone(setup):
    project, document, user = setup
    annotation = create(*setup)
    Annotation.objects.filter(pk=annotation.pk).delete()  # e.g. removed by a manager
    with pytest.raises(AnnotationRejected, match="that annotation no longer exists"):
        annotation_undo(project=project, document=document, actor=user)


def test_undo_of_a_boundary_change_moves_it_back(setup):
    project, document, user = setup
    annotation = create(*setup)
    annotation_update(annotation=annotation, actor=user, start=10, end=24, quote=TEXT[10:24])
    outcome = annotation_undo(project=project, document=document, actor=user)
    assert outcome.ranges == [(10, 24), (10, 16)]
    assert Annotation.objects.get().quote == "Токаев"


def test_visibility_rules():
    membership = factories.MembershipFactory()
    project, user = membership.project, membership.user
    docs = [factories.ProjectDocumentFactory(project=project).document for _ in range(3)]
    factories.DocumentFactory()  # not in the project
    assert set(visible_documents(project, membership)) == set(docs)
    factories.AssignmentFactory(project=project, document=docs[1], annotator=user)
    assert list(visible_documents(project, membership)) == [docs[1]]
    reviewer = factories.MembershipFactory(project=project, role=Membership.Role.REVIEWER)
    assert set(visible_documents(project, reviewer)) == set(docs)
    with pytest.raises(Exception, match="No Document matches"):
        document_for_member(project, membership, docs[0].pk)
    assert neighbour_id(project, reviewer, docs[0].pk, 1) == docs[1].pk
    assert neighbour_id(project, reviewer, docs[0].pk, -1) is None
    annotation = factories.AnnotationFactory(project=project, document=docs[0], annotator=user)
    with pytest.raises(Exception, match="No Annotation matches"):
        own_annotation(project, membership, annotation.pk)  # its document is not assigned


def test_visible_annotations_in_a_range_and_for_everyone(setup):
    project, document, user = setup
    other = factories.UserFactory(username="aaa-first")
    mine = create(*setup)
    theirs = create(project, document, other, 17, 24, "opinion")
    labels = {label.pk: label for label in project.labels.all()}
    blind = visible_annotations(project=project, document=document, user=user, labels=labels)
    assert [entry.pk for entry in blind.own] == [mine.pk] and blind.annotators == []
    everyone = visible_annotations(
        project=project, document=document, user=user, labels=labels, everyone=True
    )
    assert [span.id for span in everyone.spans] == [mine.pk, theirs.pk]
    assert [span.annotator for span in everyone.spans] == [1, 0]  # styles by username
    assert everyone.annotators == [(0, "aaa-first", 1), (1, user.username, 1)]
    ranged = visible_annotations(
        project=project,
        document=document,
        user=user,
        labels=labels,
        everyone=True,
        start=16,
        end=20,
    )
    assert [span.id for span in ranged.spans] == [theirs.pk]
