"""Report pages show only what the projects the viewer reviews hold.

Sources are shared by every project. A source's page named any source by id, so a
manager of one project read the names of sources only other projects use.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotator.models import Membership
from tests.support import factories
from tests.support.labelling import label_sentence, member

pytestmark = pytest.mark.django_db

SECRET = "Закрытый источник"


@pytest.fixture
def projects(client):
    demo = factories.ProjectFactory(slug="demo")
    hidden = factories.ProjectFactory(slug="hidden")
    manager = member(demo, "demo-manager", Membership.Role.MANAGER)
    annotator = member(hidden, "hidden-annotator")
    source = factories.SourceFactory(name=SECRET)
    document = factories.DocumentFactory(source=source, title="Секрет")
    factories.ProjectDocumentFactory(project=hidden, document=document)
    label_sentence(hidden, document, 0, "fact", annotator=annotator)
    client.force_login(manager)
    return demo, hidden, manager, source


def test_a_source_only_other_projects_use_is_not_found(client, projects):
    demo, _, _, source = projects
    response = client.get(f"{reverse('source', args=[source.pk])}?project=demo")
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_it_is_not_found_without_a_project_either(client, projects):
    _, _, _, source = projects
    response = client.get(reverse("source", args=[source.pk]))
    assert response.status_code == 404


def test_nor_with_the_other_projects_slug(client, projects):
    _, _, _, source = projects
    response = client.get(f"{reverse('source', args=[source.pk])}?project=hidden")
    assert response.status_code == 404


def test_the_sources_page_does_not_list_it(client, projects):
    response = client.get(f"{reverse('sources')}?project=demo")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_a_reviewer_of_both_projects_sees_it(client, projects):
    demo, hidden, _, source = projects
    both = member(demo, "both", Membership.Role.REVIEWER)
    factories.MembershipFactory(project=hidden, user=both, role=Membership.Role.REVIEWER)
    client.force_login(both)
    url = reverse("source", args=[source.pk])
    assert SECRET in client.get(f"{url}?project=hidden").content.decode()
    # In the project that does not use it: the page says so.
    page = client.get(f"{url}?project=demo")
    assert page.status_code == 200
    assert "This source has no documents in" in page.content.decode()
