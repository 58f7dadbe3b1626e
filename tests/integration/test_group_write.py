"""Group commit of the deadline's submits and of the autosaves (issue 13, app/database.py `GroupWrite`): submits or
saves that come while another writes go in the next batch, each request gets its own outcome (someone else's
attempt stays 404, a second submit changes nothing, one on a session ended since is 401, an older answer stays stale,
a save past the grace closes its attempt after the saves before it), and a batch that fails fails each of its
requests and writes nothing."""
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, select

import app.attempts.service as service
from app.attempts.release import grace
from app.database import DatabaseBusy, GroupWrite, begin_write
from app.errors import NotFound
from app.extensions import db
from app.models import Attempt, AttemptEvent, Response, User
from app.users.logins import end_sessions
from plugins.exams import Candidate


def _until(condition, seconds: float = 5.0) -> None:
    given_up = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < given_up, "timed out"
        time.sleep(0.005)


def _in_threads(calls) -> list[threading.Thread]:
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    return threads


def test_a_group_write_batches_what_waits_hands_the_lead_on_and_keeps_to_its_limit(app):
    batches: list[list[int]] = []
    first_batch = threading.Event()

    def run(jobs):
        batches.append(list(jobs))
        if len(batches) == 1:
            first_batch.wait(5)
        return [job * 10 if job >= 0 else NotFound("不是你的") for job in jobs]

    group = GroupWrite(run, limit=2)
    outcomes: dict[int, object] = {}

    def call(job: int):
        def one():
            with app.app_context():
                try:
                    outcomes[job] = group(job)
                except NotFound as error:
                    outcomes[job] = error
        return one

    threads = _in_threads([call(0)])
    _until(lambda: len(batches) == 1)
    for count, job in enumerate((1, -2, 3), start=1):   # one at a time, so that they wait in this order
        threads += _in_threads([call(job)])
        _until(lambda count=count: len(group._waiting) == count)
    first_batch.set()
    for thread in threads:
        thread.join(5)
    assert batches == [[0], [1, -2], [3]]
    assert (outcomes[0], outcomes[1], outcomes[3]) == (0, 10, 30) and isinstance(outcomes[-2], NotFound)
    assert group._waiting == [] and not group._writing


def _held_first(app, monkeypatch, batches_of) -> tuple[GroupWrite, list[list[int]], threading.Event]:
    """The app's group (`batches_of`: service.submit_batches or save_batches) with its first batch held until the
    event is set, and the attempts of each batch it writes."""
    with app.app_context():
        group = batches_of()
    batches: list[list[int]] = []
    first_batch, run = threading.Event(), group._run

    def held_first(jobs):
        batches.append([job.attempt_id for job in jobs])
        if len(batches) == 1:
            first_batch.wait(5)
        return run(jobs)

    monkeypatch.setattr(group, "_run", held_first)
    return group, batches, first_batch


def test_submits_that_come_while_one_is_written_go_in_one_batch_each_answered_as_alone(app, exam, monkeypatch):
    cands = {name: Candidate(app.test_client(), name) for name in ("cand1", "cand2", "cand3")}
    attempt = {name: cand.start(exam)["id"] for name, cand in cands.items()}
    group, batches, first_batch = _held_first(app, monkeypatch, service.submit_batches)
    answers: dict[str, object] = {}

    def submit(label: str, name: str, attempt_id: int):
        def one():
            answers[label] = cands[name].call("POST", f"/attempts/{attempt_id}/submit")
        return one

    threads = _in_threads([submit("cand1", "cand1", attempt["cand1"])])
    _until(lambda: len(batches) == 1)
    for count, (label, name, attempt_id) in enumerate(
            [("cand2", "cand2", attempt["cand2"]), ("cand2 again", "cand2", attempt["cand2"]),
             ("cand3 on cand2's", "cand3", attempt["cand2"])], start=1):
        threads += _in_threads([submit(label, name, attempt_id)])
        _until(lambda count=count: len(group._waiting) == count)
    first_batch.set()
    for thread in threads:
        thread.join(10)

    assert batches == [[attempt["cand1"]], [attempt["cand2"]] * 3]
    first, again = answers["cand2"].get_json(), answers["cand2 again"].get_json()
    assert answers["cand1"].get_json()["status"] == first["status"] == again["status"] == "submitted"
    assert first["finished_at"] == again["finished_at"]
    assert answers["cand3 on cand2's"].status_code == 404
    with app.app_context():
        submits = dict(db.session.execute(
            select(AttemptEvent.attempt_id, func.count()).where(AttemptEvent.kind == "submit")
            .group_by(AttemptEvent.attempt_id)).all())
        assert submits == {attempt["cand1"]: 1, attempt["cand2"]: 1}
        assert db.session.get(Attempt, attempt["cand3"]).status == "in_progress"


def test_in_a_batch_a_submit_on_a_session_ended_since_is_refused_and_the_others_written(app, exam, monkeypatch):
    cands = {name: Candidate(app.test_client(), name) for name in ("cand1", "cand2", "cand3")}
    attempt = {name: cand.start(exam)["id"] for name, cand in cands.items()}
    with app.app_context():
        end_sessions(db.session.scalar(select(User).where(User.username == "cand2")))   # signed out everywhere
        db.session.commit()
    group, batches, first_batch = _held_first(app, monkeypatch, service.submit_batches)
    answers: dict[str, object] = {}

    def submit(name: str):
        def one():
            answers[name] = cands[name].call("POST", f"/attempts/{attempt[name]}/submit")
        return one

    threads = _in_threads([submit("cand1")])
    _until(lambda: len(batches) == 1)
    for count, name in enumerate(("cand2", "cand3"), start=1):
        threads += _in_threads([submit(name)])
        _until(lambda count=count: len(group._waiting) == count)
    first_batch.set()
    for thread in threads:
        thread.join(10)

    assert batches == [[attempt["cand1"]], [attempt["cand2"], attempt["cand3"]]]
    assert answers["cand2"].status_code == 401 and answers["cand2"].get_json()["error"] == "unauthenticated"
    assert answers["cand1"].status_code == answers["cand3"].status_code == 200
    with app.app_context():
        assert [db.session.get(Attempt, attempt[name]).status for name in ("cand1", "cand2", "cand3")] == [
            "submitted", "in_progress", "submitted"]
        assert db.session.scalar(select(func.count()).where(AttemptEvent.attempt_id == attempt["cand2"],
                                                            AttemptEvent.kind == "submit")) == 0


def _items(attempt: dict) -> dict[str, str]:
    return {item["type"]: item["key"] for section in attempt["sections"] for item in section["items"]}


def test_saves_that_come_while_one_is_written_go_in_one_batch_each_answered_as_alone(app, exam, monkeypatch):
    cands = {name: Candidate(app.test_client(), name) for name in ("cand1", "cand2", "cand3")}
    started = {name: cand.start(exam) for name, cand in cands.items()}
    attempt = {name: body["id"] for name, body in started.items()}
    single, judge = _items(started["cand2"])["single"], _items(started["cand2"])["judge"]
    group, batches, first_batch = _held_first(app, monkeypatch, service.save_batches)
    answers: dict[str, object] = {}

    def save(label: str, name: str, attempt_id: int, body: dict):
        def one():
            answers[label] = cands[name].call("PUT", f"/attempts/{attempt_id}/responses", body)
        return one

    threads = _in_threads([save("cand1", "cand1", attempt["cand1"], {"responses": {}, "seq": 1})])
    _until(lambda: len(batches) == 1)
    for count, call in enumerate([
            save("new", "cand2", attempt["cand2"], {"responses": {single: "C", judge: True}, "seq": 5}),
            save("older", "cand2", attempt["cand2"], {"responses": {single: "A"}, "seq": 3}),
            save("cand3 into cand2's", "cand3", attempt["cand2"], {"responses": {single: "B"}, "seq": 9}),
            save("bad shape", "cand2", attempt["cand2"], {"responses": {single: "Z"}, "seq": 9})], start=1):
        threads += _in_threads([call])
        _until(lambda count=count: len(group._waiting) == count)
    first_batch.set()
    for thread in threads:
        thread.join(10)

    assert batches == [[attempt["cand1"]], [attempt["cand2"]] * 4]
    assert answers["new"].get_json()["keys"] == [single, judge] and answers["new"].get_json()["stale"] == []
    assert answers["older"].status_code == 200 and answers["older"].get_json()["stale"] == [single]
    assert answers["cand3 into cand2's"].status_code == 404
    assert answers["bad shape"].status_code == 422
    with app.app_context():
        stored = dict(db.session.execute(select(Response.key, Response.value)
                                         .where(Response.attempt_id == attempt["cand2"],
                                                Response.key.in_([single, judge]))).all())
        assert stored == {single: "C", judge: True}
        [saved] = db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt["cand2"],
                                                                AttemptEvent.kind == "save"))
        assert saved.details["responses"] == {single: "C", judge: True} and saved.details["seq"] == 5


def test_a_save_past_the_grace_in_a_batch_closes_its_attempt_after_the_saves_before_it(app, exam, clock, monkeypatch):
    cands = {name: Candidate(app.test_client(), name) for name in ("cand1", "cand2")}
    started = {name: cand.start(exam) for name, cand in cands.items()}
    attempt = {name: body["id"] for name, body in started.items()}
    single = _items(started["cand2"])["single"]
    deadline = datetime.fromisoformat(started["cand2"]["deadline"])
    group, batches, first_batch = _held_first(app, monkeypatch, service.save_batches)
    answers: dict[str, object] = {}

    def save(label: str, value: str, seq: int):
        def one():
            answers[label] = cands["cand2"].call("PUT", f"/attempts/{attempt['cand2']}/responses",
                                                 {"responses": {single: value}, "seq": seq})
        return one

    threads = _in_threads([lambda: cands["cand1"].call("PUT", f"/attempts/{attempt['cand1']}/responses",
                                                       {"responses": {}, "seq": 1})])
    _until(lambda: len(batches) == 1)
    with app.app_context():
        late = deadline + grace() + timedelta(seconds=1)
    for count, (at, call) in enumerate([(deadline, save("in time", "B", 1)), (late, save("late", "C", 2)),
                                        (late, save("after the close", "D", 3))], start=1):
        clock.now = at
        threads += _in_threads([call])
        _until(lambda count=count: len(group._waiting) == count)
    first_batch.set()
    for thread in threads:
        thread.join(10)

    assert batches[1] == [attempt["cand2"]] * 3
    assert answers["in time"].status_code == 200 and answers["in time"].get_json()["keys"] == [single]
    assert answers["late"].status_code == 409 and answers["late"].get_json()["error"] == "deadline_passed"
    assert answers["after the close"].status_code == 409
    assert answers["after the close"].get_json()["error"] == "attempt_closed"
    with app.app_context():
        closed = db.session.get(Attempt, attempt["cand2"])
        assert closed.status == "closed" and closed.finished_at == deadline
        assert db.session.scalar(select(Response.value).where(Response.attempt_id == closed.id,
                                                              Response.key == single)) == "B"
        kinds = db.session.scalars(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == closed.id)
                                   .order_by(AttemptEvent.id))
        assert list(kinds) == ["start", "save", "close"], "the close is on record after the save that came first"


def test_a_batch_that_fails_fails_each_of_its_submits_and_writes_nothing(app, exam, monkeypatch):
    cands = {name: Candidate(app.test_client(), name) for name in ("cand1", "cand2")}
    attempt = {name: cand.start(exam)["id"] for name, cand in cands.items()}
    with app.app_context():
        group = service.submit_batches()
    run = group._run

    def busy(jobs):
        run(jobs)   # written, then the whole batch fails: none of it may stay
        raise DatabaseBusy("服务器繁忙，请稍后重试；已作答的内容不会丢失。")

    monkeypatch.setattr(group, "_run", busy)
    refused = [cand.call("POST", f"/attempts/{attempt[name]}/submit") for name, cand in cands.items()]
    assert [answer.status_code for answer in refused] == [503, 503]
    with app.app_context():
        assert set(db.session.scalars(select(Attempt.status))) == {"in_progress"}
        assert db.session.scalar(select(func.count()).where(AttemptEvent.kind == "submit")) == 0

    monkeypatch.setattr(group, "_run", run)
    retried = cands["cand1"].call("POST", f"/attempts/{attempt['cand1']}/submit")
    assert retried.status_code == 200 and retried.get_json()["status"] == "submitted"


def test_a_lone_caller_that_has_only_read_writes_in_its_own_transaction_and_one_that_wrote_keeps_that_first(
        app, make_user):
    user_id = make_user("zhang", name="张三").id
    commits: list[int] = []

    def committed(_connection):
        commits.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", committed)
    try:
        with app.app_context():
            db.session.get(User, user_id)   # a read, as a request's login check is
            assert GroupWrite(lambda jobs: [job * 2 for job in jobs])(21) == 42
            # SQLite ends the read to take the write lock; PostgreSQL goes on in the same transaction
            assert len(commits) == (2 if engine.dialect.name == "sqlite" else 1)
    finally:
        event.remove(engine, "commit", committed)

    def refused(_jobs):
        raise DatabaseBusy("服务器繁忙，请稍后重试；已作答的内容不会丢失。")

    with app.app_context():
        begin_write()
        db.session.get(User, user_id).name = "张三丰"
        with pytest.raises(DatabaseBusy):
            GroupWrite(refused)(1)
    with app.app_context():
        assert db.session.get(User, user_id).name == "张三丰", "what the caller wrote before the batch is kept"
