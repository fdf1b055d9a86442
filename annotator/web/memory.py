"""Memory a large request leaves behind goes back to the operating system.

An import of 1,000 documents in one request (11 MB of JSON) needs about 80 MB while it
runs: the body, its text, the parsed records, the sentence offsets. Python frees them
when the request ends, but the C allocator keeps most freed memory for the next
allocation, so a server process stayed that much larger for the rest of its life, and two
of them took the web server past its 250 MB (``make bench``). After a request with a body
or an answer over ``LARGE_BYTES``, once the answer is sent (Django's ``request_finished``),
``release_memory`` runs the collector and asks glibc to give the free memory back
(``malloc_trim``; elsewhere there is nothing to ask and only the collector runs).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

LARGE_BYTES = 1024 * 1024

_marked = threading.local()


def _malloc_trim() -> Callable[[int], Any] | None:
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


_trim = _malloc_trim()


def release_memory() -> bool:
    """Collect garbage, then return free heap memory to the system; whether glibc was
    asked (and returned some)."""
    gc.collect()
    return bool(_trim(0)) if _trim is not None else False


def is_large(request: HttpRequest, response: HttpResponse) -> bool:
    try:
        sent = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        sent = 0
    answered = 0 if response.streaming else len(response.content)
    return max(sent, answered) > LARGE_BYTES


class ReleaseMemoryMiddleware:
    """Marks a large request; ``_finished`` releases the memory once it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_large(request, response):
            _marked.large = True
        return response


def _finished(sender: Any, **kwargs: Any) -> None:
    if getattr(_marked, "large", False):
        _marked.large = False
        release_memory()


request_finished.connect(_finished, dispatch_uid="annotator.web.memory")
