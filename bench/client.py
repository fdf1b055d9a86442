"""A small HTTP client for the benchmark: keep-alive, cookies, Django login and CSRF.

Standard library only, so that the client's own cost stays small and predictable.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class HTTPFailure(Exception):
    pass


class Session:
    """One logged-in browser: a persistent connection and its cookies."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        body: dict | bytes | None = None,
        headers: dict | None = None,
        *,
        retry: bool = True,
    ) -> tuple[int, bytes]:
        """One request; with ``retry``, sent again once on a new connection when the
        server closed a kept-alive one (without: the next request gets a new connection,
        this one raises, as a save whose answer was lost may have been stored).
        ``body``: a form (a dict, sent urlencoded) or bytes sent as they are (give
        their Content-Type in ``headers``)."""
        all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if isinstance(body, bytes):
            data = body
        elif body is not None:
            data = urlencode(body).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # The server closed a kept-alive connection: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt or not retry:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, payload

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, body: dict, headers: dict | None = None, *, retry: bool = True
    ) -> tuple[int, bytes]:
        csrf = {"X-CSRFToken": self.cookies.get("csrftoken", "")}
        return self.request(
            "POST", path, body=body, headers={**csrf, **(headers or {})}, retry=retry
        )

    def post_json(self, path: str, value, token: str) -> tuple[int, bytes]:
        """POST ``value`` as JSON to the API with a personal token (no session, no CSRF)."""
        body = json.dumps(value, ensure_ascii=False).encode()
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        return self.request("POST", path, body=body, headers=headers)

    def login(self, username: str, password: str) -> None:
        status, page = self.get("/accounts/login/")
        match = CSRF_INPUT.search(page.decode())
        if status != 200 or not match:
            raise HTTPFailure(f"login page answered {status}")
        status, _ = self.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise HTTPFailure(f"login as {username} failed ({status})")


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    def percentile(self, q: float) -> float:
        if not self.seconds:
            return float("nan")
        if len(self.seconds) == 1:
            return self.seconds[0]
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[int(q) - 1]

    def figure(self, name: str) -> dict:
        ms = [s * 1000 for s in self.seconds]
        scaled = Timings(ms)
        return {
            "name": name,
            "unit": "ms",
            "n": len(ms),
            "p50": round(scaled.percentile(50), 2),
            "p95": round(scaled.percentile(95), 2),
            "p99": round(scaled.percentile(99), 2),
            "errors": len(self.errors),
        }


def drive(
    clients: list[Session],
    work: Callable[[Session, int], tuple[int, bytes]],
    *,
    requests: int,
    time_cap: float,
    expect: tuple[int, ...] = (200,),
    even: bool = False,
) -> Timings:
    """Run ``requests`` calls of ``work`` spread over the clients, one thread each.

    Calls go to whichever client is free, or with ``even`` an equal share to each
    (``work`` then gets each client's own count: 0, 1, 2...). Stops early when
    ``time_cap`` seconds have passed. Every call's latency is kept; a status outside
    ``expect`` is an error (with the first bytes of the body).
    """
    timings = Timings()
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + time_cap
    share, extra = divmod(requests, len(clients))
    counts = {id(c): iter(range(share + (i < extra))) for i, c in enumerate(clients)}

    def worker(client: Session) -> None:
        while time.monotonic() < deadline:
            with lock:
                index = next(counts[id(client)] if even else counter, None)
            if index is None:
                return
            began = time.perf_counter()
            try:
                status, body = work(client, index)
                error = None if status in expect else f"{status}: {body[:200]!r}"
            except Exception as exc:  # a failed request is a result, not a crash
                error = repr(exc)
            elapsed = time.perf_counter() - began
            with lock:
                timings.seconds.append(elapsed)
                if error:
                    timings.errors.append(error)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.wall = time.perf_counter() - started
    return timings
