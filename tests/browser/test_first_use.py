"""The rough edges a newcomer met on a first use of the document page (issue 14),
in a real browser."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from annotator.datasets.imports.documents import import_paths
from annotator.models import Annotation, Document, Membership, Sentence
from tests.support import factories
from tests.support.browser import (
    drag_select,
    label_selection,
    log_in,
    make_workspace,
    open_document,
    page_ready,
    seed_text,
)
from tests.support.labelling import label_sentence, member

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


def in_view(page, selector: str) -> bool:
    """Whether the element's box lies inside the viewport."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
        }""",
        selector,
    )


def test_after_scrolling_the_preview_and_the_status_stay_in_view(page, live_server, workspace):
    page.set_viewport_size({"width": 1280, "height": 600})
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    text = workspace.documents[0].text
    phrase = "визит Путина в Казахстан"  # near the end: the page scrolls to it
    start = text.index(phrase)
    drag_select(page, text, start, start + len(phrase))
    expect(page.locator("#preview")).to_contain_text(f"«{phrase}»")
    assert page.evaluate("window.scrollY") > 300
    assert in_view(page, "#preview")
    page.keyboard.press("1")
    expect(page.locator("#status")).to_have_text(f"Saved «{phrase}» as Fact.")
    assert in_view(page, "#status")


def test_a_click_in_sentence_mode_only_chooses_the_sentence(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    page.keyboard.press("s")
    sentence = page.locator('#doc-text .sent[data-i="2"]')
    sentence.click()
    expect(sentence).to_be_focused()
    expect(page.locator("#preview")).to_contain_text("press 1 Fact")
    page.wait_for_timeout(300)  # a save, were one sent, would be back by now
    assert not Annotation.objects.exists()
    page.keyboard.press("2")
    expect(page.locator("#ann-list .item")).to_have_count(1)
    assert Annotation.objects.get().label.name == "opinion"


def test_after_a_save_nothing_is_chosen_so_stray_keys_do_not_touch_it(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    text = workspace.documents[0].text
    label_selection(page, text, "Касым-Жомартом Токаевым", "1")
    # Choose it, then label another passage: neither stays chosen.
    page.click("#ann-list .item .item-main")
    expect(page.locator("#editor")).to_be_visible()
    label_selection(page, text, "Владимир Путин", "1")
    expect(page.locator("#editor")).to_be_hidden()
    expect(page.locator("#ann-list .is-chosen")).to_have_count(0)
    page.keyboard.press("Backspace")
    page.keyboard.press("Delete")
    page.keyboard.press("2")
    expect(page.locator("#status")).to_contain_text("Select a passage first")
    page.wait_for_timeout(300)
    assert sorted(Annotation.objects.values_list("quote", "label__name")) == [
        ("Владимир Путин", "fact"),
        ("Касым-Жомартом Токаевым", "fact"),
    ]


@pytest.fixture
def reviewed(transactional_db):
    """The seed texts in a project where two analysts labelled sentences and Rita reviews."""
    project = factories.ProjectFactory(slug="seeds", name="Seeds")
    import_paths([settings.BASE_DIR / "seeds"], project=project)
    analysts = [member(project, "analyst1"), member(project, "analyst2")]
    member(project, "rita", Membership.Role.REVIEWER)
    for document in Document.objects.all():
        for index, labels in enumerate([("fact", "fact"), ("opinion", "speculation")]):
            for analyst, label in zip(analysts, labels, strict=True):
                label_sentence(project, document, index, label, annotator=analyst)
    return project


def shoot(page, name: str) -> None:
    """Keep a screenshot in $SCREENSHOTS (a folder), when set: to look at the pages."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        size = page.viewport_size
        page.screenshot(path=str(Path(folder) / f"{name}-{size['width']}x{size['height']}.png"))


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 720)])
def test_pages_fit_the_screen_with_log_out_in_reach(page, live_server, reviewed, width, height):
    reviewed.show_all_annotations = True
    reviewed.save()
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, "rita")
    document = Document.objects.order_by("pk").first()
    pages = {
        "queue": f"/p/{reviewed.slug}/",
        "sources": f"/sources/?project={reviewed.slug}",
        "agreement": f"/p/{reviewed.slug}/agreement/",
        "document": f"/p/{reviewed.slug}/d/{document.pk}/?view=all",
        "projects": "/",
    }
    for name, url in pages.items():
        page.goto(live_server.url + url)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{name} is {scroll_width} px wide"
        log_out = page.get_by_role("button", name="Log out")
        box = log_out.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, name
        if name == "document":  # with the note editor open
            page_ready(page)
            page.locator("#doc-text mark").first.click()
            expect(page.locator("#editor")).to_be_visible()
        shoot(page, name)


def open_first_document(page, live_server, project, username="analyst1"):
    document = Document.objects.order_by("pk").first()
    log_in(page, live_server, username)
    page.goto(f"{live_server.url}/p/{project.slug}/d/{document.pk}/")
    page_ready(page)


def test_keyboard_focus_on_the_text_shows(page, live_server, reviewed):
    open_first_document(page, live_server, reviewed)
    panel = page.locator(".text-col")
    focused = panel.evaluate("(el) => getComputedStyle(el).boxShadow")
    page.locator("#guidelines summary").focus()
    assert panel.evaluate("(el) => getComputedStyle(el).boxShadow") != focused
    page.locator("#doc-text").focus()
    assert panel.evaluate("(el) => getComputedStyle(el).boxShadow") == focused != "none"


def test_the_note_editor_is_not_under_the_sticky_bar(page, live_server, reviewed):
    # Nine labels: the toolbar takes two rows at 1280 px.
    for n, name in enumerate(["rumour", "quote", "irony", "claim", "denial", "appeal"], start=4):
        factories.LabelFactory(project=reviewed, name=name, hotkey=str(n))
    # An annotation far down the text: choosing it scrolls the page to it.
    document = Document.objects.order_by("pk").first()
    last = Sentence.objects.filter(document=document).order_by("-index").first()
    analyst = Membership.objects.get(project=reviewed, user__username="analyst1").user
    label_sentence(reviewed, document, last.index, "fact", annotator=analyst)
    page.set_viewport_size({"width": 1280, "height": 720})
    open_first_document(page, live_server, reviewed)
    page.locator("#ann-list .item-main").last.click()
    assert page.evaluate("window.scrollY") > 300
    page.keyboard.press("n")
    expect(page.locator("#ed-note")).to_be_focused()
    # Whatever stays at the top while the page scrolls (the toolbar, with the status line).
    bar_bottom = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('.toolbar, #sticky-bar')]
            .map((el) => el.getBoundingClientRect().bottom))"""
    )
    assert page.locator("#editor").bounding_box()["y"] >= bar_bottom
    shoot(page, "document-note")


def test_a_long_undo_label_does_not_wrap_the_toolbar(page, live_server, workspace):
    page.set_viewport_size({"width": 1100, "height": 720})
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    toolbar = page.locator(".toolbar")
    height = toolbar.bounding_box()["height"]
    text = workspace.documents[0].text
    phrase = "Владимир Путин 27 ноября посетил Астану с государственным визитом"
    label_selection(page, text, phrase, "1")
    undo = page.locator("#undo-box button")
    expect(undo).to_contain_text("Undo adding")
    assert toolbar.bounding_box()["height"] == height
    expect(undo).to_have_attribute("title", f"Undo adding «{phrase[:39]}…»")


def test_a_chosen_span_does_not_hide_the_spans_inside_it(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    text = workspace.documents[0].text
    label_selection(page, text, "Владимир Путин 27 ноября посетил Астану", "1")
    label_selection(page, text, "27 ноября", "2")
    outer, inner = Annotation.objects.order_by("-end")
    page.locator(f"#ann-{outer.pk} .item-main").click()
    chosen = page.locator(f'mark.is-chosen[data-id="{outer.pk}"]')
    expect(chosen).to_have_count(1)
    # An outline is painted over the marks nested in the span; a box shadow beneath them.
    style = chosen.evaluate(
        "(m) => [getComputedStyle(m).outlineStyle, getComputedStyle(m).boxShadow]"
    )
    assert style[0] == "none" and style[1] != "none"
    nested = chosen.locator(f'mark[data-id="{inner.pk}"]')
    assert nested.evaluate("(m) => getComputedStyle(m).backgroundColor") != chosen.evaluate(
        "(m) => getComputedStyle(m).backgroundColor"
    )


def test_a_long_quote_is_shortened_in_the_editor(page, live_server, workspace):
    workspace.project.show_all_annotations = True
    workspace.project.save()
    reviewer = factories.UserFactory(username="rita")
    factories.MembershipFactory(
        project=workspace.project, user=reviewer, role=Membership.Role.REVIEWER
    )
    document = workspace.documents[0]
    factories.AnnotationFactory(
        project=workspace.project,
        document=document,
        annotator=workspace.colleague,
        start=0,
        end=2500,
    )
    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/{workspace.project.slug}/d/{document.pk}/?view=all")
    page_ready(page)
    page.locator("#doc-text mark").first.click()
    quote = page.locator("#ed-quote").inner_text()
    assert len(quote) == 80 and quote.endswith("…")


def test_next_on_the_last_document_goes_to_the_first_not_done_and_progress_shows(
    page, live_server, workspace
):
    log_in(page, live_server, "analyst1")
    first, second, last = workspace.documents  # queue order: same source, then id
    card = page.locator(".card", has_text=workspace.project.name)
    expect(card.locator(".queue-progress")).to_have_text("0 of 3 done")
    open_document(page, live_server, workspace, 1)
    expect(page.locator("#queue-progress")).to_have_text("0 of 3 done")
    page.click("#done-form button")
    expect(page.locator("#queue-progress")).to_have_text("1 of 3 done")
    page.keyboard.press("]")
    page.wait_for_url(f"**/d/{last.pk}/")
    page_ready(page)
    page.keyboard.press("]")  # past the end: back to the first document not done
    page.wait_for_url(f"**/d/{first.pk}/")
    expect(page.locator(".messages")).to_contain_text(
        "That was the last document in your queue. Here is the first one you have not marked done."
    )
    page.click("text=← Queue")
    expect(page.locator(".queue-head .queue-progress")).to_have_text("1 of 3 done")
