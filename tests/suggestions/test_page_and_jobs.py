"""The Suggestions page (figures after training, answers by agent, learning curve,
fixed queries), the train_suggester output that matches it, and retraining as a job:
queued after N newly labelled sentences or on demand, and never run in the web process."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django.urls import reverse

from annotator.models import Membership, Suggestion, SuggestionDecision
from annotator.suggestions import services, store
from annotator.suggestions.tasks import retrain_suggester
from tests.suggestions.test_learned import synthetic_project
from tests.support import factories

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.SUGGESTER_DIR = tmp_path
    return tmp_path


@pytest.fixture
def queue(settings):
    """A queue that keeps jobs for a worker (Django's dummy backend records them)."""
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


@pytest.fixture
def team(project):
    def member(role):
        return factories.MembershipFactory(project=project, role=role).user

    return {role: member(role) for role in Membership.Role.values}


def answer(project, user, verdict, agent):
    document = project.documents.first()
    suggestion = Suggestion.objects.create(
        project=project,
        document=document,
        start=0,
        end=5,
        quote=document.text[:5],
        label=project.labels.first(),
        score=0.7,
        agent=agent,
    )
    SuggestionDecision.objects.create(suggestion=suggestion, annotator=user, verdict=verdict)


def test_the_page_shows_the_evaluation_answers_and_curve_in_fixed_queries(
    client, project, team, model_dir, django_assert_num_queries
):
    synthetic_project(project)
    _, evaluation = services.suggester_train(project=project, seed=3)
    services.suggester_train(project=project, seed=4)
    for verdict, agent in [("accepted", "cues"), ("rejected", "cues"), ("accepted", "model")]:
        answer(project, team["annotator"], verdict, agent)
    client.force_login(team["reviewer"])
    url = reverse("suggestions", args=[project.slug])
    with django_assert_num_queries(4):  # session, user, membership, answers by agent
        body = client.get(url).content.decode()
    assert "Version 2, trained" in body and "on 130 labelled sentences" in body
    assert 'id="per-label"' in body and 'id="confusion"' in body
    for label in evaluation.labels:
        assert f'<th scope="row">{label}</th>' in body
    assert "majority class (fact)" in body
    assert '<th scope="row">cues</th><td class="num">1</td><td class="num">1</td>' in body
    assert '<th scope="row">model</th><td class="num">1</td><td class="num">0</td>' in body
    assert "<polyline" in body and body.count("<circle") == 4  # 3 shares and all
    assert '<th scope="row">v2</th>' in body and '<th scope="row">v1</th>' in body
    assert "Retrain now" not in body  # managers only
    # no new queries with more versions and answers
    services.suggester_train(project=project, seed=5)
    answer(project, team["manager"], "rejected", "model")
    with django_assert_num_queries(4):
        client.get(url)


def test_the_page_before_any_training_and_for_annotators(client, project, team, model_dir):
    client.force_login(team["manager"])
    body = client.get(reverse("suggestions", args=[project.slug])).content.decode()
    assert "has not been trained yet" in body and "Retrain now" in body
    assert "No suggestion has been accepted or rejected yet." in body
    client.force_login(team["annotator"])
    assert client.get(reverse("suggestions", args=[project.slug])).status_code == 403


def test_train_suggester_prints_the_learning_curve_and_answers(project, team, model_dir):
    synthetic_project(project)
    answer(project, team["annotator"], "accepted", "cues")
    out = StringIO()
    call_command("train_suggester", "--project", project.slug, stdout=out)
    text = out.getvalue()
    assert "Learning curve (cross-validated macro-F1 by labelled sentences)" in text
    assert "     130  " in text  # the curve ends with every sentence
    assert "cues         accepted      1  rejected      0  accept rate 100.0% (n = 1)" in text
    out = StringIO()
    call_command("train_suggester", "--project", project.slug, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["answers"] == [{"agent": "cues", "accepted": 1, "rejected": 0}]
    curve = data["extra"]["learning_curve"]
    assert [n for n, _ in curve] == sorted(n for n, _ in curve) and curve[-1][0] == 130
    summary = store.summaries(project.slug)[-1]
    assert "training" not in summary and summary["training_data"]["sentences"] == 130


def test_retrain_on_demand_is_queued_not_run(
    client, project, team, model_dir, queue, django_capture_on_commit_callbacks
):
    synthetic_project(project)
    client.force_login(team["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("suggestions_retrain", args=[project.slug]), follow=True)
    assert "Retraining queued" in response.content.decode()
    assert [r.args for r in queue.results] == [[project.pk]]
    assert queue.results[0].task.func is retrain_suggester.func
    assert store.versions(project.slug) == []  # nothing trained in this (web) process
    client.force_login(team["reviewer"])
    assert client.post(reverse("suggestions_retrain", args=[project.slug])).status_code == 403


def test_without_a_worker_nothing_is_queued_and_nothing_trained(
    client, project, team, model_dir, settings, django_capture_on_commit_callbacks
):
    """Django's default backend would run the job inside the request: refused."""
    settings.TASKS = IMMEDIATE
    synthetic_project(project)
    client.force_login(team["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("suggestions_retrain", args=[project.slug]), follow=True)
    assert "No background worker is configured" in response.content.decode()
    annotator = team["annotator"]
    client.force_login(annotator)
    document = project.documents.first()
    project.retrain_every = 1
    project.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("document_done", args=[project.slug, document.pk]), {"done": "1"})
    assert store.versions(project.slug) == []


def test_marking_documents_done_queues_a_retraining_after_n_sentences(
    client, project, team, model_dir, queue, django_capture_on_commit_callbacks
):
    synthetic_project(project, documents=3)  # 13 sentences each
    project.retrain_every = 20
    project.save()
    client.force_login(team["annotator"])
    documents = list(project.documents.order_by("id"))

    def done(document):
        url = reverse("document_done", args=[project.slug, document.pk])
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, {"done": "1"}).status_code == 302

    done(documents[0])
    assert queue.results == []
    project.refresh_from_db()
    assert project.labelled_since_training == 13
    done(documents[1])  # 26 ≥ 20
    assert len(queue.results) == 1
    project.refresh_from_db()
    assert project.labelled_since_training == 0
    done(documents[2])
    assert len(queue.results) == 1
    assert store.versions(project.slug) == []
    # the worker's run: a new version, and the model's suggestions on every document
    outcome = queue.results[0].task.call(*queue.results[0].args)
    assert outcome["version"] == 1 and store.versions(project.slug) == [1]
    suggested = set(Suggestion.objects.filter(agent="model").values_list("document", flat=True))
    assert suggested == {d.pk for d in documents}


def test_retraining_off_queues_nothing(
    client, project, team, model_dir, queue, django_capture_on_commit_callbacks
):
    synthetic_project(project, documents=2)
    project.retrain_every = 0
    project.save()
    client.force_login(team["annotator"])
    for document in project.documents.all():
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("document_done", args=[project.slug, document.pk]), {"done": "1"})
    assert queue.results == []
