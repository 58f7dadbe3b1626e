"""`make bench`: the exam-day loads against gunicorn, on a fresh SQLite file and a fresh PostgreSQL database.

For each database: migrate, set up 500 candidates and a session (bench/data.py), serve the app with gunicorn
on a free loopback port, log everyone in, then measure the start spike, autosave and the deadline burst, each
beside the same load on a bare endpoint of the same server; finally check in the database that every attempt
was submitted exactly once. Exits non-zero if a request of the burst failed or a check does not hold.
"""
import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import banks
import psycopg
import scenarios
from load import Server
from machine import CpuMeter, busy_now
from report import LEGEND, Report, print_report

from config import Config

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ACCESS_FORMAT = "%({x-bench-phase}i)s %(s)s %(D)s"
LOAD_TIME_LIMIT = 360           # seconds of load per database, whatever happens
SUBPROCESS_TIME_LIMIT = 360     # setup of 500 candidates on PostgreSQL passed 180 s on a busy shared machine


# -- databases ---------------------------------------------------------------------------------------------

@contextmanager
def sqlite_database() -> Iterator[str]:
    directory = tempfile.mkdtemp(prefix="bench-sqlite-")
    try:
        yield f"sqlite:///{directory}/bench.sqlite"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise SystemExit(f"PostgreSQL is needed at 127.0.0.1:5432 (user postgres, trust auth), or run with "
                         f"--databases sqlite: {error}") from None
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


DATABASES = {"sqlite": ("SQLite", sqlite_database), "postgresql": ("PostgreSQL", postgres_database)}


def app_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
            "FLASK_CONFIG": "production", "FLASK_APP": "app"}


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIME_LIMIT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def bench_data(env: dict[str, str], *args: str) -> dict:
    """bench/data.py in its own process, seeing the database as the server does; its last line is JSON."""
    return json.loads(run([str(BIN / "python"), "bench/data.py", *args], env).strip().splitlines()[-1])


# -- the server --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], logs: Path, options: argparse.Namespace) -> Iterator[tuple[int, int]]:
    """The app served on a free loopback port; yields (port, gunicorn's pid)."""
    port = free_port()
    # The client drops idle connections after 10 s; a longer keep-alive here means it never writes a request
    # into a connection gunicorn is closing.
    command = [str(BIN / "gunicorn"), "-w", str(options.workers), "-k", "gthread", "--threads", str(options.threads),
               "--bind", f"127.0.0.1:{port}", "--keep-alive", "30",
               "--access-logfile", str(logs / "access.log"), "--access-logformat", ACCESS_FORMAT,
               "--error-logfile", str(logs / "error.log"), 'app:create_app("production")']
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


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Milliseconds gunicorn spent on each request, by the X-Bench-Phase the request carried."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            times[parts[0]].append(int(parts[2]) / 1000)
    return times


_ID = re.compile(r"/\d+")
_RAISED = re.compile(r"^(?:\w+\.)*\w+(?:Error|Exception)\b.*$", re.MULTILINE)


def read_error_log(error_log: Path, report: Report) -> None:
    """Requests that raised (Flask logs "Exception on PATH [METHOD]"), and what they raised."""
    text = error_log.read_text() if error_log.exists() else ""
    failed = re.findall(r"Exception on (\S+) \[(\w+)\]", text)
    report.server_log = Counter(f"{method} {_ID.sub('/<id>', path)}" for path, method in failed)
    if "WORKER TIMEOUT" in text:
        report.server_log["worker timeouts"] = text.count("WORKER TIMEOUT")
    report.raised = [f"{count} × {line[:160]}" for line, count in Counter(_RAISED.findall(text)).most_common(5)]


# -- one database ------------------------------------------------------------------------------------------

def bench_database(key: str, options: argparse.Namespace) -> Report:
    label, database = DATABASES[key]
    report = Report(label, f"gunicorn -w {options.workers} -k gthread --threads {options.threads}",
                    Config.EXAM_SAVE_GRACE_SECONDS, busy_before=busy_now())
    logs = Path(tempfile.mkdtemp(prefix=f"bench-{key}-logs-"))
    with database() as url:
        try:
            measure(app_env(url), url.rsplit("/", 1)[1] if key == "postgresql" else "", logs, report, options)
        except BaseException:
            print(f"{label}: stopped; gunicorn's logs are kept in {logs}", file=sys.stderr)
            raise
    if report.ok:
        shutil.rmtree(logs)
    else:
        print(f"{label}: gunicorn's logs are kept in {logs}")
    return report


def measure(env: dict[str, str], pg_name: str, logs: Path, report: Report, options: argparse.Namespace) -> None:
    run([str(BIN / "flask"), "db", "upgrade"], env)
    data = bench_data(env, "setup", "--candidates", str(options.candidates))
    report.session, report.items = data["session"], data["items"]
    with gunicorn(env, logs, options) as (port, pid):
        asyncio.run(asyncio.wait_for(load(port, pid, pg_name, data, report, options), LOAD_TIME_LIMIT))
        report.marked_within = wait_for_marks(env, report)
    report.server_times = server_times(logs / "access.log")
    read_error_log(logs / "error.log", report)
    report.check(bench_data(env, "check", "--session", str(report.session)), options.candidates)


MARKING_TIME_LIMIT = 60


def wait_for_marks(env: dict[str, str], report: Report) -> float:
    """Seconds from the burst's last answer until the database holds every paper's marks (polled while the server
    still runs: its marking threads do it after the submits' commits), or NaN if not within MARKING_TIME_LIMIT."""
    while time.monotonic() - report.burst_done < MARKING_TIME_LIMIT:
        if bench_data(env, "check", "--session", str(report.session))["unmarked"] == 0:
            return time.monotonic() - report.burst_done
        time.sleep(1)
    return float("nan")


async def load(port: int, pid: int, pg_name: str, data: dict, report: Report, options: argparse.Namespace) -> None:
    async with Server(port) as server:
        report.cpu = CpuMeter(pid, pg_name, lambda: server.phase)
        meter = asyncio.create_task(report.cpu.run())
        try:
            await exam_day(server, data, report, options.concurrency)
        finally:
            meter.cancel()


async def exam_day(server: Server, data: dict, report: Report, concurrency: int) -> None:
    rng = random.Random(20261201)
    server.phase = "login"
    began = time.monotonic()
    candidates, report.login = await scenarios.log_in_all(server, data["usernames"], data["password"])
    for candidate in candidates:
        candidate.drill = data["drills"][candidate.username]
    report.login_seconds = time.monotonic() - began
    report.login_spike = await scenarios.login_spike(server, data["usernames"], data["password"])
    server.phase = "warm-up"
    await scenarios.warm_up(server, candidates)
    report.phases.append(await scenarios.start_spike(server, report.session, candidates))
    report.late_starts = await scenarios.retry_starts(server, report.session, candidates)
    server.phase = "fill"
    report.fill = await scenarios.answer_everything(server, candidates, rng)
    next_save = scenarios.autosave_call(server, candidates, rng)
    report.ramp = await scenarios.autosave_ramp(server, next_save)
    report.phases.append(await scenarios.at_same_concurrency(server, next_save, concurrency))
    report.phases.append(await scenarios.deadline_burst(server, candidates))
    report.burst_done = time.monotonic()
    report.phases.append(await scenarios.drill_answers(server, candidates, rng, concurrency))
    report.saves_kept = sum(c.saves_kept for c in candidates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16, help="in flight in the closed-loop comparison")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    options = parser.parse_args()
    began = time.monotonic()
    reports = []
    for key in options.databases.split(","):
        reports.append(bench_database(key.strip(), options))
        print_report(reports[-1], options.candidates)
        sys.stdout.flush()
    print(f"\n{LEGEND}")
    ok = all(report.ok for report in reports)
    # Bank import and drawing at scale (bench/banks.py), apart from the exam-day server loads.
    ok = banks.run(options.databases.split(","), DATABASES, app_env) and ok
    print(f"\n{'all checks hold' if ok else 'SOME CHECKS FAILED'}; {time.monotonic() - began:.0f} s in all")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
