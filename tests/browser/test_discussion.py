"""Discussion in a real browser: a passage comment with a mention chosen from the list,
a reviewer's reply, and sending the document back to the annotator."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from annotator.models import Comment, DocumentProgress, Membership, Mention
from tests.support import factories
from tests.support.browser import drag_select, log_in, make_workspace, open_document, seed_text

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_script_errors")]


@pytest.fixture
def workspace(transactional_db):
    workspace = make_workspace(seed_text("000"))
    reviewer = factories.UserFactory(username="rita")
    factories.MembershipFactory(
        project=workspace.project, user=reviewer, role=Membership.Role.REVIEWER
    )
    return workspace


def test_comment_on_a_passage_mention_a_reviewer_and_get_the_document_back(
    page, live_server, workspace
):
    document = workspace.documents[0]
    text = document.text
    phrase = "Владимир Путин"
    start = text.index(phrase)
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    discussion = page.locator("#discussion")
    expect(discussion).to_contain_text("No comments on this document yet.")

    # A passage comment, with the reviewer chosen from the mention list.
    drag_select(page, text, start, start + len(phrase))
    page.click("[data-action=comment-passage]")
    expect(page.locator("#comment-form .comment-on-what")).to_have_text(f"«{phrase}»")
    field = page.locator("#comment-text")
    field.press_sequentially("Это факт? @ri")
    options = page.locator("#discussion .mention-list li")
    expect(options).to_have_text(["@rita"])  # analyst2 may not read it: not offered
    field.press("Enter")
    expect(field).to_have_value("Это факт? @rita ")
    page.click("#comment-form button[type=submit]")
    expect(discussion.locator(".thread .comment-text")).to_have_text("Это факт? @rita")
    expect(discussion.locator(".comment-quote")).to_have_text(f"«{phrase}»")
    comment = Comment.objects.get()
    assert (comment.start, comment.end, comment.quote) == (start, start + len(phrase), phrase)
    assert list(Mention.objects.values_list("user__username", flat=True)) == ["rita"]
    page.click("#doc-text")  # the keys work on the text again
    DocumentProgress.objects.update_or_create(
        project=workspace.project,
        document=document,
        annotator=workspace.analyst,
        defaults={"done_at": timezone.now()},
    )

    # The colleague sees nothing of it.
    page.context.clear_cookies()
    log_in(page, live_server, "analyst2")
    open_document(page, live_server, workspace)
    expect(discussion).to_contain_text("No comments on this document yet.")

    # The reviewer finds it among their mentions, replies, and sends the document back.
    page.context.clear_cookies()
    log_in(page, live_server, "rita")
    expect(page.locator("#mentions-badge")).to_have_text("1 new")
    page.click(".mentions-line a")
    page.click(".mentions a[href*='#comment-']")
    expect(discussion).to_contain_text("Это факт? @rita")
    reply = discussion.locator(".reply-form textarea")
    reply.fill("Да, это факт.")
    reply.press("Tab")
    discussion.locator(".reply-form button").click()
    expect(discussion.locator(".reply .comment-text")).to_have_text("Да, это факт.")
    discussion.locator("details.reopen summary").click()
    page.select_option("#reopen-annotator", label="analyst1")
    page.fill("#reopen-text", "Отметьте и второе упоминание.")
    page.click("#reopen-form button[type=submit]")
    expect(discussion.locator(".comment.is-reopen")).to_contain_text(
        "Отметьте и второе упоминание."
    )
    assert DocumentProgress.objects.get(annotator=workspace.analyst).done_at is None

    # The annotator's queue shows it reopened with the comment, and so does the page.
    page.context.clear_cookies()
    log_in(page, live_server, "analyst1")
    page.goto(f"{live_server.url}/p/{workspace.project.slug}/")
    row = page.locator("table.queue tbody tr").first
    expect(row.locator(".badge.reopened")).to_have_text("Reopened")
    expect(row).to_contain_text("Отметьте и второе упоминание.")
    open_document(page, live_server, workspace)
    expect(page.locator(".reopened-note")).to_contain_text("Отметьте и второе упоминание.")
    expect(discussion.locator(".reply .comment-text")).to_have_text("Да, это факт.")
