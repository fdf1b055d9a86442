"""Helpers for the workspace's browser tests: data from the seed texts, login, selection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import expect

from annotator.models import Membership
from tests.support import factories

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_text(name_prefix: str) -> str:
    path = next(SEEDS.glob(f"{name_prefix}_*.txt"))
    return path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")


def long_seed_text(chars: int) -> str:
    """The seed texts over and over, cut at ``chars`` characters."""
    seeds = [seed_text(prefix) for prefix in ("000", "001", "002", "003", "004")]
    text = ""
    while len(text) < chars:
        text += "\n\n".join(seeds) + "\n\n"
    return text[:chars]


@dataclass
class Workspace:
    project: object
    analyst: object
    colleague: object
    documents: list


def make_workspace(*texts: str) -> Workspace:
    project = factories.ProjectFactory(name="Kazakhstan coverage", slug="kz")
    analyst = factories.UserFactory(username="analyst1")
    colleague = factories.UserFactory(username="analyst2")
    for user in (analyst, colleague):
        factories.MembershipFactory(project=project, user=user, role=Membership.Role.ANNOTATOR)
    source = factories.SourceFactory(name="Разговор при галстуке")
    documents = []
    for n, text in enumerate(texts):
        document = factories.DocumentFactory(source=source, text=text, title=f"Статья {n + 1}")
        factories.ProjectDocumentFactory(project=project, document=document)
        documents.append(document)
    return Workspace(project, analyst, colleague, documents)


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def open_document(page, live_server, workspace: Workspace, index: int = 0, **wait) -> None:
    document = workspace.documents[index]
    page.goto(f"{live_server.url}/p/{workspace.project.slug}/d/{document.pk}/")
    page_ready(page, **wait)


def page_ready(page, timeout: float = 5000) -> None:
    """Wait until the page's script has made the text selectable by keyboard."""
    text = page.locator("#doc-text")
    expect(text).to_have_attribute("contenteditable", "true", timeout=timeout)


BOXES = """async ([start, end]) => {
  const text = document.getElementById('doc-text');
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  let range = AnnotatorText.rangeOf(text, start, end);
  window.scrollBy(0, range.getBoundingClientRect().top - window.innerHeight / 2);
  // Lines that scrolled into view are laid out in the next frames (content-visibility).
  await frame();
  await frame();
  range = AnnotatorText.rangeOf(text, start, end);
  const rects = [...range.getClientRects()].filter((r) => r.width > 0);
  const first = rects[0], last = rects[rects.length - 1];
  return {x1: first.left + 1, y1: first.top + first.height / 2,
          x2: last.right - 1, y2: last.top + last.height / 2};
}"""


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def drag_select(page, text: str, start: int, end: int) -> None:
    """Select text[start:end] (code points) with the mouse."""
    box = page.evaluate(BOXES, [utf16(text, start), utf16(text, end)])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=10)
    page.mouse.up()


def label_selection(page, text, phrase, key, *, occurrence=0):
    """Select ``phrase`` with the mouse, press ``key`` and wait for the saved entry."""
    start = text.index(phrase)
    for _ in range(occurrence):
        start = text.index(phrase, start + 1)
    before = page.locator("#ann-list .item").count()
    drag_select(page, text, start, start + len(phrase))
    expect(page.locator("#preview")).not_to_be_empty()
    page.keyboard.press(key)
    expect(page.locator("#ann-list .item")).to_have_count(before + 1)
    return start
