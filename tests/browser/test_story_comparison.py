"""In a real browser: the Sources page filtered to one story shows its outlets side by
side (the seed corpus: five outlets on the Putin–Tokayev visits), and keeps the README's
screenshot of it current (``UPDATE_SCREENSHOTS=1``)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from annotator.models import Annotation, Document, Membership, Sentence, Story
from tests.browser.test_review import log_in, seeds_project
from tests.support import factories
from tests.support.labelling import member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_script_errors"),
]

ROOT = Path(__file__).resolve().parents[2]
SPECULATION = re.compile(r"может|возможно|предполож|вероятно|якобы|видимо|скорее|похоже", re.I)
OPINION = re.compile(r"считает|мнени|важн|значим|уверен|полага|должн|необходим|!", re.I)


def keyword_label(text: str) -> str:
    """A stand-in analyst: speculation and opinion by their cue words, else fact."""
    if SPECULATION.search(text):
        return "speculation"
    return "opinion" if OPINION.search(text) else "fact"


def test_the_story_shows_its_outlets_side_by_side(live_server, page: Page, tmp_path):
    project = seeds_project()
    member(project, "rita", Membership.Role.MANAGER)
    analysts = [member(project, name) for name in ("analyst1", "analyst2")]
    labels = {
        name: factories.project_label(project, name) for name in ("fact", "opinion", "speculation")
    }
    documents = list(Document.objects.select_related("source").order_by("source__name"))
    story = Story.objects.create(name="Визиты Путина и Токаева")
    story.documents.set(documents)
    rows = []
    for document in documents:
        for sentence in Sentence.objects.filter(document=document).order_by("index"):
            quote = document.text[sentence.start : sentence.end]
            name = keyword_label(quote)
            for number, analyst in enumerate(analysts):
                if number and sentence.index % 4 == 3:  # the second analyst differs now and then
                    name = "fact" if name != "fact" else "opinion"
                rows.append(
                    Annotation(
                        project=project,
                        document=document,
                        annotator=analyst,
                        label=labels[name],
                        start=sentence.start,
                        end=sentence.end,
                        quote=quote,
                    )
                )
    Annotation.objects.bulk_create(rows)

    log_in(page, live_server.url, "rita")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{live_server.url}/sources/?project=seeds&story={story.pk}")
    table = page.locator("#sources-sentences table tbody tr")
    outlets = sorted({d.source.name for d in documents})
    expect(table).to_have_count(len(outlets))
    for outlet in outlets:
        expect(page.locator("#sources-sentences table tbody")).to_contain_text(outlet)
    expect(page.locator("body")).to_contain_text(story.name)
    target = ROOT / "docs" / "screenshots" / "sources-story.png"
    if not os.environ.get("UPDATE_SCREENSHOTS"):
        target = tmp_path / "sources-story.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
