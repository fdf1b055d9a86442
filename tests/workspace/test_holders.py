"""Holders on annotations and gold spans: whose voice a passage is in, checked in the one
span-check home (``check_annotation``), accepted by the endpoints, kept by the audit trail,
undo and gold."""

import pytest
from django.urls import reverse

from annotator.models import Annotation, AnnotationEvent, GoldAnnotation
from annotator.review.services import gold_accept, gold_update
from annotator.workspace.annotations import (
    AnnotationRejected,
    annotation_create,
    annotation_update,
)
from annotator.workspace.services import annotation_undo
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Президент Касым-Жомарт Токаев считает, что нужен консорциум."
CUE = (TEXT.index("считает"), TEXT.index("считает") + len("считает"))


@pytest.fixture
def setup():
    project = factories.ProjectFactory(slug="kz")
    document = factories.DocumentFactory(text=TEXT)
    factories.ProjectDocumentFactory(project=project, document=document)
    user = factories.MembershipFactory(project=project).user
    return project, document, user


def create(project, document, user, **overrides):
    start = TEXT.index("нужен")
    values = {
        "project": project,
        "document": document,
        "annotator": user,
        "label": factories.project_label(project, "opinion"),
        "start": start,
        "end": len(TEXT) - 1,
        "quote": TEXT[start:-1],
    }
    return annotation_create(**{**values, **overrides})


def test_a_new_span_is_in_the_authors_voice_by_default(setup):
    annotation = create(*setup)
    assert (annotation.holder_kind, annotation.holder) == ("author", "")
    assert (annotation.cue_start, annotation.cue_end) == (None, None)


def test_holder_and_cue_are_stored_and_recorded(setup):
    annotation = create(
        *setup,
        holder_kind="attributed",
        holder="Касым-Жомарт Токаев",
        cue_start=CUE[0],
        cue_end=CUE[1],
    )
    annotation.refresh_from_db()
    assert (annotation.holder_kind, annotation.holder) == ("attributed", "Касым-Жомарт Токаев")
    assert TEXT[annotation.cue_start : annotation.cue_end] == "считает"
    after = AnnotationEvent.objects.get().after
    assert after["holder_kind"] == "attributed"
    assert after["holder"] == "Касым-Жомарт Токаев"
    assert (after["cue_start"], after["cue_end"]) == CUE


@pytest.mark.parametrize(
    ("holder", "message"),
    [
        (
            {"holder_kind": "someone"},
            "Unknown holder kind 'someone' (one of: author, attributed, unclear).",
        ),
        (
            {"holder": "Токаев"},
            "A passage in the author's own voice has no holder: choose attributed or unclear.",
        ),
        ({"holder_kind": "attributed", "holder": "x" * 301}, "A holder is at most 300 characters."),
        ({"holder_kind": "attributed", "cue_start": 3}, "A cue needs both its start and its end."),
        (
            {"holder_kind": "attributed", "cue_start": 5, "cue_end": 999},
            "Cue offsets 5–999 are not a passage of the text (0–60).",
        ),
    ],
)
def test_bad_holders_are_refused_and_nothing_is_written(setup, holder, message):
    with pytest.raises(AnnotationRejected) as excinfo:
        create(*setup, **holder)
    assert str(excinfo.value) == message
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()


def test_update_changes_only_the_given_holder_fields_and_undo_puts_them_back(setup):
    project, document, user = setup
    annotation = create(*setup, holder_kind="attributed", holder="Токаев")
    annotation_update(annotation=annotation, actor=user, holder={"holder_kind": "unclear"})
    annotation.refresh_from_db()
    assert (annotation.holder_kind, annotation.holder) == ("unclear", "Токаев")
    event = AnnotationEvent.objects.filter(action="update").get()
    assert (event.before["holder_kind"], event.after["holder_kind"]) == ("attributed", "unclear")
    annotation_undo(project=project, document=document, actor=user)
    annotation.refresh_from_db()
    assert annotation.holder_kind == "attributed"


def test_update_refuses_a_holder_for_the_authors_voice(setup):
    annotation = create(*setup, holder_kind="attributed", holder="Токаев")
    with pytest.raises(AnnotationRejected, match="author's own voice has no holder"):
        annotation_update(annotation=annotation, actor=None, holder={"holder_kind": "author"})
    annotation.refresh_from_db()
    assert annotation.holder_kind == "attributed"


def test_gold_copies_and_changes_the_holder(setup):
    project, document, user = setup
    annotation = create(
        *setup, holder_kind="attributed", holder="Токаев", cue_start=CUE[0], cue_end=CUE[1]
    )
    reviewer = factories.UserFactory()
    gold = gold_accept(annotation=annotation, reviewer=reviewer)
    assert (gold.holder_kind, gold.holder, gold.cue_start) == ("attributed", "Токаев", CUE[0])
    gold_update(gold=gold, reviewer=reviewer, holder={"holder": "Касым-Жомарт Токаев"})
    assert GoldAnnotation.objects.get().holder == "Касым-Жомарт Токаев"


def test_endpoints_accept_the_holder_fields(client, setup):
    project, document, user = setup
    client.force_login(user)
    label = factories.project_label(project, "opinion")
    start = TEXT.index("нужен")
    url = reverse("annotation_create", args=[project.slug, document.pk])
    data = {
        "label": label.pk,
        "start": start,
        "end": len(TEXT) - 1,
        "quote": TEXT[start:-1],
        "holder_kind": "attributed",
        "holder": " Токаев ",
        "cue_start": CUE[0],
        "cue_end": CUE[1],
    }
    assert client.post(url, data, headers={"HX-Request": "true"}).status_code == 200
    annotation = Annotation.objects.get()
    assert (annotation.holder_kind, annotation.holder, annotation.cue_end) == (
        "attributed",
        "Токаев",
        CUE[1],
    )
    change = reverse("annotation_update", args=[project.slug, annotation.pk])
    response = client.post(change, {"holder_kind": "unclear"}, headers={"HX-Request": "true"})
    assert "Voice: Unclear (Токаев)." in response.content.decode()
    response = client.post(change, {"holder_kind": "author"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert Annotation.objects.get().holder_kind == "unclear"


def test_the_holder_field_offers_the_documents_suggested_and_the_projects_used_holders(
    setup, monkeypatch
):
    from django.db import connection

    from annotator.models import Suggestion
    from annotator.workspace import selectors

    project, document, user = setup
    create(project, document, user, holder_kind="attributed", holder="Токаев")
    fact, speculation = (factories.project_label(project, n) for n in ("fact", "speculation"))
    create(project, document, user, holder_kind="unclear", holder="эксперты", label=fact)
    create(project, document, user, label=speculation)  # the author's: no holder
    Suggestion.objects.create(
        project=project, document=document, start=0, end=9, quote=TEXT[:9], score=0.9,
        agent="holders", holder_kind="attributed", holder="Касым-Жомарт Токаев",
    )  # fmt: skip
    assert selectors.holder_choices(project, document) == [
        "Касым-Жомарт Токаев",
        "Токаев",
        "эксперты",
    ]
    # The project's holders stop at the limit, in order, from the partial index.
    monkeypatch.setattr(selectors, "HOLDER_CHOICES", 1)
    assert selectors.holder_choices(project, document) == ["Касым-Жомарт Токаев", "Токаев"]
    if connection.vendor == "sqlite":
        used = (
            Annotation.objects.filter(project=project)
            .exclude(holder="")
            .order_by("holder")
            .values_list("holder", flat=True)
            .distinct()[:1]
        )
        assert "annotation_project_holders" in used.explain()
