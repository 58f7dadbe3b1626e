"""The exam's hot paths (issue 13): a paper's content cached per process and per app, the attempt payload built from
it exactly as from the ORM, a start that only inserts inside the write lock, and SQLite writers of several processes
queued on a lock file."""
import json
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

from app import create_app
from app.attempts.presenters import _rendered_once, inline_html, stem_html
from app.banks.service import check_sources, import_sources
from app.database import DatabaseBusy, begin_write, end_unit
from app.domain.questions import LETTERS
from app.domain.scores import rounded
from app.domain.text import count_blanks
from app.extensions import db
from app.models import ExamSession, PaperItem, QuestionRevision, Response
from app.papers.content import paper_content
from plugins.banks import BANKS
from plugins.exams import Candidate, schedule

# Every type the sample banks hold, on one per-session paper.
ALL_TYPES = textwrap.dedent("""\
    paper: all-types
    title: 全题型
    duration: 60
    draw: per_session
    shuffle: {questions: true, options: true}
    multiple_scoring: half
    sections:
      - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 2}]}
      - {title: 二、多选, type: multiple, points: 2, pick: [{bank: party-affairs, count: 2}]}
      - {title: 三、判断, type: judge, points: 1, pick: [{bank: party-affairs, count: 2}]}
      - {title: 四、填空, type: blank, points: 2, pick: [{bank: party-affairs, count: 2}]}
      - {title: 五、计算, type: calculation, points: 3, pick: [{bank: party-affairs, count: 2}]}
      - {title: 六、排序, type: ordering, points: 2, pick: [{bank: party-affairs, count: 2}]}
      - {title: 七、匹配, type: matching, points: 2, pick: [{bank: party-affairs, count: 2}]}
      - {title: 八、材料, type: material, points: 6, pick: [{bank: party-affairs, count: 2}]}
      - {title: 九、简答, type: short, points: 10, pick: [{bank: party-affairs, count: 1}]}
    """)


@pytest.fixture
def all_types(app, make_user, clock, tmp_path):
    """cand1 and cand2 scheduled into a session of ALL_TYPES drawn from the sample banks; returns the session id."""
    for name in ("cand1", "cand2"):
        make_user(name, role="candidate")
    banks = tmp_path / "banks"
    (banks / "papers").mkdir(parents=True)
    for bank in BANKS.glob("*.yaml"):
        (banks / bank.name).write_bytes(bank.read_bytes())
    (banks / "papers" / "all-types.yaml").write_text(ALL_TYPES, encoding="utf-8")
    with app.app_context():
        import_sources(check_sources([Path(banks)]))
        session_id = schedule(["cand1", "cand2"], paper="all-types", review="after_close")
        db.session.commit()
        return session_id


def _as_the_orm_shows_it(attempt_id: int) -> list[dict]:
    """The payload's sections as they were built from ORM objects before the cache: the reference the cached path
    must match byte for byte."""
    sections: list[dict] = []
    responses = db.session.scalars(select(Response).where(Response.attempt_id == attempt_id)
                                   .order_by(Response.position))
    for response in responses:
        item, revision = response.paper_item, response.paper_item.revision
        if not sections or sections[-1]["index"] != response.section_index:
            sections.append({"index": response.section_index, "title": item.section_title, "items": []})
        shown = {"key": response.key, "type": revision.type, "type_label": revision.kind.label,
                 "input": revision.kind.input, "stem_html": stem_html(revision.stem), "points": item.points}
        if revision.options:
            shown["options"] = [{"key": LETTERS[n], "html": inline_html(revision.options[letter])}
                                for n, letter in enumerate(response.option_order)]
        if revision.kind.has_blanks:
            shown["blanks"] = count_blanks(revision.stem)
        if revision.kind.has_prompts:
            shown["prompts"] = [inline_html(prompt) for prompt in revision.prompts]
        shown |= revision.kind.page_fields(item.key)
        if revision.kind.parts:
            fields = shown.pop("part_fields")
            shown["parts"] = [
                {"number": number, "type": part.kind.name, "type_label": part.kind.label, "input": part.kind.input,
                 "stem_html": stem_html(part.stem), "points": rounded(share),
                 **({"options": [{"key": letter, "html": inline_html(text)} for letter, text in part.options.items()]}
                    if part.options else {}),
                 **({"blanks": part.blanks} if part.kind.has_blanks else {}), **page}
                for number, (part, page, share) in enumerate(
                    zip(revision.kind.parts, fields, revision.kind.shares(item.points), strict=True), start=1)]
        sections[-1]["items"].append(shown)
    return [{"title": s["title"], "items": s["items"]} for s in sections]


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def test_the_attempt_payload_is_what_the_orm_gives_for_every_type_and_a_corrected_key(app, client, all_types):
    cand = Candidate(client, "cand1")
    started = cand.start(all_types)
    with app.app_context():
        assert _canonical(started["sections"]) == _canonical(_as_the_orm_shows_it(started["id"]))
        assert {item["type"] for s in started["sections"] for item in s["items"]} == {
            "single", "multiple", "judge", "blank", "calculation", "ordering", "matching", "material", "short"}
        # A key correction is not part of the cached content: a calculation's corrected units reach the page.
        paper_id = db.session.get(ExamSession, all_types).paper_id
        item = db.session.scalar(select(PaperItem).join(QuestionRevision)
                                 .where(PaperItem.paper_id == paper_id, QuestionRevision.type == "calculation"))
        item.answer_override = [dict(step, unit="万元") for step in item.revision.answer]
        db.session.commit()
    again = cand.call("GET", f"/attempts/{started['id']}").get_json()
    units = [i["units"] for s in again["sections"] for i in s["items"] if i["type"] == "calculation"]
    assert any(shown and set(shown) == {"万元"} for shown in units) and any("万元" not in shown for shown in units)
    with app.app_context():
        assert _canonical(again["sections"]) == _canonical(_as_the_orm_shows_it(started["id"]))


def _without_clock(payload: dict) -> str:
    return _canonical({key: value for key, value in payload.items() if key != "server_time"})


def test_a_start_replies_with_what_reading_the_attempt_back_gives(app, client, all_types):
    """A new attempt's reply is laid out again from its seed rather than read back: it must be the same, a key
    corrected before the start included; a second start (a reload) reads what was saved meanwhile."""
    with app.app_context():
        paper_id = db.session.get(ExamSession, all_types).paper_id
        item = db.session.scalar(select(PaperItem).join(QuestionRevision)
                                 .where(PaperItem.paper_id == paper_id, QuestionRevision.type == "calculation"))
        item.answer_override = [dict(step, unit="万元") for step in item.revision.answer]
        db.session.commit()
    cand = Candidate(client, "cand1")
    started = cand.start(all_types)
    again = cand.call("GET", f"/attempts/{started['id']}").get_json()
    assert _without_clock(started) == _without_clock(again)
    assert any(set(i["units"]) == {"万元"} for s in started["sections"] for i in s["items"] if i.get("units"))
    judge = next(i["key"] for s in started["sections"] for i in s["items"] if i["type"] == "judge")
    assert cand.call("PUT", f"/attempts/{started['id']}/responses",
                     {"responses": {judge: True}, "seq": 1}).status_code == 200
    reloaded = cand.start(all_types)
    assert reloaded["id"] == started["id"] and reloaded["responses"] == {judge: True}


def test_a_start_and_its_reply_take_two_connections(app, client, all_types):
    """Its reply is built from what the start read and wrote, not from a connection taken again after the commit."""
    checkouts: list[int] = []

    def checked_out(*_args):
        checkouts.append(1)

    cand = Candidate(client, "cand1")
    with app.app_context():
        engine = db.engine
    event.listen(engine.pool, "checkout", checked_out)
    try:
        started = cand.start(all_types)
    finally:
        event.remove(engine.pool, "checkout", checked_out)
    assert started["session"]["title"] and started["status"] == "in_progress"
    # SQLite ends the read (the login check, the session, the paper) to BEGIN IMMEDIATE; PostgreSQL reads the login
    # check on a connection of its own (app.database.read_alone) and the rest in one transaction
    assert len(checkouts) == 2


def test_a_start_reads_key_corrections_only_when_there_are_some_and_sets_no_savepoint(app, client, all_types,
                                                                                  monkeypatch):
    """Its one read of the sitting tells whether a key was corrected, and no savepoint wraps its insert (a second
    tab's start rolls back whole instead: test_two_starts_at_once_give_one_attempt)."""
    import app.attempts.service as service
    read: list[int] = []
    statements: list[str] = []
    real_corrections = service.key_corrections
    monkeypatch.setattr(service, "key_corrections",
                        lambda paper_id: read.append(paper_id) or real_corrections(paper_id))
    with app.app_context():
        engine = db.engine
        paper_id = db.session.get(ExamSession, all_types).paper_id

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert Candidate(client, "cand1").start(all_types)["status"] == "in_progress"
        assert read == [] and not any(s.lstrip().upper().startswith("SAVEPOINT") for s in statements)
        with app.app_context():
            item = db.session.scalar(select(PaperItem).where(PaperItem.paper_id == paper_id).limit(1))
            item.answer_override = item.revision.answer
            db.session.commit()
        assert Candidate(app.test_client(), "cand2").start(all_types)["status"] == "in_progress"
        assert read == [paper_id]
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_a_start_only_inserts_while_it_holds_the_write_lock(app, client, all_types):
    """SQLite's write lock is held from BEGIN IMMEDIATE to the commit: the paper is read and laid out before it."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no write lock to hold; its start locks nothing but its own rows")

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()[:3]).upper())

    cand = Candidate(client, "cand2")
    event.listen(engine, "before_cursor_execute", seen)
    try:
        started = cand.start(all_types)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    writing = statements[statements.index("BEGIN IMMEDIATE"):]
    writing = writing[:writing.index("BEGIN")] if "BEGIN" in writing else writing
    reads = [s for s in writing if s.startswith("SELECT")]
    assert len(reads) <= 1, f"only its session, read again for the reply: {writing}"
    assert any(s.startswith("INSERT INTO RESPONSES") for s in writing)
    assert started["status"] == "in_progress" and len(started["sections"]) == 9


def test_the_paper_cache_belongs_to_its_app(app, all_types, database_uri):
    """Test apps reuse ids over one database: what one app has cached never answers for another."""
    with app.app_context():
        paper_id = db.session.get(ExamSession, all_types).paper_id
        first = paper_content(paper_id)
        assert paper_content(paper_id) is first, "read once per app"
        db.session.execute(text("UPDATE papers SET title = '另一份试卷' WHERE id = :id"), {"id": paper_id})
        db.session.commit()
        assert paper_content(paper_id).title == "全题型"
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    with other.app_context():
        assert paper_content(paper_id).title == "另一份试卷"
        db.engine.dispose()


def test_threads_asking_for_one_stem_at_once_render_it_once():
    """500 candidates starting at once on a process that has not shown the paper yet: its threads wait for the one
    rendering a stem instead of each rendering it."""
    renders, start = [], threading.Barrier(8)

    def render(stem: str) -> str:
        renders.append(stem)
        time.sleep(0.01)
        return f"<p>{stem}</p>"

    rendered = _rendered_once(render, 16)

    def ask() -> None:
        start.wait()
        for number in range(5):
            assert rendered(f"题干{number}") == f"<p>题干{number}</p>"

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(renders) == [f"题干{number}" for number in range(5)]


@pytest.fixture
def sqlite_app(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the writers' lock file is SQLite's")
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 500
    return app


def _writer_file(app) -> str:
    return app.extensions["sqlite_writer_file"]


def test_sqlite_writers_of_other_processes_queue_on_a_lock_file(sqlite_app):
    """Another process holding the writers' flock (here: another descriptor of the file) keeps begin_write() waiting
    until it lets go, and no longer than the busy timeout."""
    import fcntl
    import os

    other = os.open(_writer_file(sqlite_app), os.O_RDONLY | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)
    with sqlite_app.app_context():
        began = time.monotonic()
        with pytest.raises(DatabaseBusy):
            begin_write()
        assert 0.4 < time.monotonic() - began < 2
        end_unit(keep=False)
    waited: dict[str, float] = {}

    def write() -> None:
        with sqlite_app.app_context():
            began = time.monotonic()
            begin_write()
            waited["until"] = time.monotonic()
            waited["for"] = waited["until"] - began
            end_unit(keep=True)

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.2)
    released = time.monotonic()
    os.close(other)   # the other process's write ends
    writer.join(5)
    assert waited["for"] >= 0.2 and waited["until"] - released < 1, "woken as the lock is released"
    with sqlite_app.app_context():   # a wait given up earlier left nothing behind
        began = time.monotonic()
        begin_write()
        assert time.monotonic() - began < 0.1
        end_unit(keep=True)


def test_a_start_and_saves_beside_each_other_keep_every_answer(app, all_types):
    """Saves of one candidate while others start (each start's write short): every save answered 200 and kept."""
    cands = [Candidate(app.test_client(), "cand1")]
    sitting = cands[0].start(all_types)
    key = next(i["key"] for s in sitting["sections"] for i in s["items"] if i["type"] == "judge")
    results: list[int] = []

    def save_many() -> None:
        path = f"/attempts/{sitting['id']}/responses"
        results.extend(cands[0].call("PUT", path, {"responses": {key: seq % 2 == 0}, "seq": seq}).status_code
                       for seq in range(1, 11))

    saver = threading.Thread(target=save_many)
    saver.start()
    other = Candidate(app.test_client(), "cand2").start(all_types)
    saver.join()
    assert results == [200] * 10 and other["status"] == "in_progress"
    again = cands[0].call("GET", f"/attempts/{sitting['id']}").get_json()
    assert again["responses"][key] is True


def test_two_starts_at_once_give_one_attempt(app, monkeypatch, all_types):
    """The second tab's start lays out its attempt while the first one's is stored: its insert then fails on the
    attempt's number, and it hands back the first tab's attempt."""
    import app.attempts.service as service
    from app.models import Attempt, AttemptEvent

    first, second = Candidate(app.test_client(), "cand1"), Candidate(app.test_client(), "cand1")
    real_layout, meanwhile = service.layout, {}

    def layout_beside_another_start(*args, **kwargs):
        if "tab" not in meanwhile:   # the first start only: the other tab's own layout is plain
            meanwhile["tab"] = tab = threading.Thread(
                target=lambda: meanwhile.setdefault("attempt", first.start(all_types)))
            tab.start()
            tab.join()
        return real_layout(*args, **kwargs)

    monkeypatch.setattr(service, "layout", layout_beside_another_start)
    started = second.start(all_types)
    assert started["id"] == meanwhile["attempt"]["id"]
    assert _canonical(started["sections"]) == _canonical(meanwhile["attempt"]["sections"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
        assert db.session.scalar(select(func.count()).where(AttemptEvent.kind == "start")) == 1
