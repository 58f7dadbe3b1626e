"""gunicorn's gevent worker, as docs/operations.md serves a round on PostgreSQL (issue 13): candidates who log in,
start, save and submit all at once over real HTTP get what the threaded worker gives them. One attempt each, every
answer kept, one submit each (a second changes nothing), the submits written in group commits shared by greenlets,
and every paper marked afterwards by the process's marking thread, a greenlet here too."""
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import Attempt, AttemptEvent, Response, utcnow
from plugins.exams import load_exam_content, schedule
from plugins.http import Browser

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
CANDIDATES = 16
WAIT = 30   # seconds: for the server to listen, and for the marks


@pytest.fixture
def gevent_server(app, database_uri, tmp_path):
    """The app under `gunicorn -k gevent` on a free loopback port, on the suite's database; production settings, but
    cookies over plain HTTP and the sweep every second."""
    if make_url(database_uri).get_backend_name() != "postgresql":
        pytest.skip("the gevent worker serves PostgreSQL (docs/operations.md): a SQLite writer's wait on the lock "
                    "file would hold up every greenlet of its process")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_uri, "SECRET_KEY": "gevent-worker-test", "FLASK_CONFIG": "production",
           "SESSION_COOKIE_SECURE": "0"}
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen([str(GUNICORN), "-w", "1", "-k", "gevent", "--bind", f"127.0.0.1:{port}",
                               'app:create_app("production", SWEEP_EVERY_SECONDS=1)'],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=WAIT)
        log.close()
    served = (tmp_path / "gunicorn.log").read_text()
    assert "Using worker: gevent" in served and "Traceback" not in served, served[-3000:]


def _wait_until_listening(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn -k gevent exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("gunicorn -k gevent did not listen")


def _all_at_once(work, items: list) -> list:
    """work(item) for every item, in threads released together; the results in the items' order."""
    ready = threading.Barrier(len(items))
    results: list = [None] * len(items)

    def run(index: int) -> None:
        ready.wait(timeout=WAIT)
        results[index] = work(items[index])

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    return results


def test_a_round_served_by_gevent_keeps_every_answer_and_submits_once(app, make_user, gevent_server):
    names = [f"gevent{number:02d}" for number in range(CANDIDATES)]
    for name in names:
        make_user(name)
    with app.app_context():
        load_exam_content()
        session_id = schedule(names, opens=utcnow() - timedelta(minutes=1))
        db.session.commit()
    people = [(Browser(gevent_server), name) for name in names]
    tokens = _all_at_once(lambda person: person[0].log_in(person[1]), people)

    def start(index: int) -> tuple[int, dict]:
        return people[index][0].call("POST", f"/sessions/{session_id}/attempts", tokens[index])

    started = _all_at_once(start, list(range(CANDIDATES)))
    assert [status for status, _ in started] == [200] * CANDIDATES
    attempts = [body["id"] for _, body in started]
    assert len(set(attempts)) == CANDIDATES
    judge = [next(item["key"] for section in body["sections"] for item in section["items"] if item["type"] == "judge")
             for _, body in started]

    def save(index: int) -> tuple[int, dict]:
        return people[index][0].call("PUT", f"/attempts/{attempts[index]}/responses", tokens[index],
                                     {"responses": {judge[index]: index % 2 == 0}, "seq": 1})

    def submit(index: int) -> tuple[int, dict]:
        return people[index][0].call("POST", f"/attempts/{attempts[index]}/submit", tokens[index], {})

    assert [status for status, _ in _all_at_once(save, list(range(CANDIDATES)))] == [200] * CANDIDATES
    submitted = _all_at_once(submit, list(range(CANDIDATES)))
    assert [(status, body["status"]) for status, body in submitted] == [(200, "submitted")] * CANDIDATES
    again = submit(0)
    assert again[0] == 200 and again[1]["finished_at"] == submitted[0][1]["finished_at"]

    with app.app_context():
        events = dict(db.session.execute(
            select(AttemptEvent.kind, func.count()).where(AttemptEvent.attempt_id.in_(attempts))
            .group_by(AttemptEvent.kind)).all())
        assert (events["start"], events["save"], events["submit"]) == (CANDIDATES, CANDIDATES, CANDIDATES)
        kept = {(attempt, key): value for attempt, key, value in db.session.execute(
            select(Response.attempt_id, Response.key, Response.value).where(Response.attempt_id.in_(attempts)))}
        assert [kept[attempt, key] for attempt, key in zip(attempts, judge, strict=True)] == \
            [index % 2 == 0 for index in range(CANDIDATES)]
        deadline = time.monotonic() + WAIT
        while db.session.scalar(select(func.count()).where(Attempt.id.in_(attempts), Attempt.score.is_(None))):
            assert time.monotonic() < deadline, "the marking greenlet left papers without marks"
            db.session.rollback()
            time.sleep(0.2)
