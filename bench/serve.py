"""The app under gunicorn on a free loopback port, and what its logs say afterwards.

Each request's line in the access log gives the X-Bench-Phase it carried, its status, gunicorn's time for it, and two
clocks: the X-Request-Start the bench sent as a front proxy would (when it wrote the request to the socket), and the
time the app's outermost WSGI layer stamped it (app/attempts/arrival.py). The difference is the wait the app cannot
see by itself: in the listen backlog and in gunicorn's queue for a free thread.
"""
import json
import math
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.attempts.arrival import ENTERED, proxy_start

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP = 'app:create_app("production")'
SUBPROCESS_TIME_LIMIT = 360     # setup of 500 candidates on PostgreSQL passed 180 s on a busy shared machine
THREADS = 8                 # a gthread worker's (docs/operations.md)
# The WSGI stamp is a datetime whose text holds a space: it comes last, and a line is split four times at most.
ACCESS_FORMAT = f"%({{x-bench-phase}}i)s %(s)s %(D)s %({{x-request-start}}i)s %({{{ENTERED}}}e)s"


def command(args: list[str], env: dict[str, str]) -> str:
    """A command of the app's (flask, bench/data.py) run to its end in the project's folder; its output."""
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIME_LIMIT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def bench_data(env: dict[str, str], *args: str) -> dict:
    """bench/data.py in its own process, seeing the database as the server does; its last line is JSON."""
    return json.loads(command([str(BIN / "python"), "bench/data.py", *args], env).strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_options(kind: str, threads: int = THREADS) -> list[str]:
    """gunicorn's options for a worker of `kind` as docs/operations.md runs it: gthread (SQLite) or gevent
    (PostgreSQL)."""
    return ["-k", "gthread", "--threads", str(threads)] if kind == "gthread" else ["-k", kind]


@contextmanager
def gunicorn(env: dict[str, str], logs: Path, workers: int, options: list[str],
             app: str = APP) -> Iterator[tuple[int, int]]:
    """The app served on a free loopback port by `workers` processes with the worker `options` (worker_options), its
    logs in `logs`; yields (port, gunicorn's pid)."""
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    # The client drops idle connections after 10 s; a longer keep-alive here means it never writes a request
    # into a connection gunicorn is closing.
    command = [str(BIN / "gunicorn"), "-w", str(workers), *options,
               "--bind", f"127.0.0.1:{port}", "--keep-alive", "30",
               "--access-logfile", str(logs / "access.log"), "--access-logformat", ACCESS_FORMAT,
               "--error-logfile", str(logs / "error.log"), app]
    with open(logs / "output.log", "w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(port, server)
        yield port, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited while starting; see its error log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start listening within 30 s")


@dataclass(frozen=True)
class Logged:
    phase: str
    status: int
    ms: float                   # gunicorn's time for the request: parsed to answer written
    sent: float | None          # X-Request-Start, epoch seconds, where the bench sent one
    entered: float | None       # the app's WSGI stamp, epoch seconds

    @property
    def unseen_wait(self) -> float:
        """Seconds between reaching the server's socket and the app's own stamp; NaN without both clocks."""
        return self.entered - self.sent if self.sent is not None and self.entered is not None else math.nan


def access_log(path: Path) -> list[Logged]:
    lines = []
    for line in path.read_text().splitlines():
        parts = line.split(maxsplit=4)
        if len(parts) == 5 and parts[1].isdigit() and parts[2].isdigit():
            sent = proxy_start(parts[3]) if parts[3] != "-" else None
            lines.append(Logged(parts[0], int(parts[1]), int(parts[2]) / 1000, sent.timestamp() if sent else None,
                                _stamp(parts[4])))
    return lines


def _stamp(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def server_times(lines: list[Logged]) -> dict[str, list[float]]:
    """Milliseconds gunicorn spent on each request, by the X-Bench-Phase the request carried."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in lines:
        times[line.phase].append(line.ms)
    return times


_ID = re.compile(r"/\d+")
_RAISED = re.compile(r"^(?:\w+\.)*\w+(?:Error|Exception)\b.*$", re.MULTILINE)


def error_log(path: Path) -> tuple[Counter, list[str]]:
    """Requests that raised (Flask logs "Exception on PATH [METHOD]") and worker timeouts; the commonest raised."""
    text = path.read_text() if path.exists() else ""
    failed = re.findall(r"Exception on (\S+) \[(\w+)\]", text)
    requests = Counter(f"{method} {_ID.sub('/<id>', path)}" for path, method in failed)
    if "WORKER TIMEOUT" in text:
        requests["worker timeouts"] = text.count("WORKER TIMEOUT")
    return requests, [f"{count} × {line[:160]}" for line, count in Counter(_RAISED.findall(text)).most_common(5)]
