"""The sweep: what the clock alone ends. Attempts past their deadline are closed, finished attempts still without
marks (a crash between a submit's commit and its marking) are marked, formal sessions
that have ended for everyone release their answers into practice history, and failed logins old enough to forget
are pruned. `flask exam sweep`, the organisers' button and a thread in every app process run it; it is safe anywhere,
any number of times at once.

Marking a submitted attempt happens after the submit's commit: handed to the process's marking thread where the
sweeper runs (the candidate's answer leaves at once, and a burst of submits is marked in a few short writes once it
settles), or in the request itself where it does not (tests, cron-only deployments)."""
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask import Flask, current_app

from app.attempts.service import MARK_BATCH, SWEEP_BATCH, close_overdue, mark_pending
from app.database import end_unit
from app.extensions import db
from app.models import utcnow
from app.practice.service import collect_session, released_sessions
from app.users import logins

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Swept:
    closed: int      # attempts closed
    marked: int      # finished attempts marked (those just closed, and any a crash left unmarked)
    collected: int   # answers of released sessions brought into practice history
    forgotten: int   # failed-login records old enough to forget (app/users/logins.py)


def sweep_all(now: datetime, submitted_before: datetime | None = None) -> Swept:
    """Each batch of attempts, each released session and the pruning is a unit of work committed at once: the sweep
    runs beside candidates' saves, so it never holds the write lock for long, and what it did stays done. With
    `submitted_before`, attempts submitted since are left to the marking threads they were handed to."""
    closed = _in_batches(close_overdue, SWEEP_BATCH, now)
    marked = _in_batches(partial(mark_pending, submitted_before=submitted_before), MARK_BATCH, now)
    collected = sum(_committed(collect_session(session_id, now)) for session_id in released_sessions(now))
    return Swept(closed, marked, collected, _committed(logins.prune(now)))


def _in_batches(step, size: int, now: datetime) -> int:
    done = 0
    while (batch := _committed(step(now))) == size:
        done += batch
    return done + batch


def marked_after_commit(attempt_id: int, now: datetime) -> bool:
    """Have a finished attempt marked once its finishing is committed: by this process's marking thread if it has
    one, else here and now (True)."""
    marker = current_app.extensions.get("marker")
    if marker is not None and marker.pid == os.getpid():
        marker.add(attempt_id)
        return False
    mark_pending(now, [attempt_id])
    end_unit(keep=True)
    return True


# Longer than a marking thread ever waits (Marker.MAX_WAIT) and then takes to mark what it was handed.
LEFT_TO_MARKERS = timedelta(minutes=2)


def _committed(count: int) -> int:
    end_unit(keep=True)
    return count


def run_in_background(app: Flask) -> None:
    """Sweep every SWEEP_EVERY_SECONDS from a daemon thread, started by the first request each process serves (so
    after gunicorn forks its workers), beside the process's marking thread; 0 turns both off (tests, or a deployment
    that prefers cron alone). Setting app.extensions["sweeper_stop"] ends the threads."""
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
            marker = app.extensions["marker"] = Marker(app, stop)
        threading.Thread(target=_loop, args=(app, interval, stop), name="exam-sweeper", daemon=True).start()
        threading.Thread(target=marker.run, name="exam-marker", daemon=True).start()


def _loop(app: Flask, interval: float, stop: threading.Event) -> None:
    """A tick that falls in a deadline burst leaves its submits to the marking threads: every process's sweep would
    otherwise mark them at once, beside the burst, each computing the same batch."""
    while not stop.wait(interval):
        with app.app_context():
            try:
                now = utcnow()
                sweep_all(now, submitted_before=now - LEFT_TO_MARKERS)
            except Exception:   # a sweep that fails (database restarting) is retried at the next tick
                log.exception("sweep failed")
                end_unit(keep=False)
            finally:
                db.session.remove()


class Marker:
    """One process's marking thread: the attempts its requests finished, marked in batches once submits pause for
    SETTLE seconds (or after MAX_WAIT at most), so that marking does not compete with a burst still arriving: marking
    takes the interpreter from the process's request threads and the write lock from every process's. The candidate
    sees 已交卷 at once, and the score a few seconds later (the page asks again until it is in). MAX_WAIT outlasts a
    deadline burst of 2,000 on two cores (`make bench-scale`: 2–3 s now, 10–14 s when it was chosen; at 10 s marking
    took the cores from its end)."""

    SETTLE, MAX_WAIT = 1.0, 30.0

    def __init__(self, app: Flask, stop: threading.Event):
        self.app, self.stop, self.pid = app, stop, os.getpid()
        self.waiting: set[int] = set()
        self.lock = threading.Lock()
        self.wanted = threading.Event()

    def add(self, attempt_id: int) -> None:
        with self.lock:
            self.waiting.add(attempt_id)
        self.wanted.set()

    def run(self) -> None:
        while not self.stop.is_set():
            if self.wanted.wait(1.0):
                self._settle()
                self._mark(self._take())

    def _settle(self) -> None:
        waited = 0.0
        while waited < self.MAX_WAIT and self.wanted.is_set():
            self.wanted.clear()
            self.stop.wait(self.SETTLE)
            waited += self.SETTLE

    def _take(self) -> list[int]:
        with self.lock:
            taken, self.waiting = sorted(self.waiting), set()
        return taken

    def _mark(self, attempt_ids: list[int]) -> None:
        """Whatever fails here (the database restarting) is left to the sweep, which marks every attempt left."""
        with self.app.app_context():
            try:
                for start in range(0, len(attempt_ids), MARK_BATCH):
                    _committed(mark_pending(utcnow(), attempt_ids[start:start + MARK_BATCH]))
            except Exception:
                log.exception("marking failed")
                end_unit(keep=False)
            finally:
                db.session.remove()
