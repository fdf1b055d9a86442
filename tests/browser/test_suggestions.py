"""Suggestions on the document page in a real browser: outlined (not filled) with their
label and score, Tab to move, Enter or a to accept, x to reject, undo, accept all."""

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation, Sentence, Suggestion, SuggestionDecision
from tests.support.browser import log_in, make_workspace, open_document, seed_text

pytestmark = pytest.mark.browser


@pytest.fixture
def workspace(transactional_db):
    workspace = make_workspace(seed_text("000"))
    document = workspace.documents[0]
    labels = {label.name: label for label in workspace.project.labels.all()}
    sentences = list(Sentence.objects.filter(document=document).order_by("index")[:3])
    for sentence, (label, score, agent) in zip(
        sentences,
        [("opinion", 0.91, "cues"), ("speculation", 0.62, "model"), ("fact", 0.85, "model")],
        strict=True,
    ):
        Suggestion.objects.create(
            project=workspace.project,
            document=document,
            start=sentence.start,
            end=sentence.end,
            quote=document.text[sentence.start : sentence.end],
            label=labels[label],
            score=score,
            agent=agent,
        )
    return workspace


@pytest.fixture(autouse=True)
def no_script_errors(page):
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "Policy" in m.text else None,
    )
    yield
    assert problems == []


STYLE = """(el) => {
  const s = getComputedStyle(el), badge = getComputedStyle(el, '::before');
  return {outline: s.outlineStyle, width: s.outlineWidth, background: s.backgroundColor,
          badge: badge.content};
}"""


def test_suggestions_are_outlined_and_answered_with_keys(page, live_server, workspace):
    log_in(page, live_server, "analyst1")
    open_document(page, live_server, workspace)
    suggested = page.locator("#doc-text .sent.sugg")
    expect(suggested).to_have_count(3)
    first = suggested.first
    style = first.evaluate(STYLE)
    assert style["outline"] == "dashed"  # outlined ...
    assert style["background"] == "rgba(0, 0, 0, 0)"  # ... not filled
    assert "opinion 0.91" in style["badge"]
    expect(page.locator("#accept-all")).to_contain_text("(2)")  # 0.91 and 0.85 ≥ 0.80

    page.keyboard.press("Tab")
    expect(first).to_have_class(
        "sent sugg lab-" + str(workspace.project.labels.get(name="opinion").pk) + " is-sugg-focus"
    )
    assert first.evaluate(STYLE)["outline"] == "solid"
    page.keyboard.press("Enter")  # accept
    expect(page.locator("#ann-list .item")).to_have_count(1)
    expect(suggested).to_have_count(2)
    annotation = Annotation.objects.get()
    assert annotation.label.name == "opinion"
    assert SuggestionDecision.objects.get().annotation == annotation

    # the focus moved on to the next suggestion: x rejects it
    expect(page.locator(".sent.sugg.is-sugg-focus")).to_have_count(1)
    page.keyboard.press("x")
    expect(suggested).to_have_count(1)
    expect(page.locator("#status")).to_contain_text("Rejected the suggestion speculation.")
    assert SuggestionDecision.objects.filter(verdict="rejected").count() == 1
    assert Annotation.objects.count() == 1

    # undo takes the accept back and the suggestion with it
    page.keyboard.press("Escape")
    page.keyboard.press("u")
    expect(page.locator("#ann-list .item")).to_have_count(0)
    expect(suggested).to_have_count(2)

    # Tab again, then a accepts
    page.keyboard.press("Tab")
    page.keyboard.press("a")
    expect(page.locator("#ann-list .item")).to_have_count(1)
    expect(suggested).to_have_count(1)

    # accept all: the one left is 0.85, at or above the threshold
    page.locator("#accept-all").click()
    expect(page.locator("#ann-list .item")).to_have_count(2)
    expect(suggested).to_have_count(0)
    expect(page.locator("#accept-all")).to_be_hidden()
    assert sorted(Annotation.objects.values_list("label__name", flat=True)) == ["fact", "opinion"]
