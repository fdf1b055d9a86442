"""The document page's cached parts are cached under everything they show.

The parts of the page that are the same on every view (the forms, the links, the help,
the header) are kept between requests (``{% cache %}`` in workspace/document.html,
discussion/_panel.html and annotator/base.html). Each test here views the page as one
person or in one state, then as another, and checks the second view shows its own.
"""

import pytest
from django.urls import reverse

from annotator.models import Label, Membership
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Токаев считает, что визит важен. Путин прибывает завтра."


class World:
    pass


@pytest.fixture
def w():
    world = World()
    world.project = factories.ProjectFactory(slug="kz", name="Визиты")
    world.anna = factories.MembershipFactory(project=world.project, user__username="anna")
    world.boris = factories.MembershipFactory(project=world.project, user__username="boris")
    world.rita = factories.MembershipFactory(
        project=world.project, user__username="rita", role=Membership.Role.REVIEWER
    )
    world.document = factories.DocumentFactory(text=TEXT, title="Визит")
    world.other = factories.DocumentFactory(text=TEXT + " Ещё.", title="Второй")
    for document in (world.document, world.other):
        factories.ProjectDocumentFactory(project=world.project, document=document)
    return world


def page(client, member, document, language="en"):
    client.force_login(member.user)
    url = reverse("document", args=[member.project.slug, document.pk])
    return client.get(url, headers={"accept-language": language}).content.decode()


def test_an_annotator_never_gets_the_reviewers_forms_seen_first(client, w):
    reviewer = page(client, w.rita, w.document)
    assert 'id="comment-concerning"' in reviewer and 'id="reopen-form"' in reviewer
    assert "anna and the reviewers" in reviewer
    anna = page(client, w.anna, w.document)
    assert 'id="comment-concerning"' not in anna and 'id="reopen-form"' not in anna
    assert f'data-concerning="{w.anna.user_id}"' in anna
    # Another annotator's comment form is addressed to them, not to the first one.
    boris = page(client, w.boris, w.document)
    assert f'data-concerning="{w.boris.user_id}"' in boris
    assert f'data-concerning="{w.anna.user_id}"' not in boris


def test_the_links_and_forms_are_the_viewed_documents(client, w):
    first, second = page(client, w.anna, w.document), page(client, w.anna, w.other)
    for body, document in ((first, w.document), (second, w.other)):
        for name in ("annotation_create", "document_next", "comment_add"):
            assert reverse(name, args=[w.project.slug, document.pk]) in body


def test_a_new_member_is_offered_to_address_and_to_mention(client, w):
    page(client, w.rita, w.document)
    factories.MembershipFactory(project=w.project, user__username="vera")
    again = page(client, w.rita, w.document)
    assert "vera and the reviewers" in again
    assert '"name": "vera"' in again


def test_the_project_name_threshold_and_label_colours_show_as_changed(client, w):
    w.anna.suggestions = True
    w.anna.save()
    w.project.suggestions_enabled = True
    w.project.save()
    before = page(client, w.anna, w.document)
    assert "Визиты: queue" in before and "Accept all suggestions ≥ " in before
    w.project.name = "Визиты 2024"
    w.project.suggestion_threshold = 0.75
    w.project.save()
    label = Label.objects.filter(project=w.project).first()
    label.color = "#123456"
    label.save()
    after = page(client, w.anna, w.document)
    assert "Визиты 2024: queue" in after
    assert "Accept all suggestions ≥ 0.75" in after
    css = after.split('rel="stylesheet" href="')[-1].split('"')[0]
    assert css != before.split('rel="stylesheet" href="')[-1].split('"')[0]
    assert "#123456" in client.get(css).content.decode()


def test_suggestion_scripts_and_keys_only_for_members_who_see_suggestions(client, w):
    w.project.suggestions_enabled = True
    w.project.save()
    w.anna.suggestions = True
    w.anna.save()
    w.boris.suggestions = False  # the control group
    w.boris.save()
    assert "suggestions.js" in page(client, w.anna, w.document)
    boris = page(client, w.boris, w.document)
    assert "suggestions.js" not in boris and 'id="suggestion-keys"' not in boris


def test_each_language_gets_its_own_page_parts(client, w):
    english = page(client, w.anna, w.document)
    assert "Save note" in english and "Jobs" in english
    russian = page(client, w.anna, w.document, language="ru")
    assert "Save note" not in russian and "Сохранить примечание" in russian
    assert ">Jobs<" not in russian and ">Задачи<" in russian
    assert "Save note" in page(client, w.anna, w.document)


def test_the_header_shows_the_signed_in_user(client, w):
    assert ">anna</a>" in page(client, w.anna, w.document)
    rita = page(client, w.rita, w.document)
    assert ">rita</a>" in rita and ">anna</a>" not in rita
    assert 'href="/admin/"' not in rita
    w.rita.user.is_staff = True
    w.rita.user.save()
    assert 'href="/admin/"' in page(client, w.rita, w.document)


def test_everyones_view_offers_the_annotators_by_their_ids(client, w):
    # The page's legend (``annotators``: style, name, count) once took the place of the
    # discussion's list of annotators: the send-back list then offered counts as ids.
    factories.AnnotationFactory(project=w.project, document=w.document, annotator=w.anna.user)
    w.project.show_all_annotations = True
    w.project.save()
    client.force_login(w.rita.user)
    url = reverse("document", args=[w.project.slug, w.document.pk])
    body = client.get(url, {"view": "all"}).content.decode()
    reopen = body.split('id="reopen-annotator"')[1].split("</select>")[0]
    assert f'<option value="{w.anna.user_id}">anna</option>' in reopen
    assert f'<option value="{w.boris.user_id}">boris</option>' in reopen
