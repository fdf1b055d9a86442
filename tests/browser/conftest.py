"""Fixtures shared by the browser tests: extra pages, and a watch for script errors."""

import pytest


@pytest.fixture
def new_page(browser):
    """Pages in contexts of their own (another user, no JavaScript), closed after the test."""
    contexts = []

    def make(browser, **options):
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def no_script_errors(page):
    """No uncaught exception and no Content-Security-Policy violation on any page."""
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield
    assert problems == []
