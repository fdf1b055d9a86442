import pytest

from annotator.corpus.assignments import (
    AssignmentRejected,
    assignment_plan,
    documents_assign,
    documents_mark_reviewed,
    documents_unassign,
)
from annotator.models import Assignment, Membership, ProjectDocument
from tests.support import factories


def plan(documents, annotators, per_document, existing=(), load=None):
    return assignment_plan(
        documents=documents,
        annotators=annotators,
        per_document=per_document,
        existing=set(existing),
        load=load or {},
    )


def test_round_robin_gives_each_document_n_annotators_with_balanced_load():
    pairs = plan(documents=[1, 2, 3, 4, 5], annotators=[10, 20, 30], per_document=2)
    assert pairs == [
        (1, 10),
        (1, 20),
        (2, 30),
        (2, 10),
        (3, 20),
        (3, 30),
        (4, 10),
        (4, 20),
        (5, 30),
        (5, 10),
    ]
    per_annotator = {a: sum(1 for _, b in pairs if b == a) for a in (10, 20, 30)}
    assert per_annotator == {10: 4, 20: 3, 30: 3}


def test_plan_starts_with_the_least_loaded_annotators():
    pairs = plan(documents=[1, 2], annotators=[10, 20], per_document=1, load={10: 5})
    assert pairs == [(1, 20), (2, 20)]


def test_existing_assignments_count_and_are_not_repeated():
    pairs = plan(documents=[1, 2], annotators=[10, 20], per_document=2, existing=[(1, 20)])
    assert pairs == [(1, 10), (2, 20), (2, 10)]


def test_no_number_gives_every_annotator_every_document():
    assert plan(documents=[1, 2], annotators=[10, 20], per_document=None) == [
        (1, 10),
        (1, 20),
        (2, 10),
        (2, 20),
    ]


def test_more_annotators_per_document_than_chosen_is_refused():
    with pytest.raises(AssignmentRejected) as excinfo:
        plan(documents=[1], annotators=[10, 20], per_document=3)
    assert str(excinfo.value) == "Choose at least 3 annotators to give each document 3 of them."


@pytest.fixture
def campaign(db):
    project = factories.ProjectFactory(name="Выборы")
    documents = [factories.ProjectDocumentFactory(project=project).document for _ in range(4)]
    annotators = [
        factories.MembershipFactory(project=project, user__username=name).user
        for name in ("anna", "boris")
    ]
    return project, documents, annotators


def test_documents_assign_writes_the_plan_and_adds_documents_to_the_project(campaign):
    project, documents, annotators = campaign
    outside = factories.DocumentFactory()
    result = documents_assign(
        project=project, documents=[*documents, outside], annotators=annotators, per_document=1
    )
    assert result.assigned == 5
    assert result.added_to_project == 1
    assert ProjectDocument.objects.filter(project=project, document=outside).exists()
    loads = sorted(
        Assignment.objects.filter(project=project).values_list("annotator__username", flat=True)
    )
    assert loads == ["anna", "anna", "anna", "boris", "boris"]
    again = documents_assign(
        project=project, documents=documents, annotators=annotators, per_document=1
    )
    assert again.assigned == 0


def test_documents_assign_refuses_non_annotators_and_writes_nothing(campaign):
    project, documents, annotators = campaign
    reviewer = factories.MembershipFactory(
        project=project, user__username="vera", role=Membership.Role.REVIEWER
    ).user
    stranger = factories.UserFactory(username="gleb")
    outside = factories.DocumentFactory()
    with pytest.raises(AssignmentRejected) as excinfo:
        documents_assign(
            project=project,
            documents=[*documents, outside],
            annotators=[annotators[0], reviewer, stranger],
        )
    assert str(excinfo.value) == "Not annotators in «Выборы»: gleb, vera."
    assert not Assignment.objects.exists()
    assert not ProjectDocument.objects.filter(document=outside).exists()


def test_documents_assign_needs_an_annotator(campaign):
    project, documents, _ = campaign
    with pytest.raises(AssignmentRejected, match="^Choose at least one annotator.$"):
        documents_assign(project=project, documents=documents, annotators=[])


def test_documents_unassign_removes_only_the_chosen_annotators(campaign):
    project, documents, annotators = campaign
    documents_assign(project=project, documents=documents, annotators=annotators)
    assert (
        documents_unassign(project=project, documents=documents[:2], annotators=[annotators[0]])
        == 2
    )
    assert Assignment.objects.count() == 6
    assert documents_unassign(project=project, documents=documents) == 6
    assert not Assignment.objects.exists()


def test_mark_reviewed_keeps_the_first_review(campaign):
    project, documents, annotators = campaign
    other = factories.ProjectDocumentFactory(document=documents[0])
    assert (
        documents_mark_reviewed(documents=documents[:2], reviewer=annotators[0], project=project)
        == 2
    )
    assert documents_mark_reviewed(documents=documents[:2], reviewer=annotators[1]) == 1
    first = ProjectDocument.objects.get(project=project, document=documents[0])
    assert first.reviewed_by == annotators[0]
    other.refresh_from_db()
    assert other.reviewed_by == annotators[1]
    assert other.reviewed_at is not None
