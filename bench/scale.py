"""The 2,000-candidate deadline burst on PostgreSQL, its deadline falling mid-burst, and how it scales with gunicorn
workers and with a second app process (issue 13, target 2). Run after both databases' phases by `make bench`, or
alone by `bench/run.py --scale`.

On a fresh database: CANDIDATES candidates who submit in the same instant, and LATE more who submit after the deadline
and the grace. Setup: accounts, a session of the paper and every attempt started, through the app's services
(bench/data.py scale-setup), and every item answered in bulk (scale-fill); each candidate's session cookie and CSRF
token made here with the server's SECRET_KEY, as POST /login and the exam page would leave them (2,000 argon2id
checks would take minutes of CPU).

Then, for each configuration, gunicorn is started anew and the attempts are put back in progress; the same burst of
`GET /login` is sent, then the submits, with EXAM_SAVE_GRACE_SECONDS = GRACE and the deadline set DEADLINE_AFTER
seconds after the burst's first send: most submits wait in the server's queue past the deadline and the grace. Every
submit sent before deadline + grace must come back `submitted`, whatever its wait; every one sent after, `closed`.
The sweep runs every GRACE seconds in every process (production: every 30 s, the grace being 30 s), so it runs while
submits are still queued. The checks afterwards: each attempt has exactly one submit or close event and one marking,
and every answer is still there.
"""
import asyncio
import math
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, AsyncExitStack, ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import scenarios
from aiohttp.http import SERVER_SOFTWARE
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_login.utils import _create_identifier
from itsdangerous import URLSafeTimedSerializer
from load import Call, Result, Server, Stats, percentile, scheduled, stats
from machine import CpuMeter, busy_now
from report import ms, ratio
from scenarios import Candidate
from serve import BIN, THREADS, Logged, access_log, bench_data, command, error_log, gunicorn, worker_options

from config import Config

CANDIDATES = 2000
LATE = 100                  # more candidates, who submit after the deadline and the grace
GRACE = 2.0                 # EXAM_SAVE_GRACE_SECONDS here (30 in production): the queue outlasts it
DEADLINE_AFTER = 0.5        # seconds from the burst's first send to the deadline
LATE_AFTER = 0.5            # seconds from deadline + grace to the late group's first send
LATE_SPREAD = 1.0           # seconds over which the late group sends
# gunicorn's worker class, and -w of each process (two processes share the load): gevent as docs/operations.md runs
# PostgreSQL, and the threaded worker beside it.
CONFIGURATIONS = (("gevent", (2,)), ("gevent", (4,)), ("gevent", (8,)), ("gevent", (4, 4)),
                  ("gthread", (2,)), ("gthread", (4,)))
P99_TARGET = 5.0            # seconds (issue 13, target 2)
GENERATOR_NICE = -10
CONFIGURATION_TIME_LIMIT = 300
MARKING_TIME_LIMIT = 120
# The production app with the small grace; the sweep as often as the grace, the ratio production keeps (30 s, 30 s).
APP = f'app:create_app("production", EXAM_SAVE_GRACE_SECONDS={GRACE}, SWEEP_EVERY_SECONDS={GRACE})'

ARRIVAL = f"""\
How the server knows when a submit arrived: the app's own stamp (its outermost WSGI layer, app/attempts/arrival.py) is
taken only when a worker starts on the request, after its wait in the listen backlog and in the worker (gthread: for a
free thread; gevent: for its greenlet's turn on the process's one thread), so alone it would judge a queued submit
late. The bench therefore plays the front proxy of docs/operations.md (PROXY_COUNT=1; nginx: proxy_set_header
X-Request-Start "t=${{msec}}"): each request carries the wall-clock time it was written to the socket, and lateness is
judged at that arrival. "unseen wait" is the app's stamp minus that time (gunicorn's access log): the wait the app
cannot see itself. Deadline {DEADLINE_AFTER:g} s after the burst's first send, grace {GRACE:g} s, sweep every
{GRACE:g} s; {LATE} more candidates submit {LATE_AFTER:g}-{LATE_AFTER + LATE_SPREAD:g} s after deadline + grace."""


@dataclass
class Outcome:
    label: str
    login: Stats | None = None          # the same burst of GET /login
    burst: Stats | None = None          # the CANDIDATES submits sent at once
    late: Stats | None = None           # the LATE submits after deadline + grace
    results: list[tuple[Candidate, Result]] = field(default_factory=list)
    cutoff: float = math.nan            # deadline + grace, epoch seconds
    logged: list[Logged] = field(default_factory=list)
    cpu: dict[str, str] = field(default_factory=dict)
    marked_within: float = math.nan
    checks: list[tuple[str, bool]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    server_log: Counter = field(default_factory=Counter)
    raised: list[str] = field(default_factory=list)
    seconds: float = 0.0                # the whole configuration, gunicorn's start to the checks

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(ok for _, ok in self.checks)

    def unseen(self) -> list[float]:
        return [line.unseen_wait for line in self.logged
                if line.phase == "burst" and not math.isnan(line.unseen_wait)]


def run(database: Callable[[], AbstractContextManager[str]], app_env: Callable[[str], dict[str, str]],
        candidates: int = CANDIDATES) -> bool:
    """The whole phase on a fresh PostgreSQL database; prints as it goes; True if every check held."""
    print(f"\n=== PostgreSQL at scale: {candidates} candidates submitting at once, the deadline mid-burst; "
          f"gunicorn -k gevent, and -k gthread --threads {THREADS} ===")
    print(f"machine: other work used {busy_now():.0f}% of one core just before this phase began")
    print(ARRIVAL)
    logs = Path(tempfile.mkdtemp(prefix="bench-scale-logs-"))
    outcomes: list[Outcome] = []
    began = time.monotonic()
    with database() as url:
        env = {**app_env(url), "PROXY_COUNT": "1"}
        command([str(BIN / "flask"), "db", "upgrade"], env)
        data = bench_data(env, "scale-setup", "--candidates", str(candidates + LATE))
        bench_data(env, "scale-fill", "--session", str(data["session"]))
        people = logged_in(data["candidates"], env["SECRET_KEY"])
        print(f"setup: {len(people)} accounts, attempts started through the service and every item answered, in "
              f"{time.monotonic() - began:.0f} s; logins made by the bench (signed session cookies, no POST /login)")
        for index, (kind, workers) in enumerate(CONFIGURATIONS):
            outcome = configuration(kind, workers, env, url, data, people, logs / f"{index}")
            outcomes.append(outcome)
            print_outcome(outcome, data["items"])
    print_table(outcomes)
    ok = all(outcome.ok for outcome in outcomes)
    if ok:
        shutil.rmtree(logs)
    else:
        print(f"scale: gunicorn's logs are kept in {logs}")
    print(f"scale phase: {time.monotonic() - began:.0f} s")
    return ok


@contextmanager
def generator_first() -> Iterator[None]:
    """The load generator stands for 2,000 browsers on machines of their own: while it sends, it runs ahead of the
    server's processes (nice GENERATOR_NICE, where allowed; gunicorn is started before, at the usual priority), so
    that "at once" is not spread out by its own wait for a core."""
    before = os.getpriority(os.PRIO_PROCESS, 0)
    with suppress(PermissionError):
        os.setpriority(os.PRIO_PROCESS, 0, GENERATOR_NICE)
    try:
        yield
    finally:
        os.setpriority(os.PRIO_PROCESS, 0, before)


def logged_in(accounts: list[dict], secret_key: str) -> list[Candidate]:
    """Each candidate as POST /login and the exam page leave them: Flask's signed session cookie holding Flask-Login's
    keys (the user, fresh, the identifier of this client's address and User-Agent, permanent) and Flask-WTF's raw
    CSRF token, and that token signed as the page's csrf-token meta carries it."""
    signer = Flask(__name__)
    signer.secret_key = secret_key
    cookies = SecureCookieSessionInterface().get_signing_serializer(signer)
    tokens = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token")
    client = {"headers": {"User-Agent": SERVER_SOFTWARE}, "environ_base": {"REMOTE_ADDR": "127.0.0.1"}}
    with signer.test_request_context(**client):
        identifier = _create_identifier()
    people = []
    for number, account in enumerate(accounts):
        raw = f"{number:040x}"
        cookie = cookies.dumps({"_user_id": account["session_key"], "_fresh": True, "_id": identifier,
                                "_permanent": True, "csrf_token": raw})
        people.append(Candidate(account["username"], cookie=cookie, token=tokens.dumps(raw),
                                attempt=account["attempt"]))
    return people


# -- one configuration -------------------------------------------------------------------------------------------

def label_of(kind: str, workers: tuple[int, ...], pool: dict[str, str]) -> str:
    return (" + ".join(f"-w {count}" for count in workers) + " " + " ".join(worker_options(kind))
            + (" (two ports)" if len(workers) > 1 else "")
            + (f", pool {pool['DATABASE_POOL_SIZE']} + {pool['DATABASE_POOL_OVERFLOW']}" if pool else ""))


# PostgreSQL connections the app's workers may hold together, leaving some of max_connections for the bench's own.
SPARE_CONNECTIONS = 10


def pool_within(url: str, workers: int) -> dict[str, str]:
    """The pool settings docs/operations.md asks of `workers` processes: every worker's pool and overflow within
    PostgreSQL's max_connections; none (config.py's) where they fit, else an even share each and no overflow."""
    with psycopg.connect(url, autocommit=True) as connection:
        allowed = int(connection.execute("SHOW max_connections").fetchone()[0]) - SPARE_CONNECTIONS
    if workers * (Config.DATABASE_POOL_SIZE + Config.DATABASE_POOL_OVERFLOW) <= allowed:
        return {}
    return {"DATABASE_POOL_SIZE": str(allowed // workers), "DATABASE_POOL_OVERFLOW": "0"}


def configuration(kind: str, workers: tuple[int, ...], env: dict[str, str], url: str, data: dict,
                  people: list[Candidate], logs: Path) -> Outcome:
    began = time.monotonic()
    pool = pool_within(url, sum(workers))
    outcome = Outcome(label_of(kind, workers, pool))
    reset(url, data["session"])
    folders = [logs / f"process{number}" for number in range(len(workers))]
    with ExitStack() as stack:
        served = [stack.enter_context(gunicorn({**env, **pool}, folder, count, worker_options(kind), APP))
                  for folder, count in zip(folders, workers, strict=True)]
        with generator_first():
            asyncio.run(asyncio.wait_for(load(served, url, data["session"], people, outcome), CONFIGURATION_TIME_LIMIT))
        outcome.marked_within = wait_for_marks(url, data["session"])
    for folder in folders:
        outcome.logged += access_log(folder / "access.log")
        found, raised = error_log(folder / "error.log")
        outcome.server_log += found
        outcome.raised += raised
    judge(outcome, url, data)
    outcome.seconds = time.monotonic() - began
    return outcome


async def load(served: list[tuple[int, int]], url: str, session_id: int, people: list[Candidate],
               outcome: Outcome) -> None:
    phase = ["setup"]
    async with AsyncExitStack() as stack:
        servers = [await stack.enter_async_context(Server(port, stamp=True)) for port, _ in served]

        def at(index: int) -> Server:
            """Candidate (or request) `index`'s server: the load split evenly between the processes."""
            return servers[index % len(servers)]

        def enter(name: str) -> None:
            phase[0] = name
            for server in servers:
                server.phase = name

        cpu = CpuMeter([pid for _, pid in served], url.rsplit("/", 1)[1], lambda: phase[0])
        meter = asyncio.create_task(cpu.run())
        try:
            enter("warm-up")
            await asyncio.gather(*(scenarios.warm_up(server, people[number::len(servers)])
                                   for number, server in enumerate(servers)))
            burst, late = people[:-LATE], people[-LATE:]
            enter("login")
            outcome.login = stats(await scheduled([(0.0, scenarios.light_page(at(n))) for n in range(len(burst))],
                                                  time.monotonic()))
            enter("between")
            await asyncio.sleep(1)
            await deadline_burst(at, url, session_id, burst, late, outcome, enter)
            enter("after")
        finally:
            meter.cancel()
        outcome.cpu = {name: cpu.percent(name) for name in ("login", "burst")}


def submit(server: Server, candidate: Candidate) -> Call:
    """The submit, its answer's status (submitted or closed) kept as the body."""
    async def call() -> Result:
        result, _ = await server.call("POST", f"/api/v1/attempts/{candidate.attempt}/submit",
                                      cookie=candidate.cookie, token=candidate.token)
        if result.ok:
            result.body = result.body.get("status")
        return result
    return call


async def deadline_burst(at: Callable[[int], Server], url: str, session_id: int, burst: list[Candidate],
                         late: list[Candidate], outcome: Outcome, enter: Callable[[str], None]) -> None:
    """The deadline is set, as an organiser's extension would move it, to DEADLINE_AFTER seconds after the burst's first
    send; every candidate of `burst` submits at that first send, those of `late` after deadline + grace."""
    first_send = time.time() + 1.0
    deadline = first_send + DEADLINE_AFTER
    outcome.cutoff = deadline + GRACE
    await asyncio.to_thread(set_deadline, url, session_id, deadline)
    origin = time.monotonic() + (first_send - time.time())
    calls = [(0.0, submit(at(index), candidate)) for index, candidate in enumerate(burst)]
    calls += [(DEADLINE_AFTER + GRACE + LATE_AFTER + LATE_SPREAD * number / len(late),
               submit(at(len(burst) + number), candidate)) for number, candidate in enumerate(late)]
    enter("burst")
    results = await scheduled(calls, origin)
    outcome.results = list(zip(burst + late, results, strict=True))
    outcome.burst, outcome.late = stats(results[:len(burst)]), stats(results[len(burst):])


# -- the database, read and set by the bench itself --------------------------------------------------------------

def reset(url: str, session_id: int) -> None:
    """The attempts in progress and unmarked, their deadline an hour away, before each configuration's burst (after
    the first, the bench's shortcut instead of 2,000 new attempts). Their events stay: each configuration's are those
    written from its burst on."""
    with psycopg.connect(url, autocommit=True) as connection, connection.transaction():
        connection.execute("UPDATE attempts SET status = 'in_progress', finished_at = NULL, score = NULL, "
                           "fully_marked = false, deadline = %s WHERE session_id = %s",
                           (_naive(time.time() + 3600), session_id))
        connection.execute("UPDATE responses SET score = NULL WHERE attempt_id IN "
                           "(SELECT id FROM attempts WHERE session_id = %s)", (session_id,))


def set_deadline(url: str, session_id: int, deadline: float) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("UPDATE attempts SET deadline = %s WHERE session_id = %s", (_naive(deadline), session_id))


def _naive(epoch: float) -> datetime:
    """The app stores naive UTC (app/models/types.py)."""
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def wait_for_marks(url: str, session_id: int) -> float:
    """Seconds until every attempt is finished and marked (the marking threads, and the sweep closing any attempt
    whose submit failed), or NaN if not within MARKING_TIME_LIMIT."""
    began = time.monotonic()
    with psycopg.connect(url, autocommit=True) as connection:
        while time.monotonic() - began < MARKING_TIME_LIMIT:
            left = connection.execute("SELECT count(*) FROM attempts WHERE session_id = %s "
                                      "AND (status = 'in_progress' OR score IS NULL)", (session_id,)).fetchone()[0]
            if left == 0:
                return time.monotonic() - began
            time.sleep(0.5)
    return math.nan


ROUND = """
SELECT a.id, a.status, a.score IS NOT NULL,
       count(e.id) FILTER (WHERE e.kind = 'submit'), count(e.id) FILTER (WHERE e.kind = 'close'),
       count(e.id) FILTER (WHERE e.kind = 'auto_mark'),
       count(e.id) FILTER (WHERE e.kind = 'submit' AND e.details::jsonb ? 'arrived'),
       (SELECT count(*) FROM responses r WHERE r.attempt_id = a.id AND r.value IS NOT NULL
                                               AND r.value::text <> 'null')
FROM attempts a LEFT JOIN attempt_events e ON e.attempt_id = a.id AND e.at >= %s
WHERE a.session_id = %s GROUP BY a.id
"""


def judge(outcome: Outcome, url: str, data: dict) -> None:
    """What each submit was answered and what the database holds, against when it was sent."""
    since = _naive(outcome.cutoff - GRACE - DEADLINE_AFTER - 1.0)     # this configuration's events only
    with psycopg.connect(url) as connection:
        rows = {row[0]: row[1:] for row in connection.execute(ROUND, (since, data["session"]))}
    in_time = [(c, r) for c, r in outcome.results if r.sent_at is not None and r.sent_at <= outcome.cutoff]
    after = [(c, r) for c, r in outcome.results if r.sent_at is not None and r.sent_at > outcome.cutoff]
    unanswered = [c for c, r in outcome.results if not r.ok]
    refused = [c for c, r in in_time if r.body != "submitted" or rows[c.attempt][0] != "submitted"]
    taken = [c for c, r in after if r.body != "closed" or rows[c.attempt][0] != "closed"]
    finishes = Counter(submits + closes for _, _, submits, closes, *_ in rows.values())
    marks = Counter(marked for *_, marked, _, _ in rows.values())
    unscored = sum(not scored for _, scored, *_ in rows.values())
    fewest = min(answered for *_, answered in rows.values())
    before_deadline = sum(r.sent_at <= outcome.cutoff - GRACE for _, r in in_time)
    outcome.checks = [
        (f"{len(outcome.results)} submits answered, errors: {len(unanswered)}", not unanswered),
        ((f"sent before deadline + grace: {len(in_time)} ({before_deadline} before the deadline); "
          f"accepted (submitted): {len(in_time) - len(refused)}"), not refused),
        (f"sent after deadline + grace: {len(after)}; closed: {len(after) - len(taken)}", not taken),
        (f"attempts by number of submit or close events: {dict(sorted(finishes.items()))}",
         finishes == Counter({1: len(rows)})),
        (f"attempts by number of markings: {dict(sorted(marks.items()))}, without a score: {unscored}",
         marks == Counter({1: len(rows)}) and not unscored),
        (f"answers kept: fewest answered {fewest} of {data['items']}", fewest == data["items"]),
    ]
    arrived = sum(on_arrival for *_, on_arrival, _ in rows.values())
    judged_late = sum(1 for line in outcome.logged if line.phase == "burst" and line.sent is not None
                      and line.entered is not None and line.sent <= outcome.cutoff < line.entered)
    outcome.notes = [
        f"accepted on their arrival though handled after deadline + grace (the submit event records it): {arrived}",
        (f"sent in time but stamped by the app itself after deadline + grace (the app alone would close them): "
         f"{judged_late}")]


# -- what is printed ---------------------------------------------------------------------------------------------

def verdict(outcome: Outcome) -> str:
    burst = outcome.burst
    good = burst.error_count == 0 and burst.p99 <= P99_TARGET * 1000
    return (f"{'OK  ' if good else 'MISS'} submit p99 {burst.p99 / 1000:.2f} s (target <= {P99_TARGET:g} s), "
            f"{burst.error_count} errors")


def print_outcome(outcome: Outcome, items: int) -> None:
    print(f"\n--- gunicorn {outcome.label}, {items}-item papers ({outcome.seconds:.0f} s) ---")
    burst, late, login = outcome.burst, outcome.late, outcome.login
    print(f"GET /login burst: {login.requests} at once, wall {login.wall:.2f} s, p50 {ms(login.p50)} ms, "
          f"p99 {ms(login.p99)} ms, errors: {login.errors_text()}")
    print(f"submit burst: {burst.requests} at once, wall {burst.wall:.2f} s, p50 {ms(burst.p50)} ms, "
          f"p99 {ms(burst.p99)} ms, max {ms(burst.max)} ms, errors: {burst.errors_text()}; "
          f"the client wrote its last request {_spread(outcome):.2f} s after its first")
    print(f"late group: {late.requests} submits, p50 {ms(late.p50)} ms, errors: {late.errors_text()}")
    unseen = outcome.unseen()
    if unseen:
        print(f"unseen wait (app's stamp - X-Request-Start): p50 {percentile(unseen, 0.5):.2f} s, "
              f"p99 {percentile(unseen, 0.99):.2f} s, max {max(unseen):.2f} s")
    print("every attempt finished and marked " + (f"{outcome.marked_within:.1f} s after the burst"
                                                  if not math.isnan(outcome.marked_within)
                                                  else f"NOT within {MARKING_TIME_LIMIT} s"))
    print(f"CPU % gen/app/db/other/steal: GET /login burst {outcome.cpu.get('login', '-')}, "
          f"submit burst {outcome.cpu.get('burst', '-')}")
    print(verdict(outcome))
    for text, ok in outcome.checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    for note in outcome.notes:
        print(f"       {note}")
    print("gunicorn's error log: " + (", ".join(f"{what} ×{count}" for what, count in outcome.server_log.items())
                                      or "no request raised"))
    for line in outcome.raised:
        print(f"  {line}")


def _spread(outcome: Outcome) -> float:
    sent = [r.sent_at for _, r in outcome.results[:outcome.burst.requests] if r.sent_at is not None]
    return max(sent) - min(sent) if sent else math.nan


def print_table(outcomes: list[Outcome]) -> None:
    print(f"\nscaling: {outcomes[0].burst.requests} submits at once on PostgreSQL, the deadline mid-burst "
          f"(ratio = submit wall / the same burst of GET /login)")
    print(f"  {'gunicorn':<50} {'submit p50':>10} {'p99':>7} {'wall':>7} {'errors':>6} {'login wall':>10} "
          f"{'ratio':>6} {'unseen max':>10} {'checks':>6}  CPU % gen/app/db/other/steal (burst)")
    for outcome in outcomes:
        burst, unseen = outcome.burst, outcome.unseen()
        print(f"  {outcome.label:<50} {burst.p50 / 1000:>9.2f}s {burst.p99 / 1000:>6.2f}s "
              f"{burst.wall:>6.2f}s {burst.error_count:>6} {outcome.login.wall:>9.2f}s "
              f"{ratio(burst.wall, outcome.login.wall):>6} {(max(unseen) if unseen else math.nan):>9.2f}s "
              f"{'ok' if outcome.ok else 'FAIL':>6}  {outcome.cpu.get('burst', '-')}")
    print(f"  target: submit p99 <= {P99_TARGET:g} s with 0 errors; every submit sent before deadline + grace accepted")

