import pytest

from annotator.models import Annotation, AnnotationEvent
from annotator.workspace.annotations import (
    AnnotationRejected,
    annotation_create,
    annotation_delete,
    annotation_update,
)
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    project = factories.ProjectFactory()
    document = factories.DocumentFactory(text="Смайл 😀 и Токаев считает иначе.")
    user = factories.UserFactory()
    return project, document, user


def create(project, document, user, **overrides):
    values = {
        "project": project,
        "document": document,
        "annotator": user,
        "label": factories.project_label(project, "opinion"),
        "start": 10,
        "end": 16,
        "quote": "Токаев",
    }
    return annotation_create(**{**values, **overrides})


def test_create_stores_code_point_span_and_audit_event(setup):
    annotation = create(*setup)
    assert annotation.quote == "Токаев"
    event = AnnotationEvent.objects.get()
    assert event.action == "create"
    assert event.after["label"] == "opinion"
    assert event.after["start"] == 10


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": 10, "end": 99, "quote": None}, "Offsets 10–99 are outside the text (0–31)."),
        ({"start": 10, "end": 10, "quote": ""}, "The selection is empty."),
        ({"quote": "Путин"}, "The quoted text does not match the document at these offsets"),
    ],
)
def test_create_rejects_bad_spans_and_writes_nothing(setup, overrides, message):
    with pytest.raises(AnnotationRejected) as excinfo:
        create(*setup, **overrides)
    assert str(excinfo.value).startswith(message)
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()


def test_create_rejects_label_of_another_project(setup):
    other = factories.ProjectFactory()
    with pytest.raises(AnnotationRejected, match="This label belongs to another project."):
        create(*setup, label=factories.project_label(other))
    assert not Annotation.objects.exists()


def test_exact_duplicate_is_rejected_but_overlap_is_kept(setup):
    create(*setup)
    with pytest.raises(AnnotationRejected, match="already have this label"):
        create(*setup)
    create(*setup, label=factories.project_label(setup[0], "fact"))
    create(*setup, start=10, end=24, quote="Токаев считает")
    assert Annotation.objects.count() == 3
    assert AnnotationEvent.objects.count() == 3


def test_update_records_before_and_after(setup):
    project, document, user = setup
    annotation = create(*setup)
    annotation_update(
        annotation=annotation, actor=user, label=factories.project_label(project, "fact"), note="n"
    )
    event = AnnotationEvent.objects.get(action="update")
    assert (event.before["label"], event.after["label"]) == ("opinion", "fact")
    assert event.after["note"] == "n"


def test_update_rejects_bad_boundaries_and_keeps_old(setup):
    annotation = create(*setup)
    with pytest.raises(AnnotationRejected):
        annotation_update(annotation=annotation, actor=setup[2], start=20, end=5)
    annotation.refresh_from_db()
    assert (annotation.start, annotation.end) == (10, 16)


def test_delete_returns_snapshot_and_records_it(setup):
    annotation = create(*setup)
    snapshot = annotation_delete(annotation=annotation, actor=setup[2])
    assert snapshot["quote"] == "Токаев"
    assert not Annotation.objects.exists()
    assert AnnotationEvent.objects.get(action="delete").before == snapshot
