"""Lateness is judged at arrival (app/attempts/arrival.py): a save or submit that reached the server before the
deadline and its grace is taken however long it then waited in the server's queue; one arriving after is refused."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.attempts.arrival import LONGEST_QUEUE, longest_wait, proxy_start
from app.attempts.sweeper import sweep_all
from app.extensions import db
from app.models import Attempt, AttemptEvent
from plugins.exams import START, Candidate, Clock

DEADLINE = START + timedelta(minutes=31)   # the exam fixture's paper, started a minute after the opening
GRACE = timedelta(seconds=30)


@pytest.fixture
def queued(monkeypatch, clock):
    """The clock that stamps a request's arrival, kept apart from the one the views read while handling it."""
    arrival = Clock(clock.now)
    monkeypatch.setattr("app.attempts.arrival.utcnow", arrival)
    return arrival


@pytest.fixture
def sitting(client, exam):
    cand = Candidate(client, "cand1")
    attempt = cand.start(exam)
    key = next(i["key"] for s in attempt["sections"] for i in s["items"] if i["type"] == "judge")
    return cand, attempt["id"], key


def save(cand, attempt_id: int, key: str, seq: int, headers: dict | None = None):
    return cand.client.put(f"/api/v1/attempts/{attempt_id}/responses", json={"responses": {key: True}, "seq": seq},
                           headers={"X-CSRFToken": cand.token, **(headers or {})})


def events(app, attempt_id: int, kind: str) -> list[AttemptEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id,
                                                                  AttemptEvent.kind == kind)))


def test_a_save_that_arrived_in_time_is_kept_though_handled_after_the_grace(app, sitting, clock, queued):
    cand, attempt_id, key = sitting
    queued.now = DEADLINE + GRACE - timedelta(seconds=1)
    clock.now = DEADLINE + GRACE + timedelta(seconds=40)   # forty seconds in the server's queue
    reply = save(cand, attempt_id, key, 1)
    assert reply.status_code == 200 and reply.get_json()["keys"] == [key]
    [saved] = events(app, attempt_id, "save")
    assert saved.at == clock.now and saved.details["arrived"] == queued.now.isoformat()
    reply = cand.call("POST", f"/attempts/{attempt_id}/submit")
    assert reply.status_code == 200 and reply.get_json()["status"] == "submitted"
    [submitted] = events(app, attempt_id, "submit")
    assert submitted.details["arrived"] == queued.now.isoformat()


def test_a_save_that_arrived_after_the_grace_is_refused(app, sitting, clock, queued):
    cand, attempt_id, key = sitting
    queued.now = clock.now = DEADLINE + GRACE + timedelta(seconds=1)
    reply = save(cand, attempt_id, key, 1)
    assert reply.status_code == 409 and reply.get_json()["error"] == "deadline_passed"
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == "closed" and attempt.finished_at == DEADLINE
    assert events(app, attempt_id, "save") == []
    [closed] = events(app, attempt_id, "close")
    assert closed.at == DEADLINE and closed.details == {"refused": "save", "arrived": queued.now.isoformat()}, \
        "the refused save is on record, with when it reached the server"


def test_a_submit_that_arrived_after_the_grace_closes_the_attempt_and_says_so(app, sitting, clock, queued):
    cand, attempt_id, _ = sitting
    queued.now = clock.now = DEADLINE + GRACE + timedelta(seconds=5)
    reply = cand.call("POST", f"/attempts/{attempt_id}/submit")
    assert reply.status_code == 200 and reply.get_json()["status"] == "closed"
    assert events(app, attempt_id, "submit") == []
    [closed] = events(app, attempt_id, "close")
    assert closed.details == {"refused": "submit", "arrived": queued.now.isoformat()}


def test_a_save_on_time_records_no_arrival(app, sitting, clock, queued):
    cand, attempt_id, key = sitting
    assert save(cand, attempt_id, key, 1).status_code == 200
    assert "arrived" not in events(app, attempt_id, "save")[0].details


def test_the_front_proxys_start_time_counts_only_behind_trusted_proxies(app, sitting, clock, queued):
    cand, attempt_id, key = sitting
    clock.now = queued.now = DEADLINE + GRACE + timedelta(seconds=20)   # waited for a thread before the app
    sent = DEADLINE + GRACE - timedelta(seconds=5)
    stamp = {"X-Request-Start": f"t={sent.timestamp():.3f}"}
    app.config["PROXY_COUNT"] = 1
    assert save(cand, attempt_id, key, 1, stamp).status_code == 200
    assert events(app, attempt_id, "save")[0].details["arrived"] == sent.isoformat()
    app.config["PROXY_COUNT"] = 0
    assert save(cand, attempt_id, key, 2, stamp).status_code == 409, "without a trusted proxy, the header is anyone's"


@pytest.mark.parametrize("header, seconds", [
    ("t=1764550800.250", 1764550800.25), ("1764550800250", 1764550800.25), ("1764550800250000", 1764550800.25),
    ("1764550800", 1764550800.0)])
def test_the_proxy_stamp_reads_seconds_milliseconds_and_microseconds(header, seconds):
    assert proxy_start(header).timestamp() == pytest.approx(seconds)


@pytest.mark.parametrize("header", ["", "t=", "soon", "nan", "1e400"])
def test_a_proxy_stamp_that_is_no_time_is_ignored(header):
    assert proxy_start(header) is None



def submit_sent_at(cand, attempt_id: int, sent):
    return cand.client.post(f"/api/v1/attempts/{attempt_id}/submit", json={},
                            headers={"X-CSRFToken": cand.token, "X-Request-Start": f"t={sent.timestamp():.3f}"})


def test_the_sweep_leaves_open_an_attempt_whose_submit_may_still_be_queued(app, sitting, clock, queued):
    """Behind a front proxy a submit sent in time may wait in its queue for minutes: a sweep after the deadline and
    the grace must not close the attempt under it."""
    cand, attempt_id, _ = sitting
    app.config["PROXY_COUNT"] = 1
    clock.now = queued.now = DEADLINE + GRACE + timedelta(seconds=90)
    with app.app_context():
        assert sweep_all(clock.now).closed == 0
    reply = submit_sent_at(cand, attempt_id, DEADLINE + GRACE - timedelta(seconds=5))
    assert reply.status_code == 200 and reply.get_json()["status"] == "submitted"


def test_the_sweep_closes_once_the_longest_wait_is_over(app, sitting, clock, queued):
    _, attempt_id, _ = sitting
    for proxies in (0, 1):
        app.config["PROXY_COUNT"] = proxies
        with app.app_context():
            wait = longest_wait()
            assert sweep_all(DEADLINE + GRACE + wait - timedelta(seconds=1)).closed == 0
    assert wait > LONGEST_QUEUE
    with app.app_context():
        assert sweep_all(DEADLINE + GRACE + wait + timedelta(seconds=1)).closed == 1
        assert db.session.get(Attempt, attempt_id).finished_at == DEADLINE
