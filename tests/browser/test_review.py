"""In a real browser: two analysts disagree on a seed document, a reviewer resolves it in
the review screen, and the source's profile follows the gold standard."""

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from annotator.datasets.imports.documents import import_paths
from annotator.models import Document, Membership, Sentence
from annotator.workspace.annotations import annotation_create
from tests.support import factories
from tests.support.labelling import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def dw_row(page: Page):
    return page.locator("#sources-sentences table tbody tr", has_text="DW")


def test_reviewer_resolves_a_disagreement_and_the_profile_follows(live_server, page: Page):
    project = factories.ProjectFactory(slug="seeds", name="Seeds")
    import_paths([settings.BASE_DIR / "seeds"], project=project)
    analyst1, analyst2 = member(project, "analyst1"), member(project, "analyst2")
    member(project, "rita", Membership.Role.REVIEWER)
    document = Document.objects.get(source__name="DW")
    # They agree the headline is fact and disagree on the next sentence.
    analyst_labels(project, document, analyst1, {0: "fact", 1: "opinion"})
    analyst_labels(project, document, analyst2, {0: "fact", 1: "speculation"})

    base = live_server.url
    log_in(page, base, "rita")
    page.goto(f"{base}/sources/?project=seeds")
    row = dw_row(page)
    # The document counts once, with its annotators' majority: they agree on the headline
    # (fact) and are tied on the next sentence, which is shown and not counted.
    basis = row.locator("td").nth(2)
    expect(basis).to_contain_text("annotators' majority")
    expect(basis).to_contain_text("1 sentence tied, not counted")
    shares = row.locator("td.share")
    expect(shares.nth(0)).to_contain_text("100.0%")
    expect(shares.nth(1)).to_contain_text("0.0%")
    expect(shares.nth(2)).to_contain_text("0.0%")

    # From the agreement page's disagreement list into the review screen.
    page.goto(f"{base}/p/seeds/agreement/")
    page.locator("table.disagreements a").first.click()
    expect(page.locator("tr#s-1")).to_have_class("status-disagree")
    # In the text, the disagreeing sentence is shaded (review.js, allowed by the CSP).
    expect(page.locator('#review-text .sent[data-i="1"]')).to_have_class("sent disagree")
    expect(page.locator('#review-text .sent[data-i="0"]')).to_have_class("sent")
    page.get_by_role("button", name="Accept majority").click()
    expect(page.locator(".messages")).to_contain_text(
        "Accepted the majority label for 1 sentence(s) as gold."
    )
    page.locator('ul.spans[data-annotator="analyst1"] li', has_text="Opinion").get_by_role(
        "button", name="Accept"
    ).click()
    expect(page.locator(".messages")).to_contain_text("Accepted analyst1's opinion span as gold.")
    expect(page.locator("tr#s-1 td.gold-cell")).to_contain_text("Opinion")
    page.get_by_role("button", name="Mark document reviewed").click()
    expect(page.locator(".review-status")).to_contain_text("Reviewed by rita")

    page.goto(f"{base}/sources/?project=seeds")
    row = dw_row(page)
    expect(row.locator("td").nth(2)).to_have_text("gold")
    shares = row.locator("td.share")
    expect(shares.nth(0)).to_contain_text("50.0%")  # gold: fact, opinion
    expect(shares.nth(1)).to_contain_text("50.0%")
    expect(shares.nth(2)).to_contain_text("0.0%")
    # The annotators' own labels are untouched: the per-annotator view still shows them.
    row.get_by_role("link", name="DW").click()
    annotators = page.locator("#annotators table tbody tr")
    expect(annotators.filter(has_text="analyst2").locator("td.share").nth(2)).to_contain_text(
        "50.0%"
    )
