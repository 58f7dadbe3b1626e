"""When a request reached the server, so that a save or submit sent before the deadline is never refused for having
waited in the server's queue (DESIGN §2, docs/operations.md "Lateness is judged at arrival").

Two clocks, the earlier wins: the time the request entered the app (stamped by the outermost WSGI layer, before any
wait for the database's write lock or a busy interpreter), and, behind trusted proxies (PROXY_COUNT > 0), the front
proxy's `X-Request-Start` (nginx: `proxy_set_header X-Request-Start "t=${msec}";`), which also covers the wait for a
free gunicorn thread. A client can't set either: without PROXY_COUNT the header is ignored, and the proxy
overwrites what a client sent. The grace (EXAM_SAVE_GRACE_SECONDS) covers what remains: the network before it.
"""
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, request

from app.models import utcnow

ENTERED = "exam.entered_at"
# A proxy's stamp further back than this is a misconfigured clock, not a queue: the entry time is used instead.
LONGEST_QUEUE = timedelta(minutes=5)


def init_app(app: Flask) -> None:
    app.wsgi_app = _Stamped(app.wsgi_app)


class _Stamped:
    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[ENTERED] = utcnow()
        return self.wsgi_app(environ, start_response)


def arrived_at() -> datetime:
    """When the current request reached the server, by the earliest clock it may trust."""
    entered = request.environ.get(ENTERED) or utcnow()
    if not current_app.config["PROXY_COUNT"]:
        return entered
    started = proxy_start(request.headers.get("X-Request-Start", ""))
    if started is None or not entered - LONGEST_QUEUE <= started < entered:
        return entered
    return started


def longest_wait() -> timedelta:
    """How long a request may wait between reaching the server and being judged: in the front proxy's queue (only a
    proxy's clock sees that wait, up to LONGEST_QUEUE) and for its turn to write (the busy timeout). The sweep closes
    an attempt only once its grace and this have passed, so a save or submit that arrived in time finds it open."""
    turn = timedelta(milliseconds=current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    return LONGEST_QUEUE + turn if current_app.config["PROXY_COUNT"] else turn


def proxy_start(header: str) -> datetime | None:
    """`t=1733100000.123` (nginx's ${msec}, seconds) or a bare number in seconds, milliseconds or microseconds."""
    try:
        value = float(header.strip().removeprefix("t="))
    except ValueError:
        return None
    for scale in (1e6, 1e3, 1.0):
        if value >= 1e9 * scale:
            value /= scale
            break
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
