"""The rough edges a newcomer met on a first use of the document page (issue 14),
in a real browser."""

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation
from tests.support.browser import (
    drag_select,
    label_selection,
    log_in,
    make_workspace,
    open_document,
    seed_text,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_script_errors")]


@pytest.fixture
def workspace(transactional_db):
    return make_workspace(seed_text("000"), seed_text("001"), seed_text("002"))


def test_with_debug_on_a_refused_edit_keeps_the_page_and_says_why(
    page, live_server, workspace, settings
):
    # `make run` has DEBUG on, which loads django-htmx's debug error handler.
    settings.DEBUG = True
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    assert page.locator("script[src*='django-htmx']").count() == 1
    text = workspace.documents[0].text
    label_selection(page, text, "Владимир Путин", "1")
    # The same label on the same passage again: refused (400).
    start = text.index("Владимир Путин")
    drag_select(page, text, start, start + len("Владимир Путин"))
    page.keyboard.press("1")
    status = page.locator("#status.error")
    expect(status).to_have_text("You already have this label on exactly this passage.")
    expect(page.locator("#doc-text")).to_be_visible()
    expect(page.locator("#ann-list .item")).to_have_count(1)
    # The annotation is deleted in another tab; deleting it here is refused (404).
    annotation = Annotation.objects.get()
    annotation.delete()
    page.click("#ann-list .item .item-main")
    page.keyboard.press("Delete")
    expect(status).to_contain_text("no longer exists")
    expect(page.locator("#doc-text")).to_be_visible()
    expect(page.locator(".toolbar")).to_be_visible()
