"""The sweep: what the clock alone ends. Attempts past their deadline are closed and marked, formal sessions
that have ended for everyone release their answers into practice history, and failed logins old enough to forget
are pruned. `flask exam sweep`, the organisers' button and a thread in every app process run it; it is safe anywhere,
any number of times at once."""
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import Flask

from app.attempts.service import SWEEP_BATCH, close_overdue
from app.database import end_unit
from app.extensions import db
from app.models import utcnow
from app.practice.service import collect_session, released_sessions
from app.users import logins

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Swept:
    closed: int      # attempts closed and marked
    collected: int   # answers of released sessions brought into practice history
    forgotten: int   # failed-login records old enough to forget (app/users/logins.py)


def sweep_all(now: datetime) -> Swept:
    """Each batch of attempts, each released session and the pruning is a unit of work committed at once: the sweep
    runs beside candidates' saves, so it never holds the write lock for long, and what it did stays done."""
    closed = _close_all(now)
    collected = sum(_committed(collect_session(session_id, now)) for session_id in released_sessions(now))
    return Swept(closed, collected, _committed(logins.prune(now)))


def _close_all(now: datetime) -> int:
    closed = 0
    while (batch := _committed(close_overdue(now))) == SWEEP_BATCH:
        closed += batch
    return closed + batch


def _committed(count: int) -> int:
    end_unit(keep=True)
    return count


def run_in_background(app: Flask) -> None:
    """Sweep every SWEEP_EVERY_SECONDS from a daemon thread, started by the first request each process serves (so
    after gunicorn forks its workers); 0 turns it off (tests, or a deployment that prefers cron alone). Setting
    app.extensions["sweeper_stop"] ends the thread."""
    interval = app.config["SWEEP_EVERY_SECONDS"]
    if not interval:
        return
    stop = app.extensions["sweeper_stop"] = threading.Event()
    started: set[int] = set()
    lock = threading.Lock()

    @app.before_request
    def _start_sweeper() -> None:
        with lock:
            if os.getpid() in started:
                return
            started.add(os.getpid())
        threading.Thread(target=_loop, args=(app, interval, stop), name="exam-sweeper", daemon=True).start()


def _loop(app: Flask, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        with app.app_context():
            try:
                sweep_all(utcnow())
            except Exception:   # a sweep that fails (database restarting) is retried at the next tick
                log.exception("sweep failed")
                end_unit(keep=False)
            finally:
                db.session.remove()
