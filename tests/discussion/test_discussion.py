"""Discussion: comments on a document or a passage, threads, mentions, sending back.

Blindness between annotators is the rule every test here leans on: an annotator reads
only the comments concerning them, never what is said about another annotator's work.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotator.discussion.selectors import document_threads, mentioned_names
from annotator.discussion.services import CommentRejected, comment_create, document_reopen
from annotator.models import Comment, DocumentProgress, Membership, Mention
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Токаев 😀 считает, что визит важен. Путин прибывает завтра."


class World:
    pass


@pytest.fixture
def w():
    world = World()
    world.project = factories.ProjectFactory(slug="kz")
    world.anna = factories.MembershipFactory(project=world.project, user__username="anna")
    world.boris = factories.MembershipFactory(project=world.project, user__username="boris")
    world.rita = factories.MembershipFactory(
        project=world.project, user__username="rita", role=Membership.Role.REVIEWER
    )
    world.document = factories.DocumentFactory(text=TEXT, title="Визит")
    factories.ProjectDocumentFactory(project=world.project, document=world.document)
    return world


def say(w, member, text, **kwargs):
    return comment_create(
        project=w.project, membership=member, document=w.document, text=text, **kwargs
    )


def page(client, user, w):
    client.force_login(user)
    return client.get(reverse("document", args=[w.project.slug, w.document.pk])).content.decode()


def post(client, user, w, name, data, htmx=True):
    client.force_login(user)
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse(name, args=[w.project.slug, w.document.pk])
    return client.post(url, data, headers=headers)


# ---------------------------------------------------------------- who reads what


def test_an_annotators_comment_is_read_by_reviewers_not_by_other_annotators(client, w):
    say(w, w.anna, "Здесь мнение или факт?")
    assert "Здесь мнение или факт?" in page(client, w.anna.user, w)
    assert "Здесь мнение или факт?" in page(client, w.rita.user, w)
    boris_sees = page(client, w.boris.user, w)
    assert "Здесь мнение или факт?" not in boris_sees
    assert "No comments on this document yet." in boris_sees


def test_a_reviewer_addresses_one_annotator_or_reviewers_only(client, w):
    say(w, w.rita, "Анна, это прогноз.", concerning_id=w.anna.user_id)
    say(w, w.rita, "Только для проверяющих.")
    anna, boris = page(client, w.anna.user, w), page(client, w.boris.user, w)
    assert "Анна, это прогноз." in anna and "Анна, это прогноз." not in boris
    assert "Только для проверяющих." not in anna and "Только для проверяющих." not in boris
    assert "about anna's work" in page(client, w.rita.user, w)


def test_a_reviewer_cannot_address_another_reviewer_and_nothing_is_written(w):
    with pytest.raises(CommentRejected) as exc:
        say(w, w.rita, "Текст", concerning_id=w.rita.user_id)
    assert str(exc.value) == "Address the comment to an annotator of this project."
    assert not Comment.objects.exists()


def test_an_annotator_cannot_address_a_colleague(w):
    comment = say(w, w.anna, "Вопрос", concerning_id=w.boris.user_id)
    assert comment.concerning_id == w.anna.user_id  # always about their own work


# ---------------------------------------------------------------- passages and threads


def test_a_passage_comment_keeps_code_point_offsets_and_the_quote(client, w):
    start = TEXT.index("считает")
    end = start + len("считает")
    response = post(
        client,
        w.anna.user,
        w,
        "comment_add",
        {"text": "Это мнение", "start": start, "end": end, "quote": "считает"},
    )
    assert response.status_code == 200
    comment = Comment.objects.get()
    # Code points: the emoji before the word counts as one.
    assert (comment.start, comment.end, comment.quote) == (9, 16, "считает")
    assert "«считает»" in response.content.decode()


def test_a_stale_passage_is_refused_and_nothing_is_written(client, w):
    response = post(
        client,
        w.anna.user,
        w,
        "comment_add",
        {"text": "Это мнение", "start": 0, "end": 6, "quote": "Путин!"},
    )
    body = response.content.decode()
    assert "The quoted text does not match the document at these offsets" in body
    assert "Это мнение" in body  # the text is kept in the form
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused(w):
    with pytest.raises(CommentRejected) as exc:
        say(w, w.anna, "   ")
    assert str(exc.value) == "Write something first: the comment is empty."
    assert not Comment.objects.exists()


def test_replies_join_the_thread_and_inherit_who_reads_it(client, w):
    first = say(w, w.rita, "Анна, проверьте.", concerning_id=w.anna.user_id, start=0, end=6)
    post(client, w.anna.user, w, "comment_add", {"text": "Исправила.", "parent": first.pk})
    reply = Comment.objects.get(parent=first)
    assert (reply.concerning_id, reply.start, reply.end) == (w.anna.user_id, 0, 6)
    # A reply to a reply joins the same thread.
    nested = say(w, w.rita, "Спасибо.", parent=reply)
    assert nested.parent_id == first.pk
    threads = document_threads(w.project, w.rita, w.document.pk)
    assert [(t.comment.text, [r.text for r in t.replies]) for t in threads] == [
        ("Анна, проверьте.", ["Исправила.", "Спасибо."])
    ]


def test_a_reply_to_a_comment_one_may_not_read_is_a_404_and_writes_nothing(client, w):
    hers = say(w, w.anna, "Мой вопрос")
    response = post(client, w.boris.user, w, "comment_add", {"text": "Ответ", "parent": hers.pk})
    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_threads_are_read_in_one_query(w):
    for n in range(5):
        first = say(w, w.anna, f"Вопрос {n}")
        say(w, w.rita, f"Ответ {n}", parent=first)
    with CaptureQueriesContext(connection) as queries:
        threads = document_threads(w.project, w.rita, w.document.pk)
        [(t.comment.author.username, [r.author.username for r in t.replies]) for t in threads]
    assert len(queries) == 1


def test_the_document_page_costs_the_same_queries_with_many_comments(client, w):
    page(client, w.rita.user, w)  # the first view records "last opened"
    with CaptureQueriesContext(connection) as none:
        page(client, w.rita.user, w)
    say(w, w.anna, "Вопрос")
    with CaptureQueriesContext(connection) as one:
        body = page(client, w.rita.user, w)
    assert "Вопрос" in body
    for n in range(10):
        first = say(w, w.anna, f"Вопрос {n} @rita")
        say(w, w.rita, f"Ответ {n}", parent=first)
    with CaptureQueriesContext(connection) as many:
        body = page(client, w.rita.user, w)
    assert "Ответ 9" in body
    # Without a comment the threads are not read; with any, in one query.
    assert len(many) == len(one) == len(none) + 1


# ---------------------------------------------------------------- mentions


def test_mentioned_names_skip_email_addresses():
    assert mentioned_names("@rita и @anna, пишите на a@b.ru; ещё раз @rita.") == ["rita", "anna"]


def test_a_mention_lists_the_comment_for_the_member_and_counts_on_home(client, w):
    say(w, w.anna, "@rita посмотрите, пожалуйста")
    assert list(Mention.objects.values_list("user__username", flat=True)) == ["rita"]
    client.force_login(w.rita.user)
    assert 'id="mentions-badge"' in client.get(reverse("home")).content.decode()
    listed = client.get(reverse("mentions")).content.decode()
    assert "посмотрите, пожалуйста" in listed and "1 unread mention." in listed
    client.post(reverse("mentions_read"))
    assert Mention.objects.get().seen_at is not None
    assert 'id="mentions-badge"' not in client.get(reverse("home")).content.decode()


def test_mentioning_someone_who_may_not_read_the_comment_is_refused(w):
    with pytest.raises(CommentRejected) as exc:
        say(w, w.anna, "@boris а ты как отметил?")
    assert str(exc.value) == (
        "@boris cannot read this comment: mention reviewers, managers or the annotator it concerns."
    )
    with pytest.raises(CommentRejected):
        say(w, w.rita, "@boris глянь", concerning_id=w.anna.user_id)
    with pytest.raises(CommentRejected):  # not a member: the same answer
        say(w, w.anna, "@nobody глянь")
    assert not Comment.objects.exists() and not Mention.objects.exists()


def test_the_mention_list_offers_who_may_read(client, w):
    body = page(client, w.anna.user, w)
    members = body.split('id="mention-members"')[1].split("</script>")[0]
    assert '"rita"' in members and '"boris"' in members  # boris only if addressed (JS)
    assert '"reviews": false' in members and '"reviews": true' in members


def test_the_mentions_page_costs_the_same_queries_with_many_mentions(client, w):
    say(w, w.anna, "@rita один")
    client.force_login(w.rita.user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mentions"))
    for n in range(10):
        say(w, w.anna, f"@rita вопрос {n}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("mentions")).content.decode()
    assert "11 unread mentions." in body
    assert len(many) == len(few)


def test_mentions_page_is_empty_at_first(client, w):
    client.force_login(w.anna.user)
    body = client.get(reverse("mentions")).content.decode()
    assert "Nobody has mentioned you yet." in body


def test_a_mention_in_a_comment_no_longer_readable_is_not_listed(client, w):
    say(w, w.anna, "@rita вопрос")
    w.rita.role = Membership.Role.ANNOTATOR  # no longer a reviewer
    w.rita.save()
    client.force_login(w.rita.user)
    assert "вопрос" not in client.get(reverse("mentions")).content.decode()


# ---------------------------------------------------------------- reopen


def test_a_reviewer_sends_a_done_document_back_with_a_comment(client, w):
    DocumentProgress.objects.create(
        project=w.project, document=w.document, annotator=w.anna.user, done_at=timezone.now()
    )
    response = post(
        client,
        w.rita.user,
        w,
        "document_reopen",
        {"annotator": w.anna.user_id, "text": "Пропущено мнение во втором предложении."},
    )
    assert response.status_code == 200
    progress = DocumentProgress.objects.get()
    assert progress.done_at is None
    comment = Comment.objects.get()
    assert (comment.kind, comment.concerning_id) == ("reopen", w.anna.user_id)
    client.force_login(w.anna.user)
    queue = client.get(reverse("project", args=[w.project.slug])).content.decode()
    assert "Reopened" in queue and "Пропущено мнение во втором предложении." in queue
    assert "Sent back to you" in page(client, w.anna.user, w)
    # Boris's queue and page show nothing of it.
    client.force_login(w.boris.user)
    assert "Reopened" not in client.get(reverse("project", args=[w.project.slug])).content.decode()
    assert "Пропущено мнение" not in page(client, w.boris.user, w)
    # Marked done again: the queue says Done, the page no longer says sent back.
    client.force_login(w.anna.user)
    client.post(reverse("document_done", args=[w.project.slug, w.document.pk]), {"done": "1"})
    queue = client.get(reverse("project", args=[w.project.slug])).content.decode()
    assert "Reopened" not in queue
    assert "Sent back to you" not in page(client, w.anna.user, w)


def test_only_reviewers_send_back_and_only_to_annotators(w):
    with pytest.raises(CommentRejected) as exc:
        document_reopen(
            project=w.project,
            membership=w.anna,
            document=w.document,
            annotator_id=w.boris.user_id,
            text="Переделай",
        )
    assert str(exc.value) == "Only reviewers and managers can send a document back."
    with pytest.raises(CommentRejected) as exc:
        document_reopen(
            project=w.project,
            membership=w.rita,
            document=w.document,
            annotator_id=w.rita.user_id,
            text="Переделай",
        )
    assert str(exc.value) == "Address the comment to an annotator of this project."
    assert not Comment.objects.exists()


def test_a_refused_comment_without_javascript_comes_back_with_the_reason(client, w):
    response = post(client, w.anna.user, w, "comment_add", {"text": ""}, htmx=False)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Comment: This field is required." in body
    assert not Comment.objects.exists()
