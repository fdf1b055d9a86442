"""Property-based tests: random offsets, labels, quotes and notes never store a bad annotation.

The annotation services are the one way annotations are written; whatever they are
given, they either store a valid annotation or refuse with AnnotationRejected. The
workspace's endpoints, given any form data at all, answer 200 or 400 (never a 500)
and never leave an invalid annotation behind.
"""

from urllib.parse import quote

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotator.ids import parse_id
from annotator.models import Annotation, AnnotationEvent
from annotator.workspace.annotations import (
    AnnotationRejected,
    annotation_create,
    annotation_update,
)
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Смайл 😀 и «Токаев»\r\nсчитает: <b>АЭС</b> & нужна.\n\nЕщё 👩‍👩‍👧 строка."
LABELS = ("fact", "opinion", "speculation", "foreign")

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def valid_spans(draw):
    start = draw(st.integers(min_value=0, max_value=len(TEXT) - 1))
    return start, draw(st.integers(min_value=start + 1, max_value=len(TEXT)))


any_offset = st.integers(min_value=-(2**63), max_value=2**63 - 1)
near_offset = st.integers(min_value=-2, max_value=len(TEXT) + 2)
# Mostly spans inside the text (so many examples are stored), and any offsets at all.
spans = st.one_of(valid_spans(), valid_spans(), st.tuples(near_offset, near_offset))
spans = st.one_of(spans, st.tuples(any_offset, any_offset))


@st.composite
def quotes(draw, start, end):
    """The true quote (most often), a shifted one, none at all, or any text."""
    true = TEXT[max(start, 0) : max(end, 0)]
    return draw(
        st.one_of(
            st.just(true),
            st.just(true),
            st.just(TEXT[max(start, 0) + 1 : max(end, 0) + 1]),
            st.none(),
            st.text(max_size=30),
        )
    )


@pytest.fixture
def world():
    project = factories.ProjectFactory()
    document = factories.DocumentFactory(text=TEXT)
    factories.ProjectDocumentFactory(project=project, document=document)
    labels = {label.name: label for label in project.labels.all()}
    labels["foreign"] = factories.project_label(factories.ProjectFactory(), "fact")
    return project, document, factories.UserFactory(), labels


def assert_every_annotation_is_valid(project, document):
    for annotation in Annotation.objects.select_related("label"):
        assert 0 <= annotation.start < annotation.end <= len(document.text)
        assert annotation.quote == document.text[annotation.start : annotation.end]
        assert annotation.label.project_id == project.pk
        assert "\x00" not in annotation.note
    assert Annotation.objects.count() == AnnotationEvent.objects.filter(action="create").count()


def in_rolled_back_transaction(check):
    """Each example starts from the same database."""
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@PROPERTY_SETTINGS
@given(data=st.data(), span=spans, label=st.sampled_from(LABELS), note=st.text())
def test_create_stores_only_valid_annotations(world, data, span, label, note):
    project, document, user, labels = world
    start, end = span
    quote = data.draw(quotes(start, end))

    def check():
        try:
            annotation_create(
                project=project,
                document=document,
                annotator=user,
                label=labels[label],
                start=start,
                end=end,
                quote=quote,
                note=note,
            )
        except AnnotationRejected as exc:
            assert str(exc)
        assert_every_annotation_is_valid(project, document)

    in_rolled_back_transaction(check)


@PROPERTY_SETTINGS
@given(data=st.data(), span=spans, label=st.sampled_from(LABELS), note=st.text())
def test_update_keeps_annotations_valid(world, data, span, label, note):
    project, document, user, labels = world
    start, end = span
    quote = data.draw(quotes(start, end))

    def check():
        annotation = annotation_create(
            project=project,
            document=document,
            annotator=user,
            label=labels["fact"],
            start=0,
            end=5,
        )
        try:
            annotation_update(
                annotation=annotation,
                actor=user,
                label=labels[label],
                start=start,
                end=end,
                quote=quote,
                note=note,
            )
        except AnnotationRejected as exc:
            assert str(exc)
        assert_every_annotation_is_valid(project, document)

    in_rolled_back_transaction(check)


def test_a_note_with_a_nul_character_is_refused_and_nothing_is_written(world):
    project, document, user, labels = world
    with pytest.raises(
        AnnotationRejected, match=r"^The note contains a NUL character \(U\+0000\); remove it.$"
    ):
        annotation_create(
            project=project,
            document=document,
            annotator=user,
            label=labels["fact"],
            start=0,
            end=5,
            note="a\x00b",
        )
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()


# The HTTP endpoints -----------------------------------------------------------

HTTP_SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OMIT = object()


def form_value(strategy):
    """A field as a browser or a forger might send it: absent, a string, or junk."""
    return st.one_of(st.just(OMIT), strategy.map(str), st.text(max_size=8))


@st.composite
def form_labels(draw, labels):
    ids = [str(label.pk) for label in labels.values()]
    return draw(st.one_of(st.sampled_from(ids), st.just(OMIT), st.text(max_size=6)))


notes = st.one_of(st.just(OMIT), st.text(), st.just("длинная заметка " * 400))


def post(client, url, fields: dict):
    return client.post(url, {k: v for k, v in fields.items() if v is not OMIT})


@pytest.fixture
def member(client, world):
    project, document, user, labels = world
    factories.MembershipFactory(project=project, user=user)
    client.force_login(user)
    return client


@HTTP_SETTINGS
@given(data=st.data(), span=spans, note=notes)
def test_the_save_endpoint_answers_200_or_400_and_stores_only_valid_annotations(
    member, world, data, span, note
):
    project, document, _, labels = world
    start, end = span
    fields = {
        "label": data.draw(form_labels(labels)),
        "start": data.draw(st.one_of(st.just(str(start)), form_value(st.integers()))),
        "end": data.draw(st.one_of(st.just(str(end)), form_value(st.integers()))),
        "quote": data.draw(
            st.one_of(quotes(start, end), st.just(OMIT)).map(lambda q: "" if q is None else q)
        ),
        "note": note,
        "version": data.draw(st.sampled_from([OMIT, document.text_sha256, "stale"])),
    }
    url = f"/p/{project.slug}/d/{document.pk}/annotations/"

    def check():
        response = post(member, url, fields)
        assert response.status_code in (200, 400)
        if response.status_code == 400:
            assert not Annotation.objects.exists()
        assert_every_annotation_is_valid(project, document)

    in_rolled_back_transaction(check)


@HTTP_SETTINGS
@given(data=st.data(), note=notes)
def test_the_change_endpoint_answers_200_or_400_and_keeps_annotations_valid(
    member, world, data, note
):
    project, document, user, labels = world
    fields = {"label": data.draw(form_labels(labels)), "note": note}

    def check():
        annotation = annotation_create(
            project=project,
            document=document,
            annotator=user,
            label=labels["fact"],
            start=0,
            end=5,
        )
        response = post(member, f"/p/{project.slug}/a/{annotation.pk}/", fields)
        assert response.status_code in (200, 400)
        if response.status_code == 400:
            stored = Annotation.objects.get()
            assert (stored.label_id, stored.note) == (labels["fact"].pk, "")
        assert_every_annotation_is_valid(project, document)

    in_rolled_back_transaction(check)


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("²", "Unknown label &#x27;²&#x27;."),  # a digit to str.isdigit, not to int()
        ("9" * 30, "Unknown label &#x27;99999999999999999999&#x27;."),
    ],
)
def test_odd_label_values_are_a_400_with_the_reason(member, world, label, message):
    project, document, user, labels = world
    annotation = annotation_create(
        project=project, document=document, annotator=user, label=labels["fact"], start=0, end=5
    )
    response = member.post(f"/p/{project.slug}/a/{annotation.pk}/", {"label": label})
    assert response.status_code == 400
    assert message in response.content.decode()
    response = member.post(
        f"/p/{project.slug}/d/{document.pk}/annotations/",
        {"label": label, "start": "0", "end": "5", "quote": TEXT[:5]},
    )
    assert response.status_code == 400
    assert Annotation.objects.get().label == labels["fact"]


def test_an_odd_source_filter_on_the_queue_is_a_400(member, world):
    project = world[0]
    assert member.get(f"/p/{project.slug}/", {"source": "²"}).status_code == 400
    assert member.get(f"/p/{project.slug}/", {"source": ""}).status_code == 200


# Ids no row can have: past SQLite's and PostgreSQL's 64-bit bound, zero or negative, or
# written in another script's digits (which str.isdigit accepts and int() may read).
odd_ids = st.one_of(
    st.integers(min_value=2**63, max_value=2**80).map(str),
    st.integers(max_value=0).map(str),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=25),
)


@HTTP_SETTINGS
@given(document_id=odd_ids)
def test_the_save_endpoint_answers_404_for_an_id_no_document_can_have(member, world, document_id):
    project, document, _, labels = world
    assume(parse_id(document_id) != document.pk)  # "0001" may be the document's id
    url = f"/p/{project.slug}/d/{quote(document_id)}/annotations/"
    fields = {"label": labels["fact"].pk, "start": "0", "end": "5", "quote": TEXT[:5]}

    def check():
        assert member.post(url, fields).status_code == 404
        assert not Annotation.objects.exists()

    in_rolled_back_transaction(check)


@HTTP_SETTINGS
@given(source=st.one_of(odd_ids, st.text(max_size=8)))
def test_the_queue_refuses_a_source_filter_that_is_no_id(member, world, source):
    project = world[0]
    response = member.get(f"/p/{project.slug}/", {"source": source})
    expected = 200 if source == "" or parse_id(source) else 400
    assert response.status_code == expected
