"""A large request's memory is released once it is answered; a small one's is left be."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from annotator.web import memory

pytestmark = pytest.mark.django_db


@pytest.fixture
def releases(monkeypatch):
    calls: list[bool] = []
    monkeypatch.setattr(memory, "release_memory", lambda: calls.append(True))
    return calls


def answered(request, response):
    """The middleware's pass, then the end of the request as the server signals it."""
    result = memory.ReleaseMemoryMiddleware(lambda request: response)(request)
    request_finished.send(sender=None)
    return result


def test_a_large_body_is_released_after_the_answer(releases):
    request = RequestFactory().post("/api/v1/x/", b"x", content_type="application/json")
    request.META["CONTENT_LENGTH"] = str(memory.LARGE_BYTES + 1)
    answered(request, HttpResponse("ok"))
    assert releases == [True]
    request_finished.send(sender=None)  # the next request, a small one: nothing more
    assert releases == [True]


def test_a_large_answer_is_released_too(releases):
    answered(RequestFactory().get("/"), HttpResponse(b"x" * (memory.LARGE_BYTES + 1)))
    assert releases == [True]


@pytest.mark.parametrize("length", ["", "12", "not a number"])
def test_small_requests_and_streams_are_not(releases, length):
    request = RequestFactory().get("/")
    request.META["CONTENT_LENGTH"] = length
    answered(request, HttpResponse("small"))
    answered(RequestFactory().get("/"), StreamingHttpResponse(iter([b"x" * 10])))
    assert releases == []


def test_release_memory_collects_and_asks_the_allocator():
    # glibc here: malloc_trim exists and the call reports whether memory was returned.
    assert memory._trim is not None
    assert memory.release_memory() in (True, False)


def test_the_middleware_sees_every_answer(settings):
    assert settings.MIDDLEWARE[0] == "annotator.web.memory.ReleaseMemoryMiddleware"
