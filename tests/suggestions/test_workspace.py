"""Suggestions in the workspace over HTTP: shown, accepted through the page's save path
(snapped, audited, undoable), rejected and remembered, accepted all above the threshold,
switched off per project or per member, and never revealing anyone else's answers."""

import pytest
from django.urls import reverse

from annotator.models import (
    Annotation,
    AnnotationEvent,
    Label,
    Membership,
    Suggestion,
    SuggestionDecision,
)
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Токаев считает, что проект важен. Возможно, цены вырастут. Завод открыли в мае."


def sentence(n):
    parts = [
        "Токаев считает, что проект важен.",
        "Возможно, цены вырастут.",
        "Завод открыли в мае.",
    ]
    start = TEXT.index(parts[n])
    return start, start + len(parts[n])


@pytest.fixture
def ws():
    project = factories.ProjectFactory(slug="kz")
    analyst = factories.MembershipFactory(project=project).user
    colleague = factories.MembershipFactory(project=project).user
    document = factories.DocumentFactory(text=TEXT)
    factories.ProjectDocumentFactory(project=project, document=document)
    labels = {label.name: label for label in Label.objects.filter(project=project)}

    def suggest(n, label, score, agent="cues"):
        start, end = sentence(n)
        return Suggestion.objects.create(
            project=project,
            document=document,
            start=start,
            end=end,
            quote=TEXT[start:end],
            label=labels[label],
            score=score,
            agent=agent,
        )

    class W:
        pass

    w = W()
    w.project, w.document, w.analyst, w.colleague, w.labels = (
        project,
        document,
        analyst,
        colleague,
        labels,
    )
    w.opinion = suggest(0, "opinion", 0.91)
    w.speculation = suggest(1, "speculation", 0.62, agent="model")
    w.weaker = suggest(1, "fact", 0.5)  # a weaker agent on the same passage: not shown
    w.fact = suggest(2, "fact", 0.85, agent="model")
    return w


def shown(client, w):
    response = client.get(reverse("suggestion_list", args=[w.project.slug, w.document.pk]))
    assert response.status_code == 200
    return [(s["label_name"], s["score"], s["agent"]) for s in response.json()["suggestions"]]


def post(client, w, name, *args):
    url = reverse(name, args=[w.project.slug, w.document.pk, *args])
    return client.post(url, headers={"HX-Request": "true"})


def test_the_member_sees_one_suggestion_per_passage_with_label_score_and_agent(client, ws):
    client.force_login(ws.analyst)
    assert shown(client, ws) == [
        ("opinion", 0.91, "cues"),
        ("speculation", 0.62, "model"),
        ("fact", 0.85, "model"),
    ]
    assert client.get(reverse("suggestion_list", args=[ws.project.slug, ws.document.pk])).json()[
        "threshold"
    ] == pytest.approx(0.8)


def test_accept_saves_through_the_annotation_service_and_undo_brings_it_back(client, ws):
    client.force_login(ws.analyst)
    response = post(client, ws, "suggestion_accept", ws.opinion.pk)
    assert response.status_code == 200
    assert "Accepted «Токаев считает, что проект важен» as Opinion." in response.content.decode()
    annotation = Annotation.objects.get()
    assert (annotation.annotator, annotation.label.name) == (ws.analyst, "opinion")
    # snapped to words as a selection is: the final full stop is left out
    assert annotation.quote == "Токаев считает, что проект важен"
    decision = SuggestionDecision.objects.get()
    assert (decision.verdict, decision.annotation, decision.annotator) == (
        "accepted",
        annotation,
        ws.analyst,
    )
    assert AnnotationEvent.objects.filter(annotation_id=annotation.pk, action="create").exists()
    assert [s[0] for s in shown(client, ws)] == ["speculation", "fact"]
    # undo, like any save: the annotation goes, the suggestion comes back
    client.post(reverse("annotation_undo", args=[ws.project.slug, ws.document.pk]))
    assert not Annotation.objects.exists()
    assert [s[0] for s in shown(client, ws)] == ["opinion", "speculation", "fact"]
    # and can be accepted again (the decision is updated, not duplicated)
    assert post(client, ws, "suggestion_accept", ws.opinion.pk).status_code == 200
    assert SuggestionDecision.objects.get().annotation == Annotation.objects.get()


def test_reject_is_stored_and_hides_the_suggestion_from_that_member_only(client, ws):
    client.force_login(ws.analyst)
    response = post(client, ws, "suggestion_reject", ws.speculation.pk)
    assert response.status_code == 200
    assert "Rejected the suggestion speculation." in response.content.decode()
    decision = SuggestionDecision.objects.get()
    assert (decision.verdict, decision.suggestion, decision.annotation) == (
        "rejected",
        ws.speculation,
        None,
    )
    assert not Annotation.objects.exists()
    # now the weaker suggestion for that passage is the one shown
    assert shown(client, ws) == [
        ("opinion", 0.91, "cues"),
        ("fact", 0.5, "cues"),
        ("fact", 0.85, "model"),
    ]
    # blindness: the colleague sees nothing of the analyst's answers or labels
    post(client, ws, "suggestion_accept", ws.opinion.pk)
    client.force_login(ws.colleague)
    assert [s[0] for s in shown(client, ws)] == ["opinion", "speculation", "fact"]


def test_answering_twice_or_another_documents_suggestion_is_refused(client, ws):
    client.force_login(ws.analyst)
    post(client, ws, "suggestion_reject", ws.speculation.pk)
    response = post(client, ws, "suggestion_reject", ws.speculation.pk)
    assert response.status_code == 400
    assert "No such suggestion here (answered already?)." in response.content.decode()
    other = factories.DocumentFactory(text="Другой текст тут.")
    factories.ProjectDocumentFactory(project=ws.project, document=other)
    url = reverse("suggestion_accept", args=[ws.project.slug, other.pk, ws.opinion.pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "No suggestion to accept here." in response.content.decode()
    assert SuggestionDecision.objects.count() == 1 and not Annotation.objects.exists()


def test_a_passage_the_member_labelled_so_already_shows_no_suggestion(client, ws):
    start, end = sentence(2)
    factories.AnnotationFactory(
        project=ws.project,
        document=ws.document,
        annotator=ws.analyst,
        label=ws.labels["fact"],
        start=start,
        end=end - 1,
    )
    client.force_login(ws.analyst)
    assert [s[0] for s in shown(client, ws)] == ["opinion", "speculation"]


def test_accept_all_takes_those_at_or_above_the_project_threshold(client, ws):
    ws.project.suggestion_threshold = 0.85
    ws.project.save()
    client.force_login(ws.analyst)
    response = post(client, ws, "suggestion_accept_all")
    assert response.status_code == 200
    assert "Accepted 2 suggestions." in response.content.decode()
    assert sorted(Annotation.objects.values_list("label__name", flat=True)) == ["fact", "opinion"]
    assert SuggestionDecision.objects.filter(verdict="accepted").count() == 2
    response = post(client, ws, "suggestion_accept_all")
    assert response.status_code == 400
    assert "No suggestion to accept here." in response.content.decode()
    assert Annotation.objects.count() == 2


@pytest.mark.parametrize("switch", ["project", "member"])
def test_suggestions_switched_off_are_neither_shown_nor_accepted(client, ws, switch):
    if switch == "project":
        ws.project.suggestions_enabled = False
        ws.project.save()
    else:
        Membership.objects.filter(project=ws.project, user=ws.analyst).update(suggestions=False)
    client.force_login(ws.analyst)
    page = client.get(reverse("document", args=[ws.project.slug, ws.document.pk])).content
    assert b"data-suggestions-url" not in page and b"suggestions.js" not in page
    assert b"accept-all" not in page
    url = reverse("suggestion_list", args=[ws.project.slug, ws.document.pk])
    assert client.get(url).status_code == 404
    assert post(client, ws, "suggestion_accept", ws.opinion.pk).status_code == 404
    assert post(client, ws, "suggestion_accept_all").status_code == 404
    assert not Annotation.objects.exists() and not SuggestionDecision.objects.exists()
    # the colleague (not in the control group) still sees them, unless the project is off
    client.force_login(ws.colleague)
    page = client.get(reverse("document", args=[ws.project.slug, ws.document.pk])).content
    assert (b"data-suggestions-url" in page) == (switch == "member")


def test_the_document_page_asks_no_more_queries_with_suggestions(
    client, ws, django_assert_num_queries
):
    client.force_login(ws.analyst)
    url = reverse("document", args=[ws.project.slug, ws.document.pk])
    # As tests/workspace pins the first view (ten), suggestions or not.
    with django_assert_num_queries(10):
        page = client.get(url).content
    assert b"data-suggestions-url" in page and b"suggestions.js" in page


def test_the_queue_can_put_the_most_uncertain_documents_first(client, ws):
    source = ws.document.source
    documents = {}
    for name, scores in (("sure", [0.95, 0.9]), ("unsure", [0.4, 0.5]), ("middling", [0.7])):
        document = factories.DocumentFactory(source=source, title=name, text=f"Один {name}. Два.")
        factories.ProjectDocumentFactory(project=ws.project, document=document)
        for n, score in enumerate(scores):
            Suggestion.objects.create(
                project=ws.project,
                document=document,
                start=n * 6,
                end=n * 6 + 5,
                quote="x",
                label=ws.labels["fact"],
                score=score,
                agent="model",
            )
        documents[name] = document
    # the cue suggester's scores do not count: only the learned suggester's
    Suggestion.objects.create(
        project=ws.project,
        document=documents["sure"],
        start=0,
        end=5,
        quote="x",
        label=ws.labels["fact"],
        score=0.01,
        agent="cues",
    )
    client.force_login(ws.analyst)
    url = reverse("project", args=[ws.project.slug])
    body = client.get(url + "?order=uncertain").content.decode()
    titles = [body.index(f">{name}</a>") for name in ("unsure", "middling", "sure")]
    assert titles == sorted(titles)
    assert 'value="uncertain" selected' in body
    default = client.get(url).content.decode()
    assert 'value="uncertain" selected' not in default
    # an unknown order is the default order
    assert client.get(url + "?order=nonsense").status_code == 200
