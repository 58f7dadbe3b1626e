"""The load generator: timed HTTP calls to the server under test, open- and closed-loop, and their statistics.

Only 127.0.0.1 is ever called. Open-loop runs send on a fixed schedule whether or not earlier answers came
back (as 500 browsers would); closed-loop runs keep a fixed number of requests in flight.

A Server made with `stamp=True` plays the front proxy of docs/operations.md: each request carries X-Request-Start,
the wall-clock time it is written to the socket (nginx's `t=${msec}` when it has read a request), set after the
connection is made, just before the request's bytes go out.
"""
import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from json import loads
from typing import Any

import aiohttp

REQUEST_TIMEOUT = 60.0      # a client that waits longer than this counts the request as failed


@dataclass
class Result:
    status: int | None          # None when no answer came (refused, reset, timed out)
    started: float              # monotonic seconds
    done: float
    late: float = 0.0           # how far behind its schedule the request was sent
    body: Any = None
    error: str | None = None
    sent_at: float | None = None    # epoch seconds in its X-Request-Start, from a stamping Server


    @property
    def latency(self) -> float:
        return self.done - self.started

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 400


Call = Callable[[], Awaitable[Result]]
REQUEST_START = "X-Request-Start"


class _Stamped(aiohttp.ClientRequest):
    """Stamped when written: `send` runs once the connection is made and writes the request before it next waits."""

    async def send(self, conn: aiohttp.connector.Connection) -> aiohttp.ClientResponse:
        self.headers[REQUEST_START] = f"t={time.time():.6f}"
        return await super().send(conn)


class Server:
    """One keep-alive connection pool to the server; cookies are carried by hand, one candidate at a time."""

    def __init__(self, port: int, stamp: bool = False):
        self.base = f"http://127.0.0.1:{port}"
        self.stamp = stamp
        self.http: aiohttp.ClientSession | None = None
        # Sent as X-Bench-Phase and written to gunicorn's access log, so server-side times can be told apart.
        self.phase = "setup"

    async def __aenter__(self) -> "Server":
        # Drop idle connections before gunicorn does (its --keep-alive is longer), so no request is ever
        # written into a connection the server is closing.
        connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=10)
        self.http = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                          timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
                                          request_class=_Stamped if self.stamp else aiohttp.ClientRequest)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.http.close()

    async def call(self, method: str, path: str, *, cookie: str | None = None, token: str | None = None,
                   json: Any = None, form: dict | None = None, want: str = "json") -> tuple[Result, Any]:
        """One request, timed from just before it is written to the end of its body; never raises."""
        headers = {"X-Bench-Phase": self.phase}
        if cookie:
            headers["Cookie"] = f"session={cookie}"
        if token:
            headers["X-CSRFToken"] = token
        started = time.monotonic()
        try:
            async with self.http.request(method, self.base + path, headers=headers, json=json, data=form,
                                         allow_redirects=False) as response:
                raw = await response.read()
                cookie_out = response.cookies.get("session")
                result = Result(response.status, started, time.monotonic(), body=raw)
                if self.stamp:
                    result.sent_at = float(response.request_info.headers[REQUEST_START].removeprefix("t="))
        except (TimeoutError, aiohttp.ClientError) as error:
            return Result(None, started, time.monotonic(), error=type(error).__name__), None
        if want == "json":
            try:
                result.body = loads(raw)
            except ValueError:
                result.error = "not JSON"
        return result, cookie_out.value if cookie_out else None


async def open_loop(calls: list[Call], spread: float) -> list[Result]:
    """Send calls[i] at i * spread / len(calls) seconds from now, each in its own task."""
    interval = spread / len(calls)
    return await scheduled([(index * interval, call) for index, call in enumerate(calls)], time.monotonic())


async def scheduled(calls: list[tuple[float, Call]], origin: float) -> list[Result]:
    """Send each call at its offset in seconds from `origin` (monotonic), each in its own task."""
    async def at(due: float, call: Call) -> Result:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        late = time.monotonic() - due
        result = await call()
        result.late = late
        return result

    return list(await asyncio.gather(*(at(origin + offset, call) for offset, call in calls)))


async def closed_loop(next_call: Callable[[], Call], concurrency: int, seconds: float) -> list[Result]:
    """`concurrency` workers each sending their next request as soon as the last is answered, for `seconds`."""
    stop = time.monotonic() + seconds
    results: list[Result] = []

    async def worker() -> None:
        while time.monotonic() < stop:
            results.append(await next_call()())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Stats:
    requests: int
    ok: int
    errors: Counter = field(default_factory=Counter)
    p50: float = math.nan       # milliseconds, over answered requests
    p95: float = math.nan
    p99: float = math.nan
    max: float = math.nan
    throughput: float = 0.0     # successful requests per second, first send to last answer
    late: float = 0.0           # worst lateness of a scheduled send, milliseconds
    wall: float = math.nan      # seconds from the first send to the last answer
    latencies: list[float] = field(default_factory=list)

    def slower_than(self, seconds: float) -> int:
        return sum(latency > seconds * 1000 for latency in self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def errors_text(self) -> str:
        return ", ".join(f"{kind} ×{n}" for kind, n in self.errors.most_common()) or "none"


def stats(results: list[Result]) -> Stats:
    summary = Stats(len(results), sum(r.ok for r in results))
    for result in results:
        if not result.ok:
            kind = result.error or f"HTTP {result.status}"
            summary.errors[kind] += 1
    if not results:
        return summary
    latencies = summary.latencies = [r.latency * 1000 for r in results if r.status is not None]
    if latencies:
        summary.p50, summary.p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
        summary.p99, summary.max = percentile(latencies, 0.99), max(latencies)
    span = summary.wall = max(r.done for r in results) - min(r.started for r in results)
    summary.throughput = summary.ok / span if span > 0 else 0.0
    summary.late = max(r.late for r in results) * 1000
    return summary
