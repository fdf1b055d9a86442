"""In Chromium, in Russian: the header's switch turns the interface Russian, and every
page (workspace, document, review, sources, agreement, history, export, import,
progress, search, profile, admin index) shows none of the English catalogue's strings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from annotator.accounts.services import managers_group_get_or_create
from annotator.datasets.imports.documents import import_paths
from annotator.models import Document, Membership, Project, Sentence
from annotator.review.services import gold_create
from annotator.workspace.annotations import annotation_create, annotation_delete
from tests.support import factories
from tests.support.labelling import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|<[^>]+>")
# Texts of the visible attributes, read with the page's text.
VISIBLE = """() => {
  const parts = [document.title, document.body.innerText];
  for (const element of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
    parts.push(element.getAttribute('title') || '', element.getAttribute('aria-label') || '',
               element.getAttribute('placeholder') || '');
  }
  for (const input of document.querySelectorAll('input[type=submit], input[type=button]')) {
    parts.push(input.value);
  }
  return parts.join('\\n');
}"""


def english_strings() -> list[str]:
    """The catalogue's English texts worth looking for: each piece between placeholders
    and tags of two words or more, whose translation differs from it."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "compile_messages", ROOT / "scripts" / "compile_messages.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("compile_messages", module)
    spec.loader.exec_module(module)
    found = set()
    for entry in module.read_po(CATALOGUE):
        if not entry.msgid:
            continue
        translations = " ".join(entry.msgstr.values())
        for source in (entry.msgid, entry.msgid_plural or ""):
            for piece in PLACEHOLDER.split(source.replace("%%", "%")):
                piece = piece.strip(" .,:;()«»“”")
                if len(piece.split()) >= 2 and piece not in translations:
                    found.add(piece)
    return sorted(found, key=len, reverse=True)


def label(project, document, analyst, index: int, name: str):
    sentence = Sentence.objects.get(document=document, index=index)
    return annotation_create(
        project=project,
        document=document,
        annotator=analyst,
        label=factories.project_label(project, name),
        start=sentence.start,
        end=sentence.end,
        quote=document.text[sentence.start : sentence.end],
    )


@pytest.fixture
def campaign():
    project = Project.objects.create(name="Визиты", slug="vizity", language="ru")
    import_paths([settings.BASE_DIR / "seeds"], project=project)
    analyst1, analyst2 = member(project, "analyst1"), member(project, "analyst2")
    manager = member(project, "boss", Membership.Role.MANAGER)
    manager.is_staff = True
    manager.save()
    manager.groups.add(managers_group_get_or_create())
    document = Document.objects.get(source__name="DW")
    label(project, document, analyst1, 0, "fact")
    label(project, document, analyst2, 0, "fact")
    label(project, document, analyst1, 1, "opinion")
    label(project, document, analyst2, 1, "speculation")
    removed = label(project, document, analyst1, 2, "opinion")
    annotation_delete(annotation=removed, actor=analyst1)
    sentence = Sentence.objects.get(document=document, index=0)
    gold_create(
        project=project,
        document=document,
        reviewer=manager,
        label=factories.project_label(project, "fact"),
        start=sentence.start,
        end=sentence.end,
    )
    return project, document


def test_every_page_in_russian_shows_no_english_string(live_server, page: Page, campaign):
    project, document = campaign
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    expect(page.locator("h1")).to_have_text("Your projects")
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("Ваши проекты")

    slug, source_id = project.slug, document.source_id
    pages = [
        "/",
        f"/p/{slug}/",
        f"/p/{slug}/d/{document.pk}/",
        f"/p/{slug}/review/{document.pk}/",
        f"/sources/?project={slug}",
        f"/sources/{source_id}/?project={slug}",
        f"/p/{slug}/agreement/",
        f"/p/{slug}/history/",
        f"/p/{slug}/export/",
        "/admin/annotator/document/import/",
        f"/p/{slug}/progress/",
        f"/p/{slug}/search/?q=Токаев",
        "/accounts/profile/",
        "/accounts/password_change/",
        "/admin/",
    ]
    english = english_strings()
    assert len(english) > 300
    left = {}
    for path in pages:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        text = page.evaluate(VISIBLE)
        shown = [s for s in english if re.search(rf"(?<![A-Za-z]){re.escape(s)}(?![A-Za-z])", text)]
        if shown:
            left[path] = shown
    assert left == {}

    # The document page's script speaks Russian too (workspace/js_messages.py).
    page.goto(f"{base}/p/{slug}/d/{document.pk}/")
    page.keyboard.press("s")
    expect(page.locator("#status")).to_contain_text("Режим предложений")
    page.keyboard.press("j")
    expect(page.locator("#preview")).to_contain_text("Предложение «")
    expect(page.locator("#preview")).to_contain_text("или Enter")


def test_screenshot_of_the_document_page_in_russian(live_server, page: Page, campaign, tmp_path):
    """Keeps docs/screenshots/document-ru.png current when UPDATE_SCREENSHOTS=1."""
    import os

    project, document = campaign
    analyst = factories.UserFactory._meta.model.objects.get(username="analyst1")
    for index, name in ((3, "speculation"), (4, "fact"), (5, "opinion")):
        if Sentence.objects.filter(document=document, index=index).exists():
            label(project, document, analyst, index, name)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.set_extra_http_headers({"Accept-Language": "ru-RU,ru;q=0.9"})
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "analyst1")
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/p/{project.slug}/d/{document.pk}/")
    expect(page.locator("#doc-text")).to_have_attribute("contenteditable", "true")
    expect(page.locator(".label-bar")).to_contain_text("Предположение")
    page.locator("#ann-list .item-main").first.click()
    expect(page.locator("#editor")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    target = ROOT / "docs" / "screenshots" / "document-ru.png"
    if not os.environ.get("UPDATE_SCREENSHOTS"):
        target = tmp_path / "document-ru.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
