"""The document page in a real browser (Debian's chromium through Playwright)."""

import json
import os
import random
from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation, DocumentProgress, Label, Sentence
from tests.support import factories
from tests.support.browser import (
    drag_select,
    label_selection,
    log_in,
    long_seed_text,
    make_workspace,
    open_document,
    page_ready,
    seed_text,
    utf16,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_script_errors")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(transactional_db):
    return make_workspace(seed_text("000"), seed_text("001"))


def test_select_a_phrase_with_the_mouse_and_label_it_with_a_hotkey(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    text = workspace.documents[0].text
    start = text.index("Владимир Путин 27 ноября")
    # Start and stop in the middle of words: the selection snaps to whole words.
    drag_select(page, text, start + 3, start + len("Владимир Пут"))
    expect(page.locator("#preview")).to_contain_text("«Владимир Путин»")
    page.keyboard.press("1")
    item = page.locator("#ann-list .item")
    item.wait_for()
    assert item.locator(".chip").inner_text() == "Fact"
    assert item.locator("q").inner_text() == "Владимир Путин"
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end) == (start, start + len("Владимир Путин"))
    assert annotation.annotator == workspace.analyst
    mark = page.locator(f'#doc-text mark[data-id="{annotation.pk}"]')
    assert mark.inner_text() == "Владимир Путин"
    expect(page.locator("#ann-count")).to_have_text("1")
    assert "Undo adding «Владимир Путин»" in page.locator("#undo-box").inner_text()
    # Each label's definition shows on hover; the guidelines are one key (or click) away.
    opinion = page.locator(".label-btn", has_text="Opinion")
    definition = page.locator(f"#{opinion.get_attribute('aria-describedby')}")
    expect(definition).to_be_hidden()
    opinion.hover()
    expect(definition).to_be_visible()
    expect(definition).to_contain_text("A judgement, evaluation or stance")
    page.locator("#doc-text").focus()
    page.keyboard.press("?")
    expect(page.locator("#guidelines .prose")).to_be_visible()


def test_sentence_mode_labels_whole_sentences(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    document = workspace.documents[0]
    sentences = list(Sentence.objects.filter(document=document).order_by("index"))
    page.keyboard.press("s")
    assert page.locator("#mode-btn").get_attribute("aria-pressed") == "true"
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")  # back to the second sentence
    page.keyboard.press("2")
    expect(page.locator("#ann-list .item")).to_have_count(1)
    annotation = Annotation.objects.get()
    second = sentences[1]
    assert annotation.label.name == "opinion"
    assert annotation.start == second.start
    assert document.text[annotation.start : annotation.end] == (
        document.text[second.start : second.end].rstrip(".!?…")
    )
    # A click on a sentence chooses it; Enter labels it with the label used last.
    fourth = sentences[3]
    page.click(f'#doc-text .sent[data-i="{fourth.index}"]')
    expect(page.locator(f'#doc-text .sent[data-i="{fourth.index}"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#ann-list .item")).to_have_count(2)
    clicked = Annotation.objects.exclude(pk=annotation.pk).get()
    assert (clicked.start, clicked.label.name) == (fourth.start, "opinion")
    # The focused sentence stays focused after the text around it is redrawn.
    expect(page.locator(f'#doc-text .sent[data-i="{fourth.index}"]')).to_be_focused()


def test_change_delete_undo_and_reload(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    text = workspace.documents[0].text
    label_selection(page, text, "Касым-Жомартом Токаевым", "1")
    annotation = Annotation.objects.get()
    page.click("#ann-list .item .item-main")
    assert page.locator("#editor").is_visible()
    page.keyboard.press("2")
    expect(page.locator("#ann-list .item .chip")).to_have_text("Opinion")
    annotation.refresh_from_db()
    assert annotation.label.name == "opinion"
    mark = page.locator(f'#doc-text mark[data-id="{annotation.pk}"]')
    assert "lab-" + str(annotation.label_id) in mark.get_attribute("class")

    page.keyboard.press("Delete")
    expect(page.locator("#ann-list .item")).to_have_count(0)
    assert not Annotation.objects.exists()
    assert mark.count() == 0

    page.keyboard.press("u")  # undo the delete
    expect(page.locator("#ann-list .item")).to_have_count(1)
    restored = Annotation.objects.get()
    assert (restored.pk, restored.label.name) == (annotation.pk, "opinion")
    page.keyboard.press("u")  # undo the change of label
    expect(page.locator("#ann-list .item .chip")).to_have_text("Fact")
    assert Annotation.objects.get().label.name == "fact"

    page.reload()
    page_ready(page)
    assert page.locator("#ann-list .item .chip").inner_text() == "Fact"
    assert page.locator(f'#doc-text mark[data-id="{annotation.pk}"]').inner_text() == (
        "Касым-Жомартом Токаевым"
    )
    assert "Undo adding" in page.locator("#undo-box").inner_text()


def test_overlapping_annotations_stay_visible_and_clickable(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    text = workspace.documents[0].text
    outer_start = label_selection(page, text, "Владимир Путин 27 ноября посетил Астану", "1")
    label_selection(page, text, "Путин 27 ноября", "2")
    outer, inner = Annotation.objects.order_by("-end")
    assert page.locator(f'mark[data-id="{outer.pk}"] mark[data-id="{inner.pk}"]').count() == 1
    # A click inside both offers both; the innermost is chosen first.
    page.locator(f'mark[data-id="{inner.pk}"]').click()
    assert page.locator("#ed-chip").inner_text() == "Opinion"
    here = page.locator("#ed-here button")
    assert here.count() == 2
    here.filter(has_text="Fact").click()
    assert page.locator("#ed-chip").inner_text() == "Fact"
    assert page.locator(f"#ann-{outer.pk}").get_attribute("class") == "item is-chosen"
    assert outer.start == outer_start


def test_hotkeys_do_not_fire_while_typing_a_note(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    label_selection(page, workspace.documents[0].text, "саммит ОДКБ", "3")
    page.click("#ann-list .item .item-main")
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == "ed-note"
    page.keyboard.type("1 2 s j u [")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#ann-list .item .note")).to_have_count(1)
    annotation = Annotation.objects.get()
    assert annotation.note == "1 2 s j u ["
    assert annotation.label.name == "speculation"
    assert page.locator("#mode-btn").get_attribute("aria-pressed") == "false"
    assert page.locator("#ann-list .item .note").inner_text() == "1 2 s j u ["


def test_keyboard_selection_with_shift_arrows_and_the_text_stays_read_only(
    page, live_server, workspace
):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    text = workspace.documents[0].text
    before = page.locator("#doc-text").text_content()
    assert before == text
    start = text.index("Владимир")
    page.evaluate(
        """(offset) => {
            const text = document.getElementById('doc-text');
            text.focus();
            const point = AnnotatorText.domPoint(text, offset);
            getSelection().collapse(point.node, point.offset);
        }""",
        utf16(text, start),
    )
    page.keyboard.type("xyz")  # typing does not change the text
    page.keyboard.press("Enter")
    page.keyboard.press("Backspace")
    for _ in range(len("Владимир")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("3")
    expect(page.locator("#ann-list .item")).to_have_count(1)
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.quote) == (start, "Владимир")
    assert page.locator("#doc-text").text_content() == text


def test_second_analyst_does_not_see_the_first_analysts_labels(
    browser, new_page, live_server, workspace
):
    text = workspace.documents[0].text
    first, second = new_page(browser), new_page(browser)
    log_in(first, live_server, "analyst1")
    log_in(second, live_server, "analyst2")
    open_document(first, live_server, workspace)
    open_document(second, live_server, workspace)
    label_selection(first, text, "Владимир Путин", "1")
    # Both work on the same document at the same time; each keeps their own work.
    label_selection(second, text, "Касым-Жомартом Токаевым", "2")
    label_selection(first, text, "саммит ОДКБ", "3", occurrence=1)
    second.reload()
    page_ready(second)
    assert second.locator("#ann-list .item").count() == 1
    assert second.locator("#doc-text mark").all_inner_texts() == ["Касым-Жомартом Токаевым"]
    assert "Владимир Путин" not in second.locator("#ann-list").inner_text()
    first.reload()
    page_ready(first)
    # The side list is in reading order.
    assert first.locator("#ann-list .item q").all_inner_texts() == [
        "саммит ОДКБ",
        "Владимир Путин",
    ]
    by_user = {
        username: sorted(
            Annotation.objects.filter(annotator__username=username).values_list("quote", flat=True)
        )
        for username in ("analyst1", "analyst2")
    }
    assert by_user == {
        "analyst1": ["Владимир Путин", "саммит ОДКБ"],
        "analyst2": ["Касым-Жомартом Токаевым"],
    }


def test_hostile_document_text_is_shown_literally(page, live_server, transactional_db):
    hostile = 'Заголовок <script>alert(1)</script> и <b>жирный</b> <img src=x onerror="alert(2)">'
    workspace = make_workspace(f"{hostile}\nВторая строка & «кавычки».")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    text_box = page.locator("#doc-text")
    assert hostile in text_box.inner_text()
    assert text_box.locator("script, b, img").count() == 0
    # The redrawn line after a save is escaped as well.
    label_selection(page, workspace.documents[0].text, "жирный", "1")
    assert text_box.locator("script, b, img").count() == 0
    assert hostile in text_box.inner_text()
    page.reload()
    page_ready(page)
    assert dialogs == []


def test_offsets_with_emoji_combining_accents_and_cyrillic(page, live_server, transactional_db):
    text = "Смайл 😀😀 и Кафе\u0301 «Токаев» сказал: 𝔘𝔫𝔦 — нет.\nВторая 😀 строка, Путин."
    workspace = make_workspace(text)
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    # The one conversion function, on every boundary of this text.
    counts = page.evaluate(
        """(n) => {
            const text = document.getElementById('doc-text').textContent;
            return [...Array(n + 1).keys()].map((i) => AnnotatorText.utf16ToCodePoints(text, i));
        }""",
        utf16(text, len(text)),
    )
    assert len(counts) == len(text.encode("utf-16-le")) // 2 + 1 > len(text) + 1
    for index in range(len(text) + 1):
        assert counts[utf16(text, index)] == index
    # The JS snapping agrees with the server's on the shared cases.
    cases = json.loads((ROOT / "tests" / "support" / "snap_cases.json").read_text(encoding="utf-8"))
    quotes = page.evaluate(
        """(cases) => cases.map(({text, start, end}) => {
            const [s, e] = AnnotatorText.snap(text, start, end);
            return text.slice(s, e);
        })""",
        [
            {
                "text": c["text"],
                "start": utf16(c["text"], c["start"]),
                "end": utf16(c["text"], c["end"]),
            }
            for c in cases
        ],
    )
    assert quotes == [c["quote"] for c in cases]
    # Real selections after astral characters and a combining accent.
    label_selection(page, text, "Токаев", "1")
    label_selection(page, text, "Кафе\u0301", "2")
    label_selection(page, text, "строка", "3")
    spans = {a.quote: (a.start, a.end) for a in Annotation.objects.all()}
    for quote in ("Токаев", "Кафе\u0301", "строка"):
        start = text.index(quote)
        assert spans[quote] == (start, start + len(quote))


def test_rejected_save_shows_the_reason(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    document = workspace.documents[0]
    text = document.text
    # The text changes on the server after the page was loaded (no annotations yet).
    document.text = text + "\nДобавлено позже."
    document.save()
    start = text.index("Владимир Путин")
    drag_select(page, text, start, start + len("Владимир Путин"))
    expect(page.locator("#preview")).not_to_be_empty()
    page.keyboard.press("1")
    status = page.locator("#status.error")
    status.wait_for()
    assert status.inner_text() == "This document changed after the page was loaded: reload it."
    assert not Annotation.objects.exists()


def test_mark_done_queue_and_back_button(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    label_selection(page, workspace.documents[0].text, "Владимир Путин", "1")
    page.click("#done-form button")
    expect(page.locator("#done-form button")).to_contain_text("Done")
    assert DocumentProgress.objects.get(document=workspace.documents[0]).done_at is not None
    page.click("text=← Queue")
    row = page.locator("table.queue tbody tr").first
    assert "Done" in row.inner_text() and "1" in row.inner_text()
    page.go_back()
    page_ready(page)
    assert page.locator("#ann-list .item q").all_inner_texts() == ["Владимир Путин"]
    page.keyboard.press("]")
    page.wait_for_url(f"**/d/{workspace.documents[1].pk}/")
    assert page.locator("h1").inner_text() == "Статья 2"


def test_a_long_document_with_thousands_of_annotations_opens_and_takes_more(
    page, live_server, transactional_db
):
    text = long_seed_text(200_000)
    workspace = make_workspace(text)
    labels = list(Label.objects.filter(project=workspace.project))
    rng = random.Random(1)
    spans = set()
    while len(spans) < 5000:
        start = rng.randrange(len(text) - 400)
        spans.add((start, start + rng.randrange(3, 400), rng.choice(labels)))
    Annotation.objects.bulk_create(
        Annotation(
            project=workspace.project,
            document=workspace.documents[0],
            annotator=workspace.analyst,
            label=label,
            start=start,
            end=end,
            quote=text[start:end],
        )
        for start, end, label in spans
    )
    log_in(page, live_server, "analyst1")
    # Generous waits: 4 MB of HTML on a machine that may be busy with other work.
    patience = {"timeout": 30_000}
    open_document(page, live_server, workspace, **patience)
    expect(page.locator("#ann-count")).to_have_text("5000", **patience)
    phrase = "Касым-Жомартом Токаевым"
    start = text.rindex(phrase)  # near the end of the text
    drag_select(page, text, start, start + len(phrase))
    expect(page.locator("#preview")).to_contain_text(phrase, **patience)
    page.keyboard.press("2")
    expect(page.locator("#ann-list .item")).to_have_count(5001, **patience)
    saved = Annotation.objects.get(quote=phrase, label__name="opinion")
    assert saved.start == start
    assert page.locator(f'#doc-text mark[data-id="{saved.pk}"]').inner_text() == phrase


def test_without_javascript_the_page_is_read_only(browser, new_page, live_server, workspace):
    document = workspace.documents[0]
    start = document.text.index("Владимир Путин")
    factories.AnnotationFactory(
        project=workspace.project,
        document=document,
        annotator=workspace.analyst,
        start=start,
        end=start + len("Владимир Путин"),
    )
    page = new_page(browser, java_script_enabled=False)
    log_in(page, live_server, "analyst1")
    page.goto(f"{live_server.url}/p/{workspace.project.slug}/d/{document.pk}/")
    text_box = page.locator("#doc-text")
    assert text_box.text_content() == document.text
    assert text_box.get_attribute("contenteditable") is None
    assert text_box.locator("mark").inner_text() == "Владимир Путин"
    assert page.locator("#ann-list .item q").all_inner_texts() == ["Владимир Путин"]


def test_screenshot_of_the_document_page(page, live_server, workspace, tmp_path):
    """Keeps docs/screenshots/document.png current when UPDATE_SCREENSHOTS=1."""
    document = workspace.documents[0]
    text = document.text
    labels = {label.name: label for label in Label.objects.filter(project=workspace.project)}
    for phrase, name, note in [
        ("Владимир Путин 27 ноября посетил Астану с государственным визитом", "fact", ""),
        ("27 ноября", "fact", "Date checked against the Kremlin's site."),
        ("обсуждались важные направления сотрудничества", "opinion", ""),
        (
            "Несмотря на официальное нежелание Казахстана признавать это, страна участвует в "
            "обходе санкций",
            "speculation",
            "No source given.",
        ),
        ("официальное нежелание", "opinion", ""),
    ]:
        start = text.index(phrase)
        factories.AnnotationFactory(
            project=workspace.project,
            document=document,
            annotator=workspace.analyst,
            label=labels[name],
            start=start,
            end=start + len(phrase),
            note=note,
        )
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    page.locator("#ann-list .item-main").nth(1).click()  # the one with a note
    expect(page.locator("#editor")).to_be_visible()
    start = text.index("провел переговоры")
    drag_select(page, text, start + 2, start + len("провел перегов"))
    expect(page.locator("#preview")).to_contain_text("«провел переговоры»")
    page.evaluate("window.scrollTo(0, 0)")
    target = ROOT / "docs" / "screenshots" / "document.png"
    if not os.environ.get("UPDATE_SCREENSHOTS"):
        target = tmp_path / "document.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000


def test_h_switches_the_voice_and_the_holder_field_completes_names(page, live_server, workspace):
    from annotator.models import Suggestion

    document = workspace.documents[0]
    Suggestion.objects.create(
        project=workspace.project,
        document=document,
        start=0,
        end=10,
        quote=document.text[:10],
        score=0.9,
        agent="holders",
        holder_kind="attributed",
        holder="Касым-Жомарт Токаев",
    )
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    label_selection(page, document.text, "саммит ОДКБ", "3")
    item = page.locator("#ann-list .item")
    page.click("#ann-list .item .item-main")
    expect(page.locator("#ed-kind")).to_have_text("author")
    page.keyboard.press("h")
    expect(item).to_have_attribute("data-holder-kind", "attributed")
    assert Annotation.objects.get().holder_kind == "attributed"
    options = page.locator("#holder-options option")
    assert options.evaluate_all("(os) => os.map((o) => o.value)") == ["Касым-Жомарт Токаев"]
    page.fill("#ed-holder", "Касым-Жомарт Токаев")
    page.press("#ed-holder", "Enter")
    expect(item).to_have_attribute("data-holder", "Касым-Жомарт Токаев")
    annotation = Annotation.objects.get()
    assert (annotation.holder_kind, annotation.holder) == ("attributed", "Касым-Жомарт Токаев")
    page.keyboard.press("Escape")  # leaves the field; the annotation stays chosen
    page.click("#ann-list .item .item-main")
    page.keyboard.press("h")
    expect(item).to_have_attribute("data-holder-kind", "author")
    annotation.refresh_from_db()
    assert (annotation.holder_kind, annotation.holder) == ("author", "")
