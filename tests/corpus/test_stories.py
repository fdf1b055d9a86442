"""Stories: the names a text mentions, suggested groups, creating a story."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from annotator.corpus.stories import (
    Candidate,
    StoryRejected,
    project_stories,
    stories_suggest,
    story_create,
    story_from_suggestion,
    suggest_groups,
)
from annotator.models import Story
from annotator.text.keywords import names, surface_forms
from tests.support import factories

DAY = datetime.date(2024, 5, 6)


def test_names_are_capitalised_words_inside_sentences_stemmed():
    text = (
        "Путин прилетел в Астану. Там Путина встретил Токаев.\n"
        "В Москве ждут Токаева. «Это ОДКБ», — сказал Песков: Нур-Султан переименован."
    )
    # «Путин», «Там», «В», «Это» and «Нур-Султан» begin a sentence (or follow a colon).
    assert names(text) == {"астан": 1, "путин": 1, "токае": 2, "москв": 1, "одкб": 1, "песко": 1}
    assert surface_forms(text)["токае"] == "Токаев"


def candidate(pk, days, *words):
    return Candidate(pk, DAY + datetime.timedelta(days=days), frozenset(words))


VISIT = ("путин", "токае", "астан", "одкб")


def test_documents_close_in_time_sharing_names_are_grouped():
    groups = suggest_groups(
        [
            candidate(1, 0, *VISIT),
            candidate(2, 2, *VISIT[:3]),
            candidate(3, 9, *VISIT),  # a week after the others: not the same story
            candidate(4, 1, "байде", "шольц", "париж"),  # same days, other names
            candidate(5, 1, "путин", "токае", "минск"),  # only two names shared
        ]
    )
    assert [[c.id for c in group] for group in groups] == [[1, 2]]


def test_a_group_is_a_chain_of_links():
    chain = [candidate(1, 0, *VISIT), candidate(2, 3, *VISIT), candidate(3, 6, *VISIT)]
    assert [[c.id for c in g] for g in suggest_groups(chain, days=3)] == [[1, 2, 3]]
    assert suggest_groups(chain, days=2) == []
    assert [[c.id for c in g] for g in suggest_groups(chain, days=3, min_shared=5)] == []


def test_names_nearly_every_document_mentions_do_not_link_documents():
    # Twelve documents of one corpus all mention Russia and Putin: that is the corpus's
    # topic, not a story. Two of them also share Astana, Tokayev and the CSTO.
    others = [candidate(pk, 0, "росси", "путин", "кремл", f"x{pk}") for pk in range(3, 13)]
    pair = [candidate(pk, 0, "росси", "путин", "астан", "токае", "одкб") for pk in (1, 2)]
    groups = suggest_groups(pair + others)
    assert [[c.id for c in g] for g in groups] == [[1, 2]]


@pytest.fixture
def visit(db):
    texts = [
        "Визит. Вчера Путин прилетел в Астану, где его встретил Токаев. Саммит ОДКБ прошёл.",
        "Итоги. Лидеры Путин и Токаев обсудили в Астане повестку ОДКБ.",
        "Погода. В Париже идёт дождь, сообщил Макрон.",
    ]
    documents = [
        factories.DocumentFactory(
            source=factories.SourceFactory(name=f"Outlet {i}"),
            title=f"Text {i}",
            text=text,
            published_on=DAY + datetime.timedelta(days=i),
        )
        for i, text in enumerate(texts)
    ]
    return documents


def test_stories_suggest_names_the_group_after_its_names_and_dates(visit):
    (suggestion,) = stories_suggest()
    assert suggestion.document_ids == (visit[0].pk, visit[1].pk)
    # The names both mention, in alphabetical order of their stems, spelled as in the texts.
    assert suggestion.shared == ("Астану", "ОДКБ", "Путин")
    assert suggestion.name == "Астану, ОДКБ, Путин (2024-05-06–2024-05-07)"
    story = story_from_suggestion(suggestion)
    assert set(story.documents.all()) == set(visit[:2])
    assert (story.date_from, story.date_to) == (DAY, DAY + datetime.timedelta(days=1))
    # Grouped documents are not suggested again.
    assert stories_suggest() == []
    assert len(stories_suggest(include_grouped=True)) == 1


def test_stories_suggest_within_a_project(project, visit):
    factories.ProjectDocumentFactory(project=project, document=visit[0])
    assert stories_suggest(project=project) == []
    factories.ProjectDocumentFactory(project=project, document=visit[1])
    assert len(stories_suggest(project=project)) == 1


def test_story_create_refuses_a_taken_name_and_writes_nothing(visit):
    story_create(name="Визит", documents=visit[:1])
    with pytest.raises(StoryRejected) as refused:
        story_create(name=" Визит ", documents=visit[1:])
    assert str(refused.value) == "A story named «Визит» already exists."
    assert list(Story.objects.values_list("name", flat=True)) == ["Визит"]
    assert list(Story.objects.get().documents.all()) == [visit[0]]


def test_story_create_refuses_reversed_dates_and_no_name(db):
    with pytest.raises(StoryRejected) as refused:
        story_create(name="Визит", documents=[], date_from=DAY, date_to=DAY.replace(day=1))
    assert str(refused.value) == "The story «Визит» would end before it begins."
    with pytest.raises(StoryRejected) as refused:
        story_create(name="  ", documents=[])
    assert str(refused.value) == "A story needs a name."
    assert not Story.objects.exists()


def test_project_stories_lists_stories_with_documents_in_the_project(project, visit):
    factories.ProjectDocumentFactory(project=project, document=visit[0])
    inside = story_create(name="Б: визит", documents=visit[:2])
    story_create(name="А: погода", documents=visit[2:])
    assert project_stories(project) == [(inside.pk, "Б: визит")]


def suggest_stories(*args) -> str:
    out = io.StringIO()
    call_command("suggest_stories", *args, stdout=out)
    return out.getvalue()


def test_suggest_stories_command_lists_then_creates(visit):
    listed = suggest_stories()
    assert listed == (
        "Астану, ОДКБ, Путин (2024-05-06–2024-05-07)\n"
        f"  {visit[0].pk}  Text 0\n"
        f"  {visit[1].pk}  Text 1\n"
        "1 suggested story.\n"
    )
    assert not Story.objects.exists()
    assert "  created\n" in suggest_stories("--create")
    assert Story.objects.get().documents.count() == 2
    assert suggest_stories() == "0 suggested stories.\n"


def test_suggest_stories_command_refuses_bad_options(db):
    with pytest.raises(CommandError, match="^No project with the slug 'nope'.$"):
        suggest_stories("--project", "nope")
    with pytest.raises(CommandError, match="^--days must be 0 or more"):
        suggest_stories("--days", "-1")
