"""The stories admin: the list with its counts, the links to compare outlets, suggestions."""

import datetime

import pytest
from django.urls import reverse

from annotator.models import Story
from tests.support import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:annotator_story_changelist")
SUGGEST = reverse("admin:annotator_story_suggest")


@pytest.fixture
def visit(project):
    texts = [
        "Визит. Вчера Путин прилетел в Астану, где его встретил Токаев. Саммит ОДКБ прошёл.",
        "Итоги. Лидеры Путин и Токаев обсудили в Астане повестку ОДКБ.",
    ]
    documents = []
    for i, text in enumerate(texts):
        document = factories.DocumentFactory(
            source=factories.SourceFactory(name=f"Outlet {i}"),
            title=f"Text {i}",
            text=text,
            published_on=datetime.date(2024, 5, 6 + i),
        )
        factories.ProjectDocumentFactory(project=project, document=document)
        documents.append(document)
    return documents


def test_the_list_counts_documents_and_outlets(manager_client, visit):
    story = Story.objects.create(name="Визит")
    story.documents.set(visit)
    factories.DocumentFactory(source=visit[0].source).stories.add(story)
    content = manager_client.get(CHANGELIST).content.decode()
    assert '<td class="field-documents_column">3</td>' in content
    assert '<td class="field-outlets_column">2</td>' in content
    assert f'href="{SUGGEST}"' in content


def test_the_story_page_links_to_each_projects_sources_filtered_to_it(
    manager_client, project, visit
):
    story = Story.objects.create(name="Визит")
    story.documents.set(visit)
    page = manager_client.get(reverse("admin:annotator_story_change", args=[story.pk]))
    sources = f"{reverse('sources')}?project={project.slug}&amp;story={story.pk}"
    assert f'<a href="{sources}">Sources of {project.name}</a>' in page.content.decode()


def test_suggestions_are_listed_and_the_ticked_ones_created(manager_client, project, visit):
    page = manager_client.get(SUGGEST, {"project": project.pk, "days": 3, "min_shared": 3})
    content = page.content.decode()
    assert "1 suggested story" in content
    assert "Астану, ОДКБ, Путин (2024-05-06–2024-05-07)" in content
    assert "Text 1 (Outlet 1, 2024-05-07)" in content
    assert not Story.objects.exists()  # listing writes nothing

    done = manager_client.post(
        SUGGEST, {"project": project.pk, "days": 3, "min_shared": 3, "chosen": "0"}, follow=True
    )
    assert "Created 1 story: «Астану, ОДКБ, Путин (2024-05-06–2024-05-07)»." in (
        done.content.decode()
    )
    (story,) = Story.objects.all()
    assert set(story.documents.all()) == set(visit)


def test_nothing_ticked_creates_nothing(manager_client, visit):
    done = manager_client.post(SUGGEST, {"days": 3, "min_shared": 3}, follow=True)
    assert "Tick the stories to create." in done.content.decode()
    assert not Story.objects.exists()


def test_no_suggestion_is_said_so(manager_client, visit):
    page = manager_client.get(SUGGEST, {"days": 3, "min_shared": 9})
    assert "No groups found" in page.content.decode()


def test_bad_parameters_are_explained(manager_client, visit):
    page = manager_client.get(SUGGEST, {"days": -1, "min_shared": 3})
    assert "Ensure this value is greater than or equal to 0." in page.content.decode()
    assert "suggested stor" not in page.content.decode()
