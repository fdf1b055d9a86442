"""The workspace's export page and its streamed downloads."""

import io
import json
import warnings
import zipfile

import pyarrow.parquet as pq
import pytest
from django.contrib.auth import get_user_model
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from tests.support import export_data, factories

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _no_static_root_warning():
    # WhiteNoise warns that STATIC_ROOT was not collected; no static file is served here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        yield


@pytest.fixture
def data():
    return export_data.build()


def member(project, role):
    user = User.objects.create(username=f"{role}-user")
    factories.MembershipFactory(project=project, user=user, role=role)
    return user


def content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("role", ["manager", "reviewer"])
def test_managers_and_reviewers_download_a_streamed_jsonl(data, client, role):
    client.force_login(member(data.project, role))
    response = client.get(reverse("export_dataset", args=["export-test"]), {"format": "jsonl"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="export-test-jsonl-')
    lines = [json.loads(line) for line in content(response).decode("utf-8").splitlines()]
    assert [line["id"] for line in lines] == [9001, 9002, 9003]


def test_the_page_shows_the_form(data, client):
    client.force_login(member(data.project, "manager"))
    response = client.get(reverse("export_dataset", args=["export-test"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="format"' in page and 'value="bundle"' in page
    assert 'value="Канал Б"' in page and 'value="anna"' in page
    assert reverse("export_label_studio_config", args=["export-test"]) in page


def test_annotators_are_refused_and_outsiders_do_not_see_the_project(data, client):
    url = reverse("export_dataset", args=["export-test"])
    client.force_login(data.anna)
    assert client.get(url, {"format": "jsonl"}).status_code == 403
    assert client.get(url).status_code == 403
    client.force_login(User.objects.create(username="outsider"))
    assert client.get(url, {"format": "jsonl"}).status_code == 404
    assert client.get(reverse("export_label_studio_config", args=["export-test"])).status_code == (
        404
    )


def test_anonymous_users_are_sent_to_log_in(data, client):
    response = client.get(reverse("export_dataset", args=["export-test"]), {"format": "jsonl"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_filters_and_bom_from_the_form(data, client):
    client.force_login(member(data.project, "reviewer"))
    response = client.get(
        reverse("export_dataset", args=["export-test"]),
        {"format": "csv", "annotator": ["boris"], "source": ["Канал Б"], "bom": "on"},
    )
    body = content(response).decode("utf-8")
    assert body.startswith("\ufeffdocument_id,")
    assert body.splitlines()[1].startswith("9002,Канал Б,Визит,opinion,")
    assert len(body.splitlines()) == 2


def test_bad_form_shows_the_errors(data, client):
    client.force_login(member(data.project, "manager"))
    response = client.get(
        reverse("export_dataset", args=["export-test"]),
        {"format": "jsonl", "gold_only": "on", "annotator": ["anna"], "since": "soon"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid date." in page
    response = client.get(
        reverse("export_dataset", args=["export-test"]),
        {"format": "jsonl", "gold_only": "on", "annotator": ["anna"]},
    )
    assert response.status_code == 400
    assert "Gold only cannot be combined with annotators" in response.content.decode()


def test_parquet_and_bundle_come_as_files(data, client):
    client.force_login(member(data.project, "manager"))
    url = reverse("export_dataset", args=["export-test"])
    response = client.get(url, {"format": "sentences"})
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert pq.read_table(io.BytesIO(content(response))).num_rows == 5
    response = client.get(url, {"format": "sentences-csv"})
    assert content(response).decode("utf-8").startswith("document_id,source,sentence_index,")
    response = client.get(url, {"format": "bundle"})
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(content(response))) as bundle:
        assert bundle.namelist() == ["documents.jsonl", "sentences.parquet", "README.md"]


def test_label_studio_config_download(data, client):
    client.force_login(member(data.project, "reviewer"))
    response = client.get(reverse("export_label_studio_config", args=["export-test"]))
    assert response.status_code == 200
    assert '<Label value="speculation"/>' in response.content.decode()


def test_project_page_links_the_export_for_reviewers_only(data, client):
    url = reverse("project", args=["export-test"])
    export_url = reverse("export_dataset", args=["export-test"])
    client.force_login(member(data.project, "reviewer"))
    assert export_url in client.get(url).content.decode()
    client.force_login(data.anna)
    assert export_url not in client.get(url).content.decode()
