"""Managers extend the cue lexicon in the admin; the next suggestion run uses their cue."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotator.models import Cue
from tests.support import factories

ADD = reverse("admin:annotator_cue_add")


@pytest.fixture
def document(project):
    document = factories.DocumentFactory(text="Данные сомнительные. Завтра визит.")
    factories.ProjectDocumentFactory(project=project, document=document)
    return document


def test_an_added_cue_is_used_by_the_next_run(admin_client, project, document):
    response = admin_client.post(
        ADD,
        {
            "project": project.pk,
            "phrase": "сомнительный",
            "label": "speculation",
            "weight": "1.5",
            "active": "on",
        },
    )
    assert response.status_code == 302
    out = StringIO()
    call_command("suggest", "--project", project.slug, stdout=out)
    first = json.loads(out.getvalue().splitlines()[0])
    assert (first["label"], first["quote"]) == ("speculation", "Данные сомнительные.")
    assert first["cue_start"] == len("Данные ")


def test_a_cue_for_a_label_the_project_lacks_is_refused(admin_client, project):
    response = admin_client.post(
        ADD, {"project": project.pk, "phrase": "слово", "label": "rumour", "weight": "1"}
    )
    assert response.status_code == 200
    assert f"No label named &#x27;rumour&#x27; in project {project}." in response.text
    assert not Cue.objects.exists()


@pytest.mark.parametrize("name", ["cue", "suggestion", "suggestiondecision"])
def test_changelists_open(admin_client, db, name):
    assert admin_client.get(reverse(f"admin:annotator_{name}_changelist")).status_code == 200
