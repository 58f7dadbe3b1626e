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

from app.attempts.service import sweep
from app.extensions import db
from app.models import utcnow
from app.practice.service import collect_released
from app.users import logins

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Swept:
    closed: int      # attempts closed and marked
    collected: int   # answers of released sessions brought into practice history
    forgotten: int   # failed-login records old enough to forget (app/users/logins.py)


def sweep_all(now: datetime) -> Swept:
    return Swept(sweep(now), collect_released(now), logins.prune(now))


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
                db.session.rollback()
            finally:
                db.session.remove()
