"""Gold in the audit trail: every gold action is a change on the History page (filter "gold"),
a deleted gold span can be restored there, and the reviewer's undo walks back gold."""

from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from annotator.models import AnnotationEvent, GoldAnnotation, Membership, Sentence
from annotator.review.services import (
    GoldRejected,
    gold_accept,
    gold_accept_majority,
    gold_create,
    gold_delete,
    gold_update,
)
from annotator.review.undo import gold_undo
from annotator.workspace.annotations import AnnotationRejected
from annotator.workspace.services import annotation_undo
from tests.support import factories
from tests.support.labelling import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(project):
    manager = member(project, "mila", Membership.Role.MANAGER)
    anna, boris = member(project, "anna"), member(project, "boris")
    document = factories.DocumentFactory(title="Визит")
    factories.ProjectDocumentFactory(project=project, document=document)
    sentences = list(Sentence.objects.filter(document=document).order_by("index"))
    spans = []
    for user in (anna, boris):
        spans.append(
            factories.AnnotationFactory(
                project=project,
                document=document,
                annotator=user,
                label=factories.project_label(project, "fact"),
                start=sentences[0].start,
                end=sentences[0].end,
            )
        )
    return {
        "document": document,
        "sentences": sentences,
        "manager": manager,
        "spans": spans,
    }


def add(project, doc, name, index, **extra):
    s = doc["sentences"][index]
    return gold_create(
        project=project,
        document=doc["document"],
        reviewer=doc["manager"],
        label=factories.project_label(project, name) if name else None,
        start=s.start,
        end=s.end,
        **extra,
    )


def history(client, project, **query):
    url = reverse("project_history", args=[project.slug])
    return client.get(url + (f"?{urlencode(query)}" if query else "")).content.decode()


def test_seven_gold_actions_are_seven_changes(client, project, doc):
    reviewer = doc["manager"]
    opinion = add(project, doc, "opinion", 1)  # 1
    gold_update(gold=opinion, reviewer=reviewer, label=factories.project_label(project, "fact"))
    add(project, doc, None, 2)  # 3: "no label"
    gold_accept_majority(  # 4: sentence 0, where anna and boris agree
        project=project, document=doc["document"], reviewer=reviewer, min_agree=2
    )
    gold_delete(gold=GoldAnnotation.objects.get(start=doc["sentences"][0].start), reviewer=reviewer)
    gold_accept(annotation=doc["spans"][0], reviewer=reviewer)  # 6
    gold_delete(gold=opinion, reviewer=reviewer)  # 7
    client.force_login(reviewer)
    assert "7 changes." in history(client, project)
    page = history(client, project, kind="gold")
    assert "7 changes." in page
    assert page.count("<td>gold</td>") == 7
    assert "Gold: created" in page and "Gold: deleted" in page and "Gold: changed" in page
    assert "no label" in page
    assert "No changes match these filters." in history(client, project, kind="annotations")
    assert "2 changes." in history(client, project, kind="gold", action="delete")


def test_a_deleted_gold_span_is_restored_from_the_history(client, project, doc):
    gold = add(project, doc, "opinion", 1)
    gold_id = gold.pk
    gold_delete(gold=gold, reviewer=doc["manager"])
    event = AnnotationEvent.objects.get(gold=True, action="delete")
    client.force_login(doc["manager"])
    assert "Restore</button>" in history(client, project, kind="gold")
    response = client.post(reverse("history_restore", args=[project.slug, event.pk]))
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [f"Restored “{gold.quote}” (gold opinion) in Визит."]
    back = GoldAnnotation.objects.get()
    assert (back.pk, back.label.name, back.start, back.end) == (
        gold_id,
        "opinion",
        gold.start,
        gold.end,
    )
    assert AnnotationEvent.objects.filter(gold=True, action="restore").count() == 1
    assert "Restore</button>" not in history(client, project, kind="gold")
    response = client.post(reverse("history_restore", args=[project.slug, event.pk]))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This gold span exists: it has been restored already."
    ]


def test_restoring_gold_that_now_conflicts_is_refused(client, project, doc):
    gold = add(project, doc, "opinion", 1)
    gold_delete(gold=gold, reviewer=doc["manager"])
    add(project, doc, "fact", 1)
    event = AnnotationEvent.objects.get(gold=True, action="delete")
    client.force_login(doc["manager"])
    response = client.post(reverse("history_restore", args=[project.slug, event.pk]))
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("The gold standard has “Fact” on most of sentence 2")
    assert list(GoldAnnotation.objects.values_list("label__name", flat=True)) == ["fact"]


def undo(project, doc):
    return gold_undo(project=project, document=doc["document"], reviewer=doc["manager"])


def test_undo_walks_back_the_reviewers_gold_changes(project, doc):
    reviewer = doc["manager"]
    speculation = add(project, doc, "speculation", 1)
    opinion = add(project, doc, "opinion", 1, replace=True)
    opinion_id = opinion.pk
    gold_update(gold=opinion, reviewer=reviewer, no_label=True)
    gold_delete(gold=opinion, reviewer=reviewer)

    def state():
        return [(g.pk, g.label.name if g.label else None) for g in GoldAnnotation.objects.all()]

    assert state() == []
    assert undo(project, doc).message.startswith("Restored gold «Токаев")
    assert state() == [(opinion_id, None)]
    assert undo(project, doc).message.startswith("Put back gold «Токаев")
    assert state() == [(opinion_id, "opinion")]
    undo(project, doc)  # the replace: the opinion goes, the speculation comes back
    assert state() == [(speculation.pk, "speculation")]
    undo(project, doc)
    assert state() == []
    with pytest.raises(GoldRejected, match="^Nothing to undo.$"):
        undo(project, doc)


def test_one_undo_takes_back_a_whole_majority(project, doc):
    third = doc["sentences"][2]
    for span in doc["spans"]:  # both annotators agree on sentence 2 too
        factories.AnnotationFactory(
            project=project,
            document=doc["document"],
            annotator=span.annotator,
            label=factories.project_label(project, "opinion"),
            start=third.start,
            end=third.end,
        )
    created = gold_accept_majority(
        project=project, document=doc["document"], reviewer=doc["manager"], min_agree=2
    )
    assert len(created) == 2
    assert undo(project, doc).message == "Took back 2 gold spans."
    assert not GoldAnnotation.objects.exists()


def test_the_annotators_undo_leaves_gold_alone(project, doc):
    # A reviewer who also annotates: "u" on the document page undoes their annotations only.
    add(project, doc, "opinion", 1)
    with pytest.raises(AnnotationRejected, match="^Nothing to undo.$"):
        annotation_undo(project=project, document=doc["document"], actor=doc["manager"])
    assert GoldAnnotation.objects.count() == 1


def test_undo_from_the_review_page(client, project, doc):
    add(project, doc, "opinion", 1)
    client.force_login(doc["manager"])
    url = reverse("review_gold_undo", args=[project.slug, doc["document"].pk])
    response = client.post(url)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)][-1].startswith("Removed gold «")
    assert not GoldAnnotation.objects.exists()
    response = client.post(url)
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "Nothing to undo."
