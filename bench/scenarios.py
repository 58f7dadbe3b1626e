"""What 500 candidates do to the server on exam day, as the exam page does it: log in, start, autosave, submit;
and what they do on every other day of the hundred days of training: answer drill questions one at a time.

Each measured phase is run twice under the same load shape: once on the app's endpoint and once on the bare
endpoint of the same server, so the app's share of the cost can be read off as a ratio.
"""
import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from load import Call, Result, Server, Stats, closed_loop, open_loop, stats

BARE = "/static/css/app.css"
LIGHT_PAGE = "/login"           # the cheapest page: the deadline burst is held against a burst of it
START_SPREAD = 5.0              # seconds over which the candidates start
BURST_SPREAD = 0.0              # seconds over which they submit: all in the same instant
LOGIN_SPIKE_SPREAD = 30.0       # seconds over which every candidate logs in again
AUTOSAVE_TARGET_MS = 100.0      # p95 a save must stay under
RAMP_RATES = [25, 50, 75, 100, 150, 200, 300, 400]
RAMP_STEP_SECONDS = 5.0
CLOSED_LOOP_SECONDS = 5.0
SHORT_ANSWER = "坚持以党的政治建设为统领，落实“三会一课”、组织生活会、民主评议党员等制度，" * 3

_FORM_TOKEN = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
_META_TOKEN = re.compile(rb'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Candidate:
    username: str
    cookie: str = ""
    token: str = ""
    attempt: int | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    seq: int = 0
    saves_kept: int = 0         # saves the server says it stored: each must have left one `save` event
    drill: dict[str, Any] = field(default_factory=dict)   # {"id", "questions": [{"id", and a shape (response_for)}]}
    drill_position: int = 0

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


@dataclass
class Phase:
    key: str                    # the X-Bench-Phase prefix of its requests: KEY/app and KEY/bare
    name: str
    shape: str
    endpoint: str
    app: Stats
    bare: Stats
    bare_endpoint: str = f"GET {BARE}"


async def paired(server: Server, key: str, app_run: Callable[[], Awaitable[list[Result]]],
                 bare_run: Callable[[], Awaitable[list[Result]]]) -> tuple[Stats, Stats]:
    """The bare endpoint under the load shape first, then the app's endpoint under the same shape."""
    server.phase = f"{key}/bare"
    bare_stats = stats(await bare_run())
    server.phase = f"{key}/app"
    app_stats = stats(await app_run())
    server.phase = "between"
    return app_stats, bare_stats


# -- logging in (not measured) -----------------------------------------------------------------------------

LOGIN_TRIES = 5


async def log_in_all(server: Server, usernames: list[str], password: str,
                     concurrency: int = 16) -> tuple[list[Candidate], Stats]:
    """Everyone logged in, with the cookie and the exam page's CSRF token; a failed login is tried again,
    and the statistics of every request sent (retries included) say how often that was needed."""
    gate = asyncio.Semaphore(concurrency)
    sent: list[Result] = []

    async def one(username: str) -> Candidate:
        async with gate:
            for _ in range(LOGIN_TRIES):
                candidate = await _log_in(server, username, password, sent)
                if candidate is not None:
                    return candidate
        raise RuntimeError(f"{username} could not log in {LOGIN_TRIES} times: {stats(sent).errors_text()}")

    candidates = list(await asyncio.gather(*(one(name) for name in usernames)))
    return candidates, stats(sent)


async def _log_in(server: Server, username: str, password: str, sent: list[Result],
                  home: bool = True) -> Candidate | None:
    page, cookie = await server.call("GET", "/login", want="bytes")
    sent.append(page)
    token = _FORM_TOKEN.search(page.body or b"")
    if not page.ok or token is None:
        return None
    done, cookie = await server.call("POST", "/login", cookie=cookie, want="bytes", form={
        "username": username, "password": password, "csrf_token": token.group(1).decode()})
    sent.append(done)
    if done.status != 302 or cookie is None:
        done.error = done.error or f"HTTP {done.status}"
        return None
    if not home:
        return Candidate(username, cookie=cookie)
    home, refreshed = await server.call("GET", "/exam/", cookie=cookie, want="bytes")
    sent.append(home)
    meta = _META_TOKEN.search(home.body or b"")
    if not home.ok or meta is None:
        return None
    return Candidate(username, cookie=refreshed or cookie, token=meta.group(1).decode())


async def login_spike(server: Server, usernames: list[str], password: str,
                      spread: float = LOGIN_SPIKE_SPREAD) -> Stats:
    """Every candidate logs in again (GET and POST /login), spread evenly over `spread` seconds, open loop: a hall
    arriving. The statistics are the POSTs', the password check being the cost."""
    posts: list[Result] = []

    def one(username: str) -> Call:
        async def call() -> Result:
            sent: list[Result] = []
            await _log_in(server, username, password, sent, home=False)
            posts.extend(sent[1:2] or sent[:1])
            return sent[-1]
        return call

    server.phase = "logins/app"
    await open_loop([one(name) for name in usernames], spread)
    server.phase = "between"
    return stats(posts)


async def warm_up(server: Server, candidates: list[Candidate]) -> None:
    """Every worker thread has opened its database connection and rendered once before anything is timed."""
    await closed_loop(lambda: bare(server), concurrency=32, seconds=2)
    await closed_loop(_cycle(lambda c: _sessions(server, c), candidates), concurrency=32, seconds=2)


# -- the calls ---------------------------------------------------------------------------------------------

def light_page(server: Server) -> Call:
    async def call() -> Result:
        result, _ = await server.call("GET", LIGHT_PAGE, want="bytes")
        return result
    return call


def bare(server: Server) -> Call:
    async def call() -> Result:
        return (await server.call("GET", BARE, want="bytes"))[0]
    return call


def _sessions(server: Server, candidate: Candidate) -> Call:
    async def call() -> Result:
        return (await server.call("GET", "/api/v1/sessions", cookie=candidate.cookie, token=candidate.token))[0]
    return call


def start(server: Server, session_id: int, candidate: Candidate) -> Call:
    async def call() -> Result:
        result, _ = await server.call("POST", f"/api/v1/sessions/{session_id}/attempts",
                                      cookie=candidate.cookie, token=candidate.token)
        if result.ok:
            candidate.attempt = result.body["id"]
            candidate.items = [item for section in result.body["sections"] for item in section["items"]]
            result.body = None
        return result
    return call


def save(server: Server, candidate: Candidate, answers: dict[str, Any]) -> Call:
    async def call() -> Result:
        body = {"responses": answers, "seq": candidate.next_seq()}
        result, _ = await server.call("PUT", f"/api/v1/attempts/{candidate.attempt}/responses",
                                      cookie=candidate.cookie, token=candidate.token, json=body)
        if result.ok and result.body.get("keys"):
            candidate.saves_kept += 1
        return result
    return call


def submit(server: Server, candidate: Candidate) -> Call:
    async def call() -> Result:
        result, _ = await server.call("POST", f"/api/v1/attempts/{candidate.attempt}/submit",
                                      cookie=candidate.cookie, token=candidate.token)
        if result.ok and result.body.get("status") != "submitted":
            result.error = f"status {result.body.get('status')}"
        return result
    return call


def answer(item: dict[str, Any], rng: random.Random) -> Any:
    """An answer of the right shape for an item of the exam API, in the letters the candidate was shown."""
    return response_for(shape(item), rng)


def shape(item: dict[str, Any]) -> dict[str, Any]:
    """What an answer to an item (or a material's part) of the exam API takes: its `input`, the letters shown, and
    how many answers it holds (blanks, steps, or a matching's prompts)."""
    return {"input": item["input"], "letters": [option["key"] for option in item.get("options", [])],
            "slots": item.get("blanks") or len(item.get("prompts", [])),
            "parts": [shape(part) for part in item.get("parts", [])]}


def response_for(asked: dict[str, Any], rng: random.Random) -> Any:
    """A response in the shape the item's `input` (as the API names it) takes: {"input", "letters", "slots",
    "parts"}. Every type answered: a drill asks each objective type, and one of the wrong shape is refused (422)."""
    letters, slots = asked["letters"], asked["slots"]
    kind = asked["input"]
    if kind == "letter":
        return rng.choice(letters)
    if kind == "letters":
        return sorted(rng.sample(letters, rng.randint(1, len(letters))))
    if kind == "truth":
        return rng.random() < 0.5
    if kind == "blanks":
        return [rng.choice(["民主集中制", "党员大会", "三会一课", "一年"]) for _ in range(slots)]
    if kind == "numbers":
        return [str(rng.randint(1, 3000)) for _ in range(slots)]
    if kind == "order":
        return rng.sample(letters, len(letters))
    if kind == "pairs":
        return rng.sample(letters, slots)
    if kind == "parts":
        return [response_for(part, rng) for part in asked["parts"]]
    return SHORT_ANSWER


def drill_answer(server: Server, candidate: Candidate, rng: random.Random) -> Call:
    """The drill page's answer to the candidate's current question (the server marks it and returns the key)."""
    question = candidate.drill["questions"][candidate.drill_position % len(candidate.drill["questions"])]
    candidate.drill_position += 1
    response = response_for(question, rng)

    async def call() -> Result:
        path = f"/api/v1/drills/{candidate.drill['id']}/answers"
        result, _ = await server.call("POST", path, cookie=candidate.cookie, token=candidate.token,
                                      json={"question_id": question["id"], "response": response})
        if result.ok:
            result.body = None
        return result
    return call


def _cycle(make: Callable[[Candidate], Call], candidates: list[Candidate]) -> Callable[[], Call]:
    """Round-robin over the candidates, so one candidate's saves are seconds apart, as on a real page."""
    position = 0

    def next_call() -> Call:
        nonlocal position
        candidate = candidates[position % len(candidates)]
        position += 1
        return make(candidate)
    return next_call


# -- the measured phases -----------------------------------------------------------------------------------

async def start_spike(server: Server, session_id: int, candidates: list[Candidate],
                      spread: float = START_SPREAD) -> Phase:
    app_stats, bare_stats = await paired(
        server, "spike", lambda: open_loop([start(server, session_id, c) for c in candidates], spread),
        lambda: open_loop([bare(server) for _ in candidates], spread))
    return Phase("spike", "start spike", f"{len(candidates)} in {spread:g} s",
                 "POST /api/v1/sessions/<id>/attempts", app_stats, bare_stats)


async def retry_starts(server: Server, session_id: int, candidates: list[Candidate]) -> int:
    """Candidates whose start failed in the spike start now, one by one, so later phases have all 500."""
    missing = [c for c in candidates if c.attempt is None]
    for candidate in missing:
        result = await start(server, session_id, candidate)()
        if not result.ok:
            raise RuntimeError(f"start for {candidate.username} still fails: {result.status} {result.error}")
    return len(missing)


async def answer_everything(server: Server, candidates: list[Candidate], rng: random.Random) -> Stats:
    """Every candidate saves an answer to every item (not measured): the burst then submits full papers."""
    calls = [save(server, c, {item["key"]: answer(item, rng) for item in c.items}) for c in candidates]
    gate = asyncio.Semaphore(8)

    async def gated(call: Call) -> Result:
        async with gate:
            return await call()

    return stats(list(await asyncio.gather(*(gated(call) for call in calls))))


def autosave_call(server: Server, candidates: list[Candidate], rng: random.Random) -> Callable[[], Call]:
    """The next save: one answer just given, as the exam page sends it."""
    def make(candidate: Candidate) -> Call:
        item = rng.choice(candidate.items)
        return save(server, candidate, {item["key"]: answer(item, rng)})
    return _cycle(make, candidates)


@dataclass
class RampStep:
    rate: int
    stats: Stats

    @property
    def key(self) -> str:
        return f"ramp-{self.rate}"

    @property
    def held(self) -> bool:
        return (self.stats.error_count == 0 and self.stats.p95 < AUTOSAVE_TARGET_MS
                and self.stats.throughput >= 0.95 * self.rate)


async def autosave_ramp(server: Server, next_call: Callable[[], Call], rates: list[int] = RAMP_RATES,
                        seconds: float = RAMP_STEP_SECONDS, refinements: int = 2) -> list[RampStep]:
    """Raise the offered save rate until p95 reaches the target, then bisect between the last two rates."""
    steps: list[RampStep] = []
    for rate in rates:
        steps.append(await _ramp_step(server, next_call, rate, seconds))
        if not steps[-1].held:
            break
    held = [s.rate for s in steps if s.held]
    failed = [s.rate for s in steps if not s.held]
    low, high = (max(held) if held else 0), (min(failed) if failed else None)
    for _ in range(refinements if high else 0):
        rate = round((low + high) / 2)
        if rate in (low, high) or rate == 0:
            break
        steps.append(await _ramp_step(server, next_call, rate, seconds))
        low, high = (rate, high) if steps[-1].held else (low, rate)
    return steps


async def _ramp_step(server: Server, next_call: Callable[[], Call], rate: int, seconds: float) -> RampStep:
    step = RampStep(rate, Stats(0, 0))
    server.phase = f"{step.key}/app"
    step.stats = stats(await open_loop([next_call() for _ in range(int(rate * seconds))], seconds))
    server.phase = "between"
    await asyncio.sleep(1)      # let the step drain before the next one starts
    return step


async def at_same_concurrency(server: Server, next_save: Callable[[], Call], concurrency: int,
                              seconds: float = CLOSED_LOOP_SECONDS) -> Phase:
    app_stats, bare_stats = await paired(
        server, "closed", lambda: closed_loop(next_save, concurrency, seconds),
        lambda: closed_loop(lambda: bare(server), concurrency, seconds))
    return Phase("closed", "autosave", f"closed: {concurrency} in flight",
                 "PUT /api/v1/attempts/<id>/responses", app_stats, bare_stats)


async def deadline_burst(server: Server, candidates: list[Candidate], spread: float = BURST_SPREAD) -> Phase:
    """Every candidate submits in the same instant, against the same burst of the cheapest page (GET /login), not the
    static file: the target is a wall time no longer than that page's (DESIGN §5)."""
    app_stats, bare_stats = await paired(
        server, "burst", lambda: open_loop([submit(server, c) for c in candidates], spread),
        lambda: open_loop([light_page(server) for _ in candidates], spread))
    return Phase("burst", "deadline burst", f"{len(candidates)} at once" if not spread else
                 f"{len(candidates)} in {spread:g} s", "POST /api/v1/attempts/<id>/submit", app_stats, bare_stats,
                 bare_endpoint=f"GET {LIGHT_PAGE}")


async def drill_answers(server: Server, candidates: list[Candidate], rng: random.Random, concurrency: int,
                        seconds: float = CLOSED_LOOP_SECONDS) -> Phase:
    """Drill answers at the same concurrency as the bare endpoint. Each candidate answers their questions in
    order, one request at a time, as the page does."""
    locks = {c.username: asyncio.Lock() for c in candidates}

    def make(candidate: Candidate) -> Call:
        async def call() -> Result:
            async with locks[candidate.username]:
                return await drill_answer(server, candidate, rng)()
        return call

    app_stats, bare_stats = await paired(
        server, "drill", lambda: closed_loop(_cycle(make, candidates), concurrency, seconds),
        lambda: closed_loop(lambda: bare(server), concurrency, seconds))
    return Phase("drill", "drill answer", f"closed: {concurrency} in flight",
                 "POST /api/v1/drills/<id>/answers", app_stats, bare_stats)
