"""The caller's annotations through the API: one service with the page, so the same
checks, messages, snapping, audit trail and undo; lists with both paginations and filters.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.accounts.tokens import api_token_create
from annotator.models import Annotation, AnnotationEvent, Membership, check_span
from annotator.text.snapping import snap
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Токаев считает, что АЭС нужна. Мы можем предположить, что «визит» — успех 😀."


@pytest.fixture
def setup(db):
    project = factories.ProjectFactory(slug="newsroom")
    document = factories.DocumentFactory(text=TEXT)
    factories.ProjectDocumentFactory(project=project, document=document)
    user = factories.MembershipFactory(project=project, role=Membership.Role.ANNOTATOR).user
    key = api_token_create(user=user, name="tests")[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    return project, document, user, client


def url(project, annotation_id=None) -> str:
    if annotation_id is None:
        return reverse("api-annotations", args=[project.slug])
    return reverse("api-annotation", args=[project.slug, annotation_id])


def post(client, path, body):
    return client.post(path, json.dumps(body, ensure_ascii=False), content_type="application/json")


def span(document, start, end, label="opinion", **extra) -> dict:
    return {"document": document.pk, "label": label, "start": start, "end": end,
            "quote": document.text[start:end], **extra}  # fmt: skip


def test_a_selection_is_snapped_saved_and_recorded_as_on_the_page(setup):
    project, document, user, client = setup
    start = TEXT.index("считает") + 2  # inside the word, with the comma after it
    end = TEXT.index(",") + 1

    response = post(client, url(project), span(document, start, end, note="заметка"))

    assert response.status_code == 201, response.content
    body = response.json()
    annotation = Annotation.objects.get()
    assert body == {
        "id": annotation.pk,
        "document": document.pk,
        "label": "opinion",
        "start": TEXT.index("считает"),
        "end": TEXT.index(","),
        "quote": "считает",
        "note": "заметка",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "holder_kind": "author",
        "holder": "",
        "cue_start": None,
        "cue_end": None,
    }
    assert (annotation.annotator, annotation.quote) == (user, "считает")
    event = AnnotationEvent.objects.get()
    assert (event.action, event.actor, event.after["quote"]) == ("create", user, "считает")


def test_the_pages_undo_undoes_an_api_save(setup):
    project, document, user, client = setup
    post(client, url(project), span(document, 0, 6))
    page = Client()
    page.force_login(user)

    response = page.post(reverse("annotation_undo", args=[project.slug, document.pk]))

    assert response.status_code == 200
    assert not Annotation.objects.exists()


def page_answer(project, document, user, body: dict) -> tuple[int, str]:
    """What the document page's save endpoint answers to the same selection."""
    client = Client()
    client.force_login(user)
    label = project.labels.filter(name=body.get("label")).first()
    data = {k: v for k, v in body.items() if k not in ("document", "label")}
    data["label"] = label.pk if label else "999999"
    response = client.post(reverse("annotation_create", args=[project.slug, document.pk]), data)
    message = response.content.decode().split('role="status" aria-live="polite"', 1)[-1]
    return response.status_code, message


REFUSED = [
    (lambda d: span(d, 5, 3), "The selection is empty."),
    (lambda d: span(d, 0, 500), f"Offsets 0–500 are outside the text (0–{len(TEXT)})."),
    (
        lambda d: span(d, 0, 6) | {"quote": "Назарбаев"},
        "The quoted text does not match the document at these offsets "
        "(the page may be stale: reload it).",
    ),
    (lambda d: span(d, 14, 16), "The selection holds no words, only spaces or punctuation."),
    (
        lambda d: span(d, 0, 6, note="a\x00b"),
        "note: Null characters are not allowed.",
    ),
]


@pytest.mark.parametrize(("body", "reason"), REFUSED)
def test_refusals_give_the_exact_reason_write_nothing_and_match_the_page(setup, body, reason):
    project, document, user, client = setup
    body = body(document)

    response = post(client, url(project), body)

    assert response.status_code == 400
    assert response.json()["detail"] == reason
    assert not Annotation.objects.exists() and not AnnotationEvent.objects.exists()
    if not reason.startswith("note:"):
        status, message = page_answer(project, document, user, body)
        assert status == 400 and reason.replace("“", "") in message.replace("&quot;", '"')


def test_a_duplicate_is_refused_with_the_pages_message(setup):
    project, document, _, client = setup
    post(client, url(project), span(document, 0, 6))
    response = post(client, url(project), span(document, 0, 6))
    assert response.status_code == 400
    assert response.json() == {
        "detail": "You already have this label on exactly this passage.",
        "errors": {"non_field_errors": ["You already have this label on exactly this passage."]},
    }
    assert Annotation.objects.count() == 1 and AnnotationEvent.objects.count() == 1


def test_field_errors_name_their_field(setup):
    project, document, _, client = setup
    other = factories.DocumentFactory()

    unknown_label = post(client, url(project), span(document, 0, 6, label="irony"))
    missing = post(client, url(project), {"document": document.pk, "label": "fact"})
    foreign = post(client, url(project), span(other, 0, 6))

    assert unknown_label.json() == {
        "detail": "label: No label 'irony' in this project (use one of: fact, opinion, "
        "speculation).",
        "errors": {
            "label": ["No label 'irony' in this project (use one of: fact, opinion, speculation)."]
        },
    }
    assert missing.json()["errors"] == {
        "start": ["This field is required."],
        "end": ["This field is required."],
        "quote": ["This field is required."],
    }
    assert foreign.json()["errors"] == {"document": [f"No document {other.pk} in this project."]}
    assert not Annotation.objects.exists()


def test_change_and_delete_go_through_the_services(setup):
    project, document, user, client = setup
    created = post(client, url(project), span(document, 0, 6)).json()

    changed = client.patch(
        url(project, created["id"]),
        json.dumps({"label": "fact", "note": "проверено"}),
        content_type="application/json",
    )
    nothing = client.patch(url(project, created["id"]), "{}", content_type="application/json")
    deleted = client.delete(url(project, created["id"]))

    assert changed.status_code == 200
    assert (changed.json()["label"], changed.json()["note"]) == ("fact", "проверено")
    assert nothing.status_code == 400
    assert nothing.json()["detail"] == "Nothing to change: give a label, a note or holder fields."
    assert deleted.status_code == 204
    actions = list(AnnotationEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]
    assert client.get(url(project, created["id"])).status_code == 404


def test_lists_page_by_page_or_by_offset_with_filters(setup):
    project, document, user, client = setup
    words = [(0, 6), (7, 14), (16, 19), (20, 23), (24, 29)]
    ids = [post(client, url(project), span(document, s, e)).json()["id"] for s, e in words]
    post(client, url(project), span(document, 31, 33, label="fact"))

    pages = client.get(url(project), {"page": 2, "page_size": 2, "label": "opinion"}).json()
    sliced = client.get(url(project), {"limit": 2, "offset": 3, "label": "opinion"}).json()

    assert pages["count"] == 5 and [a["id"] for a in pages["results"]] == ids[2:4]
    assert pages["next"].endswith("page=3&page_size=2") or "page=3" in pages["next"]
    assert "page_size=2" in pages["previous"]
    assert sliced["count"] == 5 and [a["id"] for a in sliced["results"]] == ids[3:5]
    assert "limit=2" in sliced["previous"] and sliced["next"] is None
    assert client.get(url(project), {"updated_since": "2999-01-01"}).json()["count"] == 0
    assert client.get(url(project), {"updated_since": "2000-01-01"}).json()["count"] == 6
    bad = client.get(url(project), {"updated_since": "вчера"})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "updated_since": ["'вчера' is not a date or time (use 2025-01-31 or ISO 8601)."]
    }


def test_reviewers_read_everyones_annotations_only_where_the_project_allows(setup):
    project, document, annotator, client = setup
    post(client, url(project), span(document, 0, 6))
    reviewer = factories.MembershipFactory(project=project, role=Membership.Role.REVIEWER).user
    reviewing = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=reviewer, name='r')[1]}")

    blind = reviewing.get(url(project), {"annotator": "*"})
    project.show_all_annotations = True
    project.save()
    everyone = reviewing.get(url(project), {"annotator": annotator.username})

    assert blind.status_code == 403
    assert [a["quote"] for a in everyone.json()["results"]] == ["Токаев"]
    assert reviewing.get(url(project)).json()["count"] == 0  # their own: none


# Never a 500, never an invalid row ------------------------------------------------

values = st.one_of(
    st.integers(min_value=-5, max_value=len(TEXT) + 5),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=values,
    end=values,
    label=st.sampled_from(["fact", "opinion", "irony", "", 7]),
    quote=st.one_of(st.none(), st.text(max_size=8), st.just("slice")),
    note=st.one_of(st.none(), st.text(max_size=20)),
    document=st.sampled_from(["own", "other", 0, "x"]),
)
def test_any_request_is_saved_as_a_valid_span_or_refused_with_a_reason(
    setup, start, end, label, quote, note, document
):
    project, own, _, client = setup
    body = {"label": label, "start": start, "end": end}
    body["document"] = {"own": own.pk, "other": own.pk + 1000}.get(document, document)
    if quote == "slice":
        quote = TEXT[start:end] if isinstance(start, int) and isinstance(end, int) else "x"
    for key, value in (("quote", quote), ("note", note)):
        if value is not None:
            body[key] = value
    before = Annotation.objects.count()

    response = post(client, url(project), body)

    assert response.status_code in (201, 400), response.content
    body_json = response.json()
    if response.status_code == 400:
        assert body_json["detail"] and isinstance(body_json["errors"], dict)
        assert Annotation.objects.count() == before
        return
    annotation = Annotation.objects.get(pk=body_json["id"])
    check_span(TEXT, annotation.start, annotation.end, annotation.quote)
    assert snap(TEXT, annotation.start, annotation.end) == (annotation.start, annotation.end)
    annotation.delete()


def test_the_save_answers_with_what_the_serializer_gives(setup):
    """The save path writes its answer out (annotation_json); it is the serializer's."""
    from annotator.api.serializers import AnnotationSerializer, annotation_json

    project, document, _, client = setup
    created = post(client, url(project), span(document, 0, 6, note="x")).json()
    annotation = Annotation.objects.select_related("label").get(pk=created["id"])
    assert created == annotation_json(annotation) == AnnotationSerializer(annotation).data


def test_holders_are_saved_changed_and_refused_as_on_the_page(setup):
    """Whose voice: the holder fields go through the page's service and its check."""
    project, document, _, client = setup
    cue = TEXT.index("считает")
    body = span(document, 0, 29, holder_kind="attributed", holder="Токаев",
                cue_start=cue, cue_end=cue + len("считает"))  # fmt: skip
    created = post(client, url(project), body)
    assert created.status_code == 201, created.content
    answer = created.json()
    assert (answer["holder_kind"], answer["holder"]) == ("attributed", "Токаев")
    assert (answer["cue_start"], answer["cue_end"]) == (cue, cue + len("считает"))
    stored = Annotation.objects.get(pk=answer["id"])
    assert (stored.holder_kind, stored.holder, stored.cue_start) == ("attributed", "Токаев", cue)

    # A change of the holder alone keeps the label and the cue.
    changed = client.patch(
        url(project, answer["id"]), json.dumps({"holder": "Касым-Жомарт Токаев"}),
        content_type="application/json",
    )  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["holder"] == "Касым-Жомарт Токаев"
    assert changed.json()["label"] == "opinion" and changed.json()["cue_start"] == cue
    actions = list(AnnotationEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update"]

    # The page's rule: the author's own voice has no holder; a cue needs both ends.
    author = post(client, url(project), span(document, 31, 52, holder_kind="author", holder="X"))
    half = post(client, url(project), span(document, 31, 52, cue_start=3))
    unknown = post(client, url(project), span(document, 31, 52, holder_kind="someone"))
    assert author.status_code == half.status_code == unknown.status_code == 400
    assert "author's own voice has no holder" in author.json()["detail"]
    assert half.json()["detail"] == "A cue needs both its start and its end."
    assert "holder_kind" in unknown.json()["errors"]
    assert Annotation.objects.count() == 1
    # A span without holder fields is the author's, as on the page.
    plain = post(client, url(project), span(document, 31, 52)).json()
    assert (plain["holder_kind"], plain["holder"], plain["cue_start"]) == ("author", "", None)
