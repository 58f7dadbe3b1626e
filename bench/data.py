"""The benchmark's data, through the app's own services: `setup` makes the exam and everyone's drill,
`check` reads what the load left; `scale-setup` makes the 2,000-candidate exam of the scaling phase (bench/scale.py),
every attempt started and every answer given.

Run with the same DATABASE_URL as the server under test; each prints one JSON object on stdout.
"""
import argparse
import json
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import cache
from itertools import chain
from pathlib import Path

from flask import Flask, current_app
from scenarios import response_for
from sqlalchemy import func, select, text, update

from app import create_app
from app.attempts.service import start_attempt
from app.banks.service import check_sources, import_sources
from app.domain.practice import DrillFilter
from app.domain.questions import option_letters
from app.extensions import db
from app.models import Attempt, AttemptEvent, ExamSession, PaperItem, QuestionRevision, Response, User, utcnow
from app.practice.service import current_revision, start_drill
from app.scheduling.service import schedule_session
from app.users.service import save_account

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-pass-1"
PAPER = "semifinal-sample"
START_THREADS = 4


def setup(candidates: int) -> dict:
    session, usernames = _exam("bench", candidates, "基准测试场次")
    now = utcnow()
    # After the exam is scheduled, as on exam day: drills hold none of its paper, which practice withholds.
    drills = {username: _drill(username, now) for username in usernames}
    return {"session": session.id, "usernames": usernames, "password": PASSWORD,
            "items": len(session.paper.items), "drills": drills}


def _exam(prefix: str, candidates: int, title: str) -> tuple[ExamSession, list[str]]:
    """The sample banks imported, `candidates` accounts named prefix0001…, and a session of the paper for them, open
    from a minute ago for four hours."""
    checked = check_sources([ROOT / "question_banks"])
    if not checked.ok:
        raise SystemExit("question_banks/ does not validate: " + "; ".join(map(str, checked.problems)))
    import_sources(checked, channel="cli")
    db.session.commit()
    usernames = [f"{prefix}{n:04d}" for n in range(1, candidates + 1)]
    for username in usernames:
        save_account(username, name=f"考生{username[len(prefix):]}", role="candidate", password=PASSWORD)
    db.session.commit()
    now = utcnow()
    session = schedule_session(blueprint_slug=PAPER, title=title, opens_at=now - timedelta(minutes=1),
                               closes_at=now + timedelta(hours=4), usernames=usernames, org_code=None,
                               review="immediate", show_key=False, actor=None, channel="cli")
    db.session.commit()
    return session, usernames


def scale_setup(candidates: int) -> dict:
    """The scaling phase's exam: `candidates` accounts, a session of the paper open now for four hours, and every
    attempt started through the service (START_THREADS at once, so that their round trips to the database overlap).
    Their logins are the bench's own (bench/scale.py)."""
    session, usernames = _exam("scale", candidates, "扩展测试场次")
    now = utcnow()
    session_id, items = session.id, len(session.paper.items)
    users = list(db.session.scalars(select(User).where(User.username.in_(usernames)).order_by(User.username)))
    app = current_app._get_current_object()
    with ThreadPoolExecutor(START_THREADS) as pool:
        attempts = dict(chain.from_iterable(pool.map(
            lambda ids: _start(app, session_id, ids, now), [[user.id for user in users[n::START_THREADS]]
                                                            for n in range(START_THREADS)])))
    return {"session": session_id, "items": items,
            "candidates": [{"username": user.username, "session_key": user.get_id(), "attempt": attempts[user.id]}
                           for user in users]}


def _start(app: Flask, session_id: int, user_ids: list[int], now: datetime) -> list[tuple[int, int]]:
    with app.app_context():
        started = [(user_id, start_attempt(session_id, db.session.get(User, user_id), now).id) for user_id in user_ids]
        db.session.commit()
    return started


def scale_fill(session_id: int) -> dict:
    """Every item of every attempt of the session answered, in the shape it takes (the letters shown, the number of
    blanks): one UPDATE per item of the paper, each candidate giving the same answer in the letters they were shown
    (so their marks still differ). 2,000 full papers saved through the API would take minutes of a bench that
    measures only their submits."""
    now, rng = utcnow(), random.Random(20261202)
    paper_id = db.session.get(ExamSession, session_id).paper_id     # drawn once for the session
    items = db.session.execute(
        select(PaperItem.id, QuestionRevision).join(QuestionRevision, PaperItem.revision_id == QuestionRevision.id)
        .where(PaperItem.paper_id == paper_id)).all()
    answered = 0
    for item_id, revision in items:     # the paper's items are its session's alone
        value = response_for(_shape(revision.kind, option_letters(revision.options), revision.slots), rng)
        answered += db.session.execute(
            update(Response).where(Response.paper_item_id == item_id).values(value=value, saved_at=now, seq=1),
            execution_options={"synchronize_session": False}).rowcount
    # Statistics as autovacuum would have them a day before the exam, rather than those of an empty database.
    db.session.execute(text("ANALYZE"))
    return {"responses": answered}


def _drill(username: str, now) -> dict:
    """A drill over every objective question open to practice, and what the bench needs to answer each in turn."""
    user = db.session.scalar(select(User).where(User.username == username))
    drill = start_drill(user, DrillFilter(count=1000), now)
    return {"id": drill.id, "questions": [{"id": question_id, **_question_shape(question_id)}
                                          for question_id in drill.question_ids]}


# Every candidate's drill holds the same questions: one read each, not one per candidate (minutes on PostgreSQL).
@cache
def _question_shape(question_id: int) -> dict:
    revision = current_revision(question_id)
    return _shape(revision.kind, option_letters(revision.options), revision.slots)


def _shape(kind, letters, slots) -> dict:
    """What an answer to a question takes, as bench/scenarios.py `response_for` reads it: a drill shows as many
    letters as the bank has (in its own order), and a material's parts each take their own type's answer."""
    return {"input": kind.input, "letters": list(letters), "slots": slots,
            "parts": [_shape(part.kind, part.letters, part.blanks) for part in kind.parts or ()]}


def check(session_id: int) -> dict:
    """Counts that say whether every request did exactly what it should have, and nothing twice."""
    attempts = select(Attempt.id).where(Attempt.session_id == session_id)
    by_status = dict(db.session.execute(
        select(Attempt.status, func.count()).where(Attempt.session_id == session_id).group_by(Attempt.status)).all())
    events = dict(db.session.execute(
        select(AttemptEvent.kind, func.count()).where(AttemptEvent.attempt_id.in_(attempts))
        .group_by(AttemptEvent.kind)).all())
    per_attempt = (select(Attempt.id, func.count(AttemptEvent.id).label("n"))
                   .outerjoin(AttemptEvent, (AttemptEvent.attempt_id == Attempt.id) & (AttemptEvent.kind == "submit"))
                   .where(Attempt.session_id == session_id).group_by(Attempt.id).subquery())
    submits_per_attempt = dict(db.session.execute(
        select(per_attempt.c.n, func.count()).group_by(per_attempt.c.n)).all())
    responses = (select(Response.attempt_id, func.count().label("n"),
                        func.count(Response.saved_at).label("answered"))    # saved_at is set by every save
                 .where(Response.attempt_id.in_(attempts)).group_by(Response.attempt_id).subquery())
    sizes = db.session.execute(select(func.min(responses.c.n), func.max(responses.c.n),
                                      func.min(responses.c.answered))).one()
    unmarked = db.session.scalar(select(func.count()).where(
        Attempt.session_id == session_id, Attempt.status != "in_progress", Attempt.score.is_(None)))
    return {"attempts": by_status, "events": events, "unmarked": unmarked,
            "submit_events_per_attempt": {str(k): v for k, v in submits_per_attempt.items()},
            "responses_per_attempt": [sizes[0], sizes[1]], "fewest_answered": sizes[2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup").add_argument("--candidates", type=int, default=500)
    commands.add_parser("check").add_argument("--session", type=int, required=True)
    commands.add_parser("scale-setup").add_argument("--candidates", type=int, default=2000)
    commands.add_parser("scale-fill").add_argument("--session", type=int, required=True)
    args = parser.parse_args()
    # 500 scrypt hashes would take minutes; logins verify whatever method a hash names.
    app = create_app("production", PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    with app.app_context():
        if args.command == "setup":
            result = setup(args.candidates)
        elif args.command == "scale-setup":
            result = scale_setup(args.candidates)
        elif args.command == "scale-fill":
            result = scale_fill(args.session)
        else:
            result = check(args.session)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
