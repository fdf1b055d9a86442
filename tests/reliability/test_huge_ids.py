"""Ids no database row can have are refused where they enter, the same on every database.

SQLite's INTEGER and PostgreSQL's bigint stop at 2**63 - 1. A larger id reaching
written-out SQL made SQLite's driver raise OverflowError (a 500) where PostgreSQL found
nothing. Every id in a URL path, a query parameter or a posted field is tried here with
values past that bound, zero, negative and in other scripts' digits: paths answer 404,
query parameters 400, and nothing is written.
"""

from __future__ import annotations

import pytest

from annotator.models import Membership
from annotator.workspace.annotations import annotation_create, annotation_delete
from tests.support import factories
from tests.test_permissions import database_state

pytestmark = pytest.mark.django_db

HUGE = str(2**63)
# Past the bound, far past it, and values that are no id at all.
ODD_IDS = [HUGE, str(2**64 + 1), "9" * 40, "0", "-1", "٣", "３", "³"]


@pytest.fixture
def demo(client):
    """A manager of project ``demo`` with a document, an annotation and a deletion."""
    project = factories.ProjectFactory(slug="demo")
    manager = factories.MembershipFactory(project=project, role=Membership.Role.MANAGER).user
    document = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=document)
    label = factories.project_label(project)
    annotation_create(
        project=project, document=document, annotator=manager, label=label, start=0, end=6
    )
    doomed = annotation_create(
        project=project, document=document, annotator=manager, label=label, start=7, end=9
    )
    annotation_delete(annotation=doomed, actor=manager)
    client.force_login(manager)
    client.raise_request_exception = False
    return project, document


# Every URL with an id in its path, the id written as {id}; the other ids are real.
PATHS = [
    ("get", "/p/demo/d/{id}/"),
    ("get", "/p/demo/d/{id}/previous/"),
    ("get", "/p/demo/d/{id}/next/"),
    ("post", "/p/demo/d/{id}/done/"),
    ("post", "/p/demo/d/{id}/annotations/"),
    ("post", "/p/demo/d/{id}/undo/"),
    ("post", "/p/demo/a/{id}/"),
    ("post", "/p/demo/a/{id}/delete/"),
    ("get", "/p/demo/review/{id}/"),
    ("post", "/p/demo/review/{id}/accept/"),
    ("post", "/p/demo/review/{id}/majority/"),
    ("post", "/p/demo/review/{id}/gold/"),
    ("post", "/p/demo/review/{id}/reviewed/"),
    ("post", "/p/demo/review/{document}/gold/{id}/"),
    ("post", "/p/demo/review/{document}/gold/{id}/delete/"),
    ("post", "/p/demo/history/{id}/restore/"),
    ("get", "/sources/{id}/?project=demo"),
]


@pytest.mark.parametrize("odd", ODD_IDS)
@pytest.mark.parametrize(("method", "path"), PATHS)
def test_an_id_out_of_range_in_a_path_is_a_404(client, demo, method, path, odd):
    project, document = demo
    label = factories.project_label(project)
    url = path.format(id=odd, document=document.pk)
    data = {"label": label.pk, "start": 0, "end": 6, "annotation": 1, "min_agree": 2}
    before = database_state()
    response = getattr(client, method)(url, data if method == "post" else None)
    assert response.status_code == 404
    assert database_state() == before


QUERIES = [
    "/p/demo/?source={id}",
    "/p/demo/history/?document={id}",
    "/p/demo/history/?actor={id}",
    "/p/demo/history/?annotator={id}",
]


@pytest.mark.parametrize("odd", ODD_IDS)
@pytest.mark.parametrize("query", QUERIES)
def test_an_id_out_of_range_in_a_query_is_a_400(client, demo, query, odd):
    before = database_state()
    response = client.get(query.format(id=odd))
    assert response.status_code == 400
    assert database_state() == before


@pytest.mark.parametrize("odd", ODD_IDS)
def test_an_annotation_id_out_of_range_to_accept_as_gold_is_a_404(client, demo, odd):
    project, document = demo
    before = database_state()
    response = client.post(f"/p/demo/review/{document.pk}/accept/", {"annotation": odd})
    assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize("query", QUERIES)
def test_the_largest_id_is_read_and_finds_nothing(client, demo, query):
    response = client.get(query.format(id=2**63 - 1))
    assert response.status_code in (200, 400)  # 400: not one of the form's choices
    response = client.get(f"/p/demo/d/{2**63 - 1}/")
    assert response.status_code == 404


@pytest.mark.parametrize("odd", ODD_IDS)
def test_the_admin_lists_ignore_a_project_filter_that_is_no_id(admin_client, demo, odd):
    response = admin_client.get(f"/admin/annotator/annotation/?project__id__exact={odd}")
    assert response.status_code in (200, 302)  # 302: Django's own "?e=1" for a bad filter


@pytest.mark.parametrize("odd", ODD_IDS)
def test_an_admin_action_ignores_a_project_that_is_no_id(admin_client, demo, odd):
    project, document = demo
    response = admin_client.post(
        "/admin/annotator/document/",
        {"action": "assign", "_selected_action": [document.pk], "project": odd},
    )
    assert response.status_code == 200
    assert "Assign" in response.content.decode()
