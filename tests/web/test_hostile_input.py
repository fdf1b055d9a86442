"""Document texts, titles and notes with HTML or JavaScript are always escaped."""

import re

import pytest

from annotator.workspace.annotations import annotation_create
from tests.support import factories

pytestmark = pytest.mark.django_db

TITLE = "<img src=x onerror=alert(1)>"
TEXT = "<script>alert('текст')</script> и <b>жирный</b>\r\nдальше"
NOTE = '<b onmouseover="alert(2)">note</b>'
RAW = ("<script>alert", "<img src=x", "<b onmouseover", "<b>жирный")


@pytest.fixture
def hostile(client, project):
    manager = factories.MembershipFactory(project=project, role="manager").user
    document = factories.DocumentFactory(title=TITLE, text=TEXT)
    factories.ProjectDocumentFactory(project=project, document=document)
    annotation_create(
        project=project,
        document=document,
        annotator=manager,
        label=factories.project_label(project),
        start=0,
        end=8,
        note=NOTE,
    )
    client.force_login(manager)
    return project, document


def assert_escaped(html: str) -> None:
    for raw in RAW:
        assert raw not in html, raw


def test_pages_escape_hostile_titles_texts_and_notes(client, hostile):
    project, document = hostile
    for url in (
        f"/p/{project.slug}/",
        f"/p/{project.slug}/d/{document.pk}/",
        f"/p/{project.slug}/history/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_escaped(response.content.decode())
    history = client.get(f"/p/{project.slug}/history/").content.decode()
    assert "&lt;b onmouseover=&quot;alert(2)&quot;&gt;note&lt;/b&gt;" in history
    assert "&lt;img src=x onerror=alert(1)&gt;" in history
    assert "&lt;script&gt;" in history


def test_the_save_endpoint_escapes_what_it_sends_back(client, hostile):
    project, document = hostile
    label = factories.project_label(project, "opinion")
    start = TEXT.index("<b>")
    response = client.post(
        f"/p/{project.slug}/d/{document.pk}/annotations/",
        {
            "label": label.pk,
            "start": start,
            "end": start + 13,
            "quote": TEXT[start : start + 13],
            "note": NOTE,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)
    assert re.search(r"&lt;b&gt;жирный&lt;/b&gt;", html)
