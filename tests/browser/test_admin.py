"""A manager runs a campaign from the admin in a real browser; the analyst sees the work."""

import json

import pytest
from playwright.sync_api import Page, expect

from annotator.models import Assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "annotate"
ANALYST_PASSWORD = "long enough secret 42"
DOCUMENTS = [
    {"text": "Завтра в Казахстан прибывает президент России.", "title": "Визит в Астану"},
    {"text": "Токаев считает, что нужен международный консорциум.", "title": "Мнение о АЭС"},
]


def log_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # The login form's button (the header also has the language switch's).
    page.locator('form[action*="login"] [type=submit]').first.click()
    expect(page).not_to_have_url(url)


def pick(page: Page, row, text: str) -> None:
    """Choose ``text`` in an autocomplete (select2) field inside ``row``."""
    row.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).click()


def test_manager_sets_up_a_campaign_and_the_analyst_sees_it(
    live_server, page: Page, browser, manager, tmp_path
):
    admin = f"{live_server.url}/admin"
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security" in message.text else None
        ),
    )
    log_in(page, f"{admin}/login/", manager.username)
    expect(page.locator("#site-name")).to_contain_text("Source-bias annotation")

    # A project, its guidelines previewed as they are typed.
    page.goto(f"{admin}/annotator/project/add/")
    page.fill("#id_name", "Выборы 2026")
    page.press("#id_name", "Tab")
    expect(page.locator("#id_slug")).to_have_value("vybory-2026")  # filled in from the name
    page.fill("#id_guidelines", "Отмечайте **факты** отдельно от мнений.")
    expect(page.locator("#guidelines-preview strong")).to_have_text("факты")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("Выборы 2026")

    # An analyst account, added to the project as an annotator.
    page.goto(f"{admin}/auth/user/add/")
    page.fill("#id_username", "olga")
    page.fill("#id_password1", ANALYST_PASSWORD)
    page.fill("#id_password2", ANALYST_PASSWORD)
    page.get_by_role("button", name="Add another Project membership").click()
    pick(page, page.locator("#memberships-0"), "Выборы 2026")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("olga")

    # Import a .jsonl file into the project.
    page.goto(f"{admin}/annotator/document/")
    page.get_by_role("link", name="Import documents").click()
    data = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOCUMENTS)
    page.set_input_files(
        "#id_upload",
        {"name": "batch.jsonl", "mimeType": "application/jsonl", "buffer": data.encode()},
    )
    page.select_option("#id_project", label="Выборы 2026")
    page.fill("#id_default_source", "ТАСС")
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-summary")).to_have_text(
        "2 documents added, 0 skipped as duplicate, 0 rejected"
    )

    # Assign both documents, one annotator each.
    page.goto(f"{admin}/annotator/document/")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "assign")
    page.get_by_role("button", name="Run").click()
    page.get_by_label("olga").check()
    page.fill("#id_per_document", "1")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(
        "2 new assignments of 2 documents to 1 annotator in «Выборы 2026»."
    )
    assert Assignment.objects.filter(annotator__username="olga").count() == 2
    assert refused == []

    # The analyst logs in and sees the documents in the workspace; the admin is closed.
    analyst = browser.new_context().new_page()
    log_in(analyst, f"{live_server.url}/accounts/login/", "olga", ANALYST_PASSWORD)
    analyst.goto(f"{live_server.url}/p/vybory-2026/")
    for document in DOCUMENTS:
        expect(analyst.get_by_text(document["title"])).to_be_visible()
    analyst.goto(f"{admin}/")
    expect(analyst).to_have_url(f"{admin}/login/?next=/admin/")
