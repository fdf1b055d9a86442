"""In a real browser: a reviewer curates a seed document into gold on the curation screen
(mouse and keys), the source's profile follows the gold standard, and a 200,000-character
document with 1,500 spans from each of three annotators opens and takes a gold action."""

import os
import random
import time
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from annotator.datasets.imports.documents import import_paths
from annotator.models import Annotation, Document, GoldAnnotation, Label, Membership, Sentence
from annotator.text.snapping import snap
from annotator.workspace.annotations import annotation_create
from tests.support import factories
from tests.support.browser import drag_select, long_seed_text, make_workspace, page_ready
from tests.support.labelling import member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_script_errors"),
]

ROOT = Path(__file__).resolve().parents[2]


def analyst_labels(project, document, analyst, labels: dict[int, str]) -> None:
    for index, name in labels.items():
        sentence = Sentence.objects.get(document=document, index=index)
        annotation_create(
            project=project,
            document=document,
            annotator=analyst,
            label=factories.project_label(project, name),
            start=sentence.start,
            end=sentence.end,
            quote=document.text[sentence.start : sentence.end],
        )


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def seeds_project():
    project = factories.ProjectFactory(slug="seeds", name="Seeds")
    import_paths([settings.BASE_DIR / "seeds"], project=project)
    return project


PHRASE = "Что несколько необычно"


@pytest.fixture
def curated(live_server):
    """The DW article labelled by three analysts: they agree on sentences 5, 12 and 16 and
    disagree on 10 (majority fact), 11 (majority opinion) and 13 (no majority)."""
    project = seeds_project()
    analysts = [member(project, f"analyst{n}") for n in (1, 2, 3)]
    member(project, "rita", Membership.Role.REVIEWER)
    document = Document.objects.get(source__name="DW")
    for analyst, labels in zip(
        analysts,
        [
            {5: "fact", 10: "fact", 11: "opinion", 12: "fact", 13: "fact", 16: "speculation"},
            {
                5: "fact",
                10: "fact",
                11: "speculation",
                12: "fact",
                13: "opinion",
                16: "speculation",
            },
            {
                5: "fact",
                10: "opinion",
                11: "opinion",
                12: "fact",
                13: "speculation",
                16: "speculation",
            },
        ],
        strict=True,
    ):
        analyst_labels(project, document, analyst, labels)
    start = document.text.index(PHRASE)
    phrase = annotation_create(
        project=project,
        document=document,
        annotator=analysts[1],
        label=factories.project_label(project, "opinion"),
        start=start,
        end=start + len(PHRASE),
        quote=PHRASE,
    )
    return {"project": project, "document": document, "phrase": phrase}


def open_curation(page: Page, base: str, document, slug: str = "seeds", **wait) -> None:
    page.goto(f"{base}/p/{slug}/review/{document.pk}/")
    page_ready(page, **wait)


def current_sentence(page: Page):
    return page.locator("#doc-text .sent.is-current")


def dw_row(page: Page):
    return page.locator("#sources-sentences table tbody tr", has_text="DW")


def gold_rows():
    return list(GoldAnnotation.objects.order_by("start").values_list("label__name", "quote"))


def test_reviewer_curates_a_seed_document_with_mouse_and_keys(live_server, page: Page, curated):
    document, text = curated["document"], curated["document"].text
    log_in(page, live_server.url, "rita")
    open_curation(page, live_server.url, document)
    gold_list = page.locator("#gold-list .item")
    open_count = page.locator("#open-count")
    expect(open_count).to_have_text("3 of 3 disagreements open")
    # The disagreeing sentences are marked in the text, the agreeing ones are not.
    expect(page.locator('#doc-text .sent[data-i="10"]')).to_have_class("sent disagree")
    expect(page.locator('#doc-text .sent[data-i="5"]')).to_have_class("sent")

    # n: the first disagreement; a: its majority becomes gold.
    page.keyboard.press("n")
    expect(current_sentence(page)).to_have_attribute("data-i", "10")
    expect(page.locator("#status")).to_have_text("Disagreement 1 of 3 open: sentence 11.")
    expect(page.locator("#panel-votes")).to_contain_text("Majority: Fact")
    page.keyboard.press("a")
    expect(gold_list).to_have_count(1)
    expect(open_count).to_have_text("2 of 3 disagreements open")
    sentence = Sentence.objects.get(document=document, index=10)
    start, end = snap(text, sentence.start, sentence.end)  # the boundary convention
    assert gold_rows() == [("fact", text[start:end])]

    # Click one annotator's span (analyst2's phrase, the innermost mark there) and accept it.
    page.keyboard.press("n")
    expect(current_sentence(page)).to_have_attribute("data-i", "11")
    phrase = curated["phrase"]
    page.locator(f'#doc-text mark.by-1[data-id="{phrase.pk}"]').click()
    expect(page.locator("#panel-hint")).to_contain_text("a: accept analyst2's Opinion span")
    page.keyboard.press("a")
    expect(gold_list).to_have_count(2)
    assert GoldAnnotation.objects.get(accepted_from=phrase).quote == PHRASE
    expect(page.locator("#status")).to_have_text("Accepted analyst2's opinion span as gold.")

    # Select a new passage with the mouse (half words) and label it by its hotkey: snapped.
    target = "раннее появление в столице"
    start = text.index(target)
    drag_select(page, text, start + 2, start + len(target) - 3)
    expect(page.locator("#preview")).to_contain_text(f"«{target}»")
    page.keyboard.press("3")
    expect(gold_list).to_have_count(3)
    added = GoldAnnotation.objects.get(quote=target)
    assert (added.label.name, added.start, added.end) == ("speculation", start, start + len(target))
    expect(page.locator(f"#gold-{added.pk}")).to_have_class("item is-chosen")

    # Delete removes the chosen gold span, u brings it back, Ctrl+Z undoes adding it.
    page.keyboard.press("Delete")
    expect(gold_list).to_have_count(2)
    assert not GoldAnnotation.objects.filter(pk=added.pk).exists()
    page.keyboard.press("u")
    expect(page.locator(f"#gold-{added.pk}")).to_be_visible()
    assert GoldAnnotation.objects.filter(pk=added.pk, quote=target).exists()
    page.keyboard.press("Control+z")
    expect(page.locator(f"#gold-{added.pk}")).to_have_count(0)
    expect(page.locator(f'#doc-text mark.by-gold[data-id="{added.pk}"]')).to_have_count(0)
    assert not GoldAnnotation.objects.filter(pk=added.pk).exists()

    # Another label over most of sentence 11, whose gold is Fact: refused with the reason;
    # r replaces the conflicting gold, u takes the replacement back (Fact returns).
    sentence = Sentence.objects.get(document=document, index=10)
    fact_gold = GoldAnnotation.objects.get(start=sentence.start)
    drag_select(page, text, sentence.start, sentence.end - 1)
    page.keyboard.press("2")
    status = page.locator("#status")
    expect(status).to_contain_text("The gold standard has “Fact” on most of sentence 11")
    expect(status).to_contain_text("Press r to replace it.")
    assert GoldAnnotation.objects.get(start=sentence.start) == fact_gold
    page.keyboard.press("r")
    expect(page.locator(f"#gold-{fact_gold.pk}")).to_have_count(0)
    expect(gold_list).to_have_count(2)
    assert GoldAnnotation.objects.get(start=sentence.start).label.name == "opinion"
    page.keyboard.press("u")
    expect(page.locator(f"#gold-{fact_gold.pk}")).to_be_visible()
    expect(gold_list).to_have_count(2)
    assert GoldAnnotation.objects.get(start=sentence.start).label.name == "fact"

    # The last open disagreement has no majority: a label key decides the whole sentence.
    page.keyboard.press("n")
    expect(current_sentence(page)).to_have_attribute("data-i", "13")
    page.keyboard.press("a")
    expect(page.locator("#status")).to_contain_text("Sentence 14 has no majority label")
    page.keyboard.press("2")
    expect(open_count).to_have_text("0 of 3 disagreements open")
    page.keyboard.press("n")
    expect(page.locator("#status")).to_have_text("All 3 disagreements have gold.")
    sentence = Sentence.objects.get(document=document, index=13)
    decided = GoldAnnotation.objects.get(start=sentence.start)
    # The sentence as the workspace would save it: snapped, the final full stop left out.
    assert (decided.label.name, decided.end) == ("opinion", sentence.end - 1)

    # Choose a gold span in the list and change its label by hotkey.
    page.locator(f"#gold-{decided.pk} .item-main").click()
    page.keyboard.press("3")
    expect(page.locator(f"#gold-{decided.pk} .chip")).to_have_text("Speculation")
    decided.refresh_from_db()
    assert decided.label.name == "speculation"
    # The annotators' own work is untouched.
    assert Annotation.objects.filter(document=document).count() == 19

    # The Sources page reads the document's gold now (the majority before).
    page.goto(f"{live_server.url}/sources/?project=seeds")
    expect(dw_row(page).locator("td").nth(2)).to_have_text("gold")


def test_the_profile_follows_the_gold_standard(live_server, page: Page, curated):
    base = live_server.url
    log_in(page, base, "rita")
    page.goto(f"{base}/sources/?project=seeds")
    row = dw_row(page)
    # The document counts once, with its three annotators' majority: fact on sentences 6,
    # 11 and 13, opinion on 12, speculation on 17; sentence 14 is a three-way tie, shown
    # and not counted.
    basis = row.locator("td").nth(2)
    expect(basis).to_contain_text("annotators' majority")
    expect(basis).to_contain_text("1 sentence tied, not counted")
    shares = row.locator("td.share")
    expect(shares.nth(0)).to_contain_text("60.0%")
    expect(shares.nth(1)).to_contain_text("20.0%")
    expect(shares.nth(2)).to_contain_text("20.0%")

    # From the agreement page's disagreement list into the curation screen.
    page.goto(f"{base}/p/seeds/agreement/")
    page.locator("table.disagreements a").first.click()
    page_ready(page)
    # Without a key: the form for the whole document, then a click on a sentence's span.
    page.get_by_text("Whole document, offsets").click()
    page.get_by_role("button", name="Accept majority").click()
    expect(page.locator(".messages")).to_contain_text(
        "Accepted the majority label for 5 sentence(s) as gold."
    )
    page_ready(page)
    expect(page.locator("#gold-list .item")).to_have_count(5)
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.locator("#reviewed-box button")).to_have_text("✓ Reviewed · reopen")
    expect(page.locator("#status")).to_have_text("Marked reviewed.")

    # The document's agreement figures come when they are opened.
    page.get_by_text("Agreement on this document").click()
    expect(page.locator('#agreement-box td[data-figure="alpha"]')).to_be_visible()

    page.goto(f"{base}/sources/?project=seeds")
    row = page.locator("#sources-sentences table tbody tr", has_text="DW")
    expect(row.locator("td").nth(2)).to_have_text("gold")
    shares = row.locator("td.share")
    expect(shares.nth(0)).to_contain_text("60.0%")  # gold: fact ×3, opinion, speculation
    expect(shares.nth(1)).to_contain_text("20.0%")
    expect(shares.nth(2)).to_contain_text("20.0%")


def test_status_line_stays_in_view_and_phone_width_works(live_server, page: Page, curated):
    log_in(page, live_server.url, "rita")
    page.set_viewport_size({"width": 390, "height": 844})
    open_curation(page, live_server.url, curated["document"])
    page.keyboard.press("n")
    page.keyboard.press("n")
    page.keyboard.press("n")
    expect(current_sentence(page)).to_have_attribute("data-i", "13")
    status = page.locator("#status")
    expect(status).to_have_text("Disagreement 3 of 3 open: sentence 14.")
    box = status.bounding_box()
    assert 0 <= box["y"] < 844 and box["x"] + box["width"] <= 390 + 1
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A tap on a span works as a click.
    page.locator(f'#doc-text mark[data-id="{curated["phrase"].pk}"]').first.click()
    page.locator("#panel-spans button", has_text="Accept").first.click()
    expect(page.locator("#gold-list .item")).to_have_count(1)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_screenshot_of_the_curation_screen(
    live_server, page: Page, curated, tmp_path, width, height
):
    """Keeps docs/screenshots/curation.png current when UPDATE_SCREENSHOTS=1."""
    log_in(page, live_server.url, "rita")
    page.set_viewport_size({"width": width, "height": height})
    open_curation(page, live_server.url, curated["document"])
    page.keyboard.press("n")
    page.keyboard.press("a")
    expect(page.locator("#gold-list .item")).to_have_count(1)
    page.keyboard.press("n")
    page.locator(f'#doc-text mark.by-1[data-id="{curated["phrase"].pk}"]').click()
    expect(page.locator("#panel")).to_be_visible()
    target = ROOT / "docs" / "screenshots" / "curation.png"
    if width < 1000 or not os.environ.get("UPDATE_SCREENSHOTS"):
        target = tmp_path / f"curation-{width}.png"
    page.screenshot(path=str(target))
    if os.environ.get("KEEP_SCREENSHOTS"):
        page.screenshot(path=f"/tmp/curation-{width}.png")
    assert target.stat().st_size > 10_000


def test_a_long_document_with_three_annotators_opens_and_takes_gold(page, live_server):
    text = long_seed_text(200_000)
    workspace = make_workspace(text)
    project, document = workspace.project, workspace.documents[0]
    member(project, "rita", Membership.Role.REVIEWER)
    third = member(project, "analyst3")
    labels = list(Label.objects.filter(project=project))
    sentences = list(Sentence.objects.filter(document=document).values_list("start", "end"))
    rng = random.Random(1)
    rows = []
    for annotator in (workspace.analyst, workspace.colleague, third):
        spans = set()
        for start, end in rng.sample(sentences, 1000):
            spans.add((start, end, rng.choice(labels[:2])))
        while len(spans) < 1500:
            start = rng.randrange(len(text) - 200)
            spans.add((start, start + rng.randrange(3, 200), rng.choice(labels)))
        rows += [
            Annotation(
                project=project,
                document=document,
                annotator=annotator,
                label=label,
                start=start,
                end=end,
                quote=text[start:end],
            )
            for start, end, label in spans
        ]
    Annotation.objects.bulk_create(rows)
    log_in(page, live_server.url, "rita")
    patience = {"timeout": 30_000}
    began = time.monotonic()
    open_curation(page, live_server.url, document, "kz", **patience)
    opened = time.monotonic() - began
    expect(page.locator("#open-count")).to_contain_text("disagreements open", **patience)
    page.keyboard.press("n")
    target = current_sentence(page)
    expect(target).to_have_count(1, **patience)
    index = int(target.get_attribute("data-i"))
    page.keyboard.press("1")
    expect(page.locator("#gold-list .item")).to_have_count(1, **patience)
    gold = GoldAnnotation.objects.get()
    sentence = Sentence.objects.get(document=document, index=index)
    assert sentence.start <= gold.start < gold.end <= sentence.end
    assert page.locator(f'#doc-text mark.by-gold[data-id="{gold.pk}"]').count() >= 1
    assert opened < 20, f"the page took {opened:.1f} s to open"
