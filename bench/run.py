"""`make bench`: the exam-day loads against gunicorn, on a fresh SQLite file and a fresh PostgreSQL database.

For each database: migrate, set up 500 candidates and a session (bench/data.py), serve the app with gunicorn
on a free loopback port, log everyone in, then measure the start spike, autosave and the deadline burst, each
beside the same load on a bare endpoint of the same server; finally check in the database that every attempt
was submitted exactly once. Then, with PostgreSQL, the 2,000-candidate burst at six gunicorn configurations
(bench/scale.py; `--scale` runs it alone), and banks at scale (bench/banks.py). Exits non-zero if a request of the
burst failed or a check does not hold.
"""
import argparse
import asyncio
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import banks
import psycopg
import scale
import scenarios
from load import Server
from machine import CpuMeter, busy_now
from report import LEGEND, Report, print_report
from serve import BIN, THREADS, access_log, bench_data, command, error_log, gunicorn, server_times, worker_options

from config import Config

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
LOAD_TIME_LIMIT = 360           # seconds of load per database, whatever happens


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
# gunicorn as docs/operations.md runs it on each database: worker class and processes.
SERVED = {"sqlite": ("gthread", 4), "postgresql": ("gevent", 2)}


def app_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
            "FLASK_CONFIG": "production", "FLASK_APP": "app"}


# -- one database ------------------------------------------------------------------------------------------

def bench_database(key: str, options: argparse.Namespace) -> Report:
    label, database = DATABASES[key]
    kind, workers = SERVED[key]
    workers, worker = options.workers or workers, worker_options(options.worker or kind, options.threads)
    report = Report(label, f"gunicorn -w {workers} {' '.join(worker)}",
                    Config.EXAM_SAVE_GRACE_SECONDS, busy_before=busy_now())
    logs = Path(tempfile.mkdtemp(prefix=f"bench-{key}-logs-"))
    with database() as url:
        try:
            measure(app_env(url), url.rsplit("/", 1)[1] if key == "postgresql" else "", logs, report, options,
                    (workers, worker))
        except BaseException:
            print(f"{label}: stopped; gunicorn's logs are kept in {logs}", file=sys.stderr)
            raise
    if report.ok:
        shutil.rmtree(logs)
    else:
        print(f"{label}: gunicorn's logs are kept in {logs}")
    return report


def measure(env: dict[str, str], pg_name: str, logs: Path, report: Report, options: argparse.Namespace,
            served: tuple[int, list[str]]) -> None:
    command([str(BIN / "flask"), "db", "upgrade"], env)
    data = bench_data(env, "setup", "--candidates", str(options.candidates))
    report.session, report.items = data["session"], data["items"]
    with gunicorn(env, logs, *served) as (port, pid):
        asyncio.run(asyncio.wait_for(load(port, pid, pg_name, data, report, options), LOAD_TIME_LIMIT))
        report.marked_within = wait_for_marks(env, report)
    report.server_times = server_times(access_log(logs / "access.log"))
    report.server_log, report.raised = error_log(logs / "error.log")
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
        report.cpu = CpuMeter([pid], pg_name, lambda: server.phase)
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
    parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: 4 on SQLite, 2 on PostgreSQL)")
    parser.add_argument("--worker", choices=("gthread", "gevent"),
                        help="gunicorn's worker class (default: gthread on SQLite, gevent on PostgreSQL)")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads of a gthread worker")
    parser.add_argument("--scale", action="store_true",
                        help="only the PostgreSQL scaling phase (bench/scale.py), else run after both databases")
    parser.add_argument("--scale-candidates", type=int, default=scale.CANDIDATES,
                        help="candidates in the scaling phase's burst")
    options = parser.parse_args()
    began = time.monotonic()
    if options.scale:
        ok = scale.run(postgres_database, app_env, options.scale_candidates)
        print(f"\n{'all checks hold' if ok else 'SOME CHECKS FAILED'}; {time.monotonic() - began:.0f} s in all")
        sys.exit(0 if ok else 1)
    databases = [key.strip() for key in options.databases.split(",")]
    reports = []
    for key in databases:
        reports.append(bench_database(key, options))
        print_report(reports[-1], options.candidates)
        sys.stdout.flush()
    print(f"\n{LEGEND}")
    ok = all(report.ok for report in reports)
    if "postgresql" in databases:
        ok = scale.run(postgres_database, app_env, options.scale_candidates) and ok
        sys.stdout.flush()
    # Bank import and drawing at scale (bench/banks.py), apart from the exam-day server loads.
    ok = banks.run(databases, DATABASES, app_env) and ok
    print(f"\n{'all checks hold' if ok else 'SOME CHECKS FAILED'}; {time.monotonic() - began:.0f} s in all")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
