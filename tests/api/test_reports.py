"""Agreement, profiles, gold, predictions and exports through the API: the same figures
as the commands and pages, the same files as export_dataset."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from annotator.accounts.tokens import api_token_create
from annotator.datasets.export.files import export_to_path
from annotator.datasets.export.plan import ExportFilters
from annotator.models import Job, Membership, Suggestion
from annotator.reports.profiles import ProfileFilter, source_profiles
from annotator.review.services import gold_create
from annotator.workspace.annotations import annotation_create
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Токаев считает, что АЭС нужна. Мы можем предположить, что визит удался."


@pytest.fixture
def labelled(db):
    project = factories.ProjectFactory(slug="newsroom")
    document = factories.DocumentFactory(text=TEXT)
    factories.ProjectDocumentFactory(project=project, document=document)
    annotators = [
        factories.MembershipFactory(project=project, user__username=name).user
        for name in ("ann", "bob")
    ]
    for user, label in zip(annotators, ("opinion", "fact"), strict=True):
        annotation_create(
            project=project,
            document=document,
            annotator=user,
            label=factories.project_label(project, label),
            start=0,
            end=29,
        )
    reviewer = factories.MembershipFactory(project=project, role=Membership.Role.REVIEWER).user
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=reviewer, name='r')[1]}")
    return project, document, reviewer, client


def test_agreement_is_the_commands_json(labelled):
    project, _, _, client = labelled
    out = StringIO()
    call_command("agreement", "--project", project.slug, "--format", "json", stdout=out)

    response = client.get(reverse("api-agreement", args=[project.slug]))

    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())
    assert response.json()["annotators"] == ["ann", "bob"]


def test_profiles_are_the_profiles_commands_json(labelled):
    project, document, _, client = labelled
    out = StringIO()
    call_command("profiles", "--project", project.slug, "--format", "json", stdout=out)

    body = client.get(reverse("api-profiles", args=[project.slug])).json()
    only_ann = client.get(reverse("api-profiles", args=[project.slug]), {"annotator": "ann"})

    assert body == json.loads(out.getvalue())
    (profile,) = source_profiles(ProfileFilter(project=project))
    (source,) = body["sources"]
    assert body["labels"] == ["fact", "opinion", "speculation"]
    assert (source["source"], source["documents"]) == (document.source.name, 1)
    assert source["shares"]["by_sentences"] == {
        share.label.name: {"share": round(share.value, 6), "low": share.low, "high": share.high}
        for share in profile.by_sentences
    }
    ann = only_ann.json()
    assert ann["filters"]["annotator"] == "ann"
    assert ann["sources"][0]["basis_text"] == "ann's labels"
    shares = ann["sources"][0]["shares"]["by_sentences"]
    assert [shares[name]["share"] for name in ann["labels"]] == [0.0, 1.0, 0.0]
    unknown = client.get(reverse("api-profiles", args=[project.slug]), {"annotator": "zed"})
    assert unknown.json()["errors"] == {"annotator": ["No member 'zed' in this project."]}
    story = client.get(reverse("api-profiles", args=[project.slug]), {"story": "Визит"})
    assert story.json()["errors"] == {"story": ["No story named 'Визит'."]}


def test_gold_lists_the_reviewers_spans(labelled):
    project, document, reviewer, client = labelled
    gold_create(
        project=project,
        document=document,
        reviewer=reviewer,
        label=factories.project_label(project, "opinion"),
        start=0,
        end=6,
    )
    (span,) = client.get(reverse("api-gold", args=[project.slug])).json()["results"]
    assert (span["label"], span["quote"], span["reviewer"]) == (
        "opinion",
        "Токаев",
        reviewer.username,
    )


def test_predictions_are_suggestions_of_their_agent_all_or_nothing(labelled):
    project, document, _, client = labelled
    url = reverse("api-predictions", args=[project.slug])
    good = {"document": document.pk, "label": "speculation", "start": 34, "end": 47,
            "score": 0.81, "agent": "my-bert-v3"}  # fmt: skip

    refused = client.post(
        url,
        json.dumps(
            [
                good,
                good | {"label": "irony"},
                good | {"end": 999},
                good | {"agent": "cues"},
                good | {"score": 1.5},
            ]
        ),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "4.score": ["Ensure this value is less than or equal to 1."],
    }
    refused = client.post(url, json.dumps([good, good | {"label": "irony"}, good | {"end": 999},
                                           good | {"agent": "cues"}]),
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "1.label": ["No label 'irony' in this project."],
        "2.non_field_errors": [f"Offsets 34–999 are outside the text (0–{len(TEXT)})."],
        "3.agent": ["'cues' is a built-in suggester's name; name your model otherwise."],
    }
    assert not Suggestion.objects.exists()

    stored = client.post(
        url, json.dumps(good | {"agent_version": "3.1"}), content_type="application/json"
    )

    assert stored.status_code == 201
    assert stored.json() | {"id": 0, "created_at": ""} == {
        "id": 0, "document": document.pk, "label": "speculation", "start": 34, "end": 47,
        "quote": TEXT[34:47], "score": 0.81, "agent": "my-bert-v3", "agent_version": "3.1",
        "created_at": "",
    }  # fmt: skip
    row = Suggestion.objects.get()
    assert (row.project, row.document, row.label.name, row.agent, row.agent_version) == (
        project, document, "speculation", "my-bert-v3", "3.1"
    )  # fmt: skip
    assert (row.start, row.end, row.quote, row.score) == (34, 47, TEXT[34:47], 0.81)
    # A built-in suggester's rows are not the predictions resource's.
    Suggestion.objects.create(
        project=project, document=document, start=0, end=6, quote=TEXT[0:6],
        label=row.label, score=0.5, agent="cues",
    )  # fmt: skip
    listed = client.get(url).json()
    assert [(p["agent"], p["quote"]) for p in listed["results"]] == [("my-bert-v3", TEXT[34:47])]
    assert client.get(url, {"agent": "other"}).json()["count"] == 0
    assert client.get(url, {"updated_since": "2999-01-01"}).json()["count"] == 0


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "sentences-csv"])
def test_an_export_is_a_job_to_poll_then_a_file_to_download(labelled, fmt, tmp_path):
    project, _, _, client = labelled

    started = client.post(
        reverse("api-exports", args=[project.slug]),
        json.dumps({"format": fmt, "annotators": ["ann"]}),
        content_type="application/json",
    )

    assert started.status_code == 202
    job = client.get(reverse("api-job", args=[started.json()["id"]])).json()
    assert (job["kind"], job["state"], job["project"]) == ("export_dataset", "done", "newsroom")
    download = client.get(job["download"])
    assert download.status_code == 200
    real_fmt = "sentences" if fmt == "sentences-csv" else fmt
    expected = export_to_path(
        project=project,
        fmt=real_fmt,
        path=tmp_path / f"x.{'csv' if fmt != 'jsonl' else 'jsonl'}",
        filters=ExportFilters(annotators=["ann"]),
    )
    assert b"".join(download.streaming_content) == expected.read_bytes()
    listed = client.get(reverse("api-exports", args=[project.slug])).json()
    assert [j["id"] for j in listed["results"]] == [job["id"]]


def test_an_export_with_a_bad_filter_is_refused_before_any_job(labelled):
    project, _, _, client = labelled
    response = client.post(
        reverse("api-exports", args=[project.slug]),
        json.dumps({"format": "jsonl", "sources": ["Нет такого"]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == 'Unknown source: "Нет такого".'
    assert not Job.objects.exists()
    bad_format = client.post(
        reverse("api-exports", args=[project.slug]),
        json.dumps({"format": "xlsx"}),
        content_type="application/json",
    )
    assert bad_format.json()["errors"] == {"format": ['"xlsx" is not a valid choice.']}


def test_a_models_predictions_are_shown_to_annotators_as_suggestions(labelled):
    """The third source of suggestions: what a model pushes through the API reaches the
    workspace like the built-in suggesters' (outlined, with its agent and score)."""
    project, document, _, client = labelled
    pushed = client.post(
        reverse("api-predictions", args=[project.slug]),
        json.dumps({"document": document.pk, "label": "speculation", "start": 34, "end": 47,
                    "score": 0.81, "agent": "my-bert-v3"}),
        content_type="application/json",
    )  # fmt: skip
    assert pushed.status_code == 201
    analyst = Client()
    analyst.force_login(Membership.objects.get(project=project, user__username="ann").user)
    listed = analyst.get(reverse("suggestion_list", args=[project.slug, document.pk])).json()
    assert [
        (s["label_name"], s["score"], s["agent"], s["start"], s["end"])
        for s in listed["suggestions"]
    ] == [("speculation", 0.81, "my-bert-v3", 34, 47)]
