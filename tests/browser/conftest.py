"""Fixtures shared by the browser tests."""

import pytest


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
