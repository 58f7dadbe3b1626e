"""Attempts from start to mark, sat online or entered from a paper answer sheet: the server owns the clock, every step
is kept as an AttemptEvent.

Every write opens with `begin_write()` and locks the attempt row, so two tabs, two devices or the sweeper
on another host never finish an attempt twice or save into a finished one.
"""
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, exists, func, insert, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.attempts.arrival import longest_wait
from app.attempts.letters import in_bank_letters
from app.attempts.release import grace, open_to_practice
from app.database import GroupWrite, begin_write, execute_each, insert_rows
from app.domain.marking import is_answered, mark, response_problem
from app.domain.papers import ArrangedItem, arrange
from app.domain.scores import rounded
from app.errors import (
    AppError,
    AttemptClosed,
    DeadlinePassed,
    InvalidResponse,
    NotFound,
    SessionNotOpen,
)
from app.extensions import db
from app.history import collect_attempt
from app.models import (
    Attempt,
    AttemptEvent,
    AttemptStatus,
    ExamSession,
    Paper,
    PaperItem,
    QuestionRevision,
    Response,
    SessionCandidate,
    User,
)
from app.papers.content import Lru, PaperContent, RevisionContent, app_cache, paper_content, revisions, unstored
from app.papers.service import Unfillable, drawn_paper
from app.users.logins import ClaimedAccount, claim_of, refused_claims

SWEEP_BATCH = 100
# Attempts marked in one write: short enough that saves and submits queued behind it hardly notice.
MARK_BATCH = 50

# The hot paths' writes as Core statements on the tables, built once: the ORM's per-row bookkeeping of a bulk insert
# or update, and building a statement on every request, cost more than the writes themselves.
_RESPONSES, _EVENTS, _ATTEMPTS = Response.__table__, AttemptEvent.__table__, Attempt.__table__
_ADD_EVENTS = insert(_EVENTS)
# An answer is stored unless the item's stored seq is higher than its own; one without a seq (item_seq None) always.
_ITEM_SEQ = func.coalesce(bindparam("item_seq", type_=Integer), _RESPONSES.c.seq)
_ANSWER = (update(_RESPONSES)
           .where(_RESPONSES.c.attempt_id == bindparam("attempt"), _RESPONSES.c.key == bindparam("item"),
                  _RESPONSES.c.seq <= _ITEM_SEQ)
           .values(value=bindparam("given"), saved_at=bindparam("at"), seq=_ITEM_SEQ))
_FINISH = update(_ATTEMPTS).where(_ATTEMPTS.c.id == bindparam("attempt")).values(status=bindparam("to"),
                                                                               finished_at=bindparam("at"))
_SCORE = update(_RESPONSES).where(_RESPONSES.c.id == bindparam("response")).values(score=bindparam("mark"))
_TOTAL = update(_ATTEMPTS).where(_ATTEMPTS.c.id == bindparam("attempt")).values(score=bindparam("total"),
                                                                              fully_marked=bindparam("fully"))


def is_due(attempt: Attempt, now: datetime) -> bool:
    """Past its deadline and the grace for saves in flight: nothing more can reach it."""
    return attempt.status == AttemptStatus.IN_PROGRESS and now > attempt.deadline + grace()


def add_event(attempt: Attempt, kind: str, at: datetime, actor_id: int | None = None, **details: Any) -> None:
    """The actor by id: a user loaded before begin_write() is expired by it, and reading their id would load them
    again inside the write."""
    db.session.add(AttemptEvent(attempt=attempt, kind=kind, at=at, actor_id=actor_id, details=details))


def locked_attempt(attempt_id: int) -> Attempt | None:
    begin_write()
    return db.session.scalar(select(Attempt).where(Attempt.id == attempt_id).with_for_update())


def _own(attempt_id: int, user_id: int) -> Attempt:
    """The user's own attempt, locked for writing; someone else's is 404 so ids reveal nothing."""
    attempt = locked_attempt(attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("没有找到这份答卷。")
    return attempt


# The hot paths' reads of an attempt, built once likewise (a statement's building and cache key were a third of its
# cost): a batch of saves' and a batch of submits' attempts, their rows locked in id order; a start's sitting.
_SAVING = (select(Attempt.id, Attempt.user_id, Attempt.status, Attempt.deadline)
           .where(Attempt.id.in_(bindparam("attempts", expanding=True))).order_by(Attempt.id).with_for_update())
_SUBMITTING = (
    select(Attempt.id, Attempt.user_id, Attempt.status, Attempt.deadline, Attempt.finished_at, Attempt.score,
           Attempt.max_score, Attempt.session_id, ExamSession.review, ExamSession.closes_at)
    .join(ExamSession, Attempt.session_id == ExamSession.id)
    .where(Attempt.id.in_(bindparam("attempts", expanding=True))).order_by(Attempt.id).with_for_update(of=Attempt))
# With whether a key of the paper has been corrected (答案更正): rarely, so a start reads the corrections only then.
_CORRECTED = exists().where(PaperItem.paper_id == ExamSession.paper_id, PaperItem.answer_override.is_not(None))
_SITTING = (
    select(ExamSession, Attempt, _CORRECTED.label("corrected"))
    .join(SessionCandidate, (SessionCandidate.session_id == ExamSession.id)
          & (SessionCandidate.user_id == bindparam("user")))
    .outerjoin(Attempt, (Attempt.session_id == ExamSession.id) & (Attempt.user_id == bindparam("user")))
    .where(ExamSession.id == bindparam("session")).order_by(Attempt.number.desc()).limit(1))


# -- starting ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LaidOut:
    """What a start knows of the attempt it has just stored, for its reply: the items as arranged from its seed and
    its paper's key corrections as read then. Nothing is answered yet, so the reply need not read the attempt back."""

    arranged: list[list[ArrangedItem]]
    corrections: dict[int, Any]


def start_attempt(session_id: int, user: User, now: datetime) -> Attempt:
    """Start the user's attempt at a session, or return the one already started (a reload, a second device).

    A mock (模拟考试) may be sat again once finished, up to its max_attempts. Only a new attempt takes the
    write lock, and only to store it: a reload or a second device is a plain read, and the paper is drawn (for a
    mock) and laid out before the lock."""
    user_id = user.id
    session, existing, corrected = _sitting(session_id, user_id)
    if existing is not None and not _may_sit_again(session, existing):
        return _closed_if_due(existing, now)
    if not session.opens_at <= now < session.closes_at:
        raise SessionNotOpen("考试尚未开始。" if now < session.opens_at else "考试已经结束。")
    seed = random.SystemRandom().randrange(2**31)
    # A per-attempt paper is drawn from a plain read, before the write lock: drawing from a large bank takes long
    # enough that holding the lock meanwhile would hold up every save queued behind it.
    drawn = None if session.paper_id else _draw_for(session, seed, now)
    paper = paper_content(session.paper_id) if drawn is None else unstored(drawn)
    arranged = layout(paper, seed)
    corrections = key_corrections(session.paper_id) if corrected else {}
    closes_at, title = session.closes_at, session.title   # a session's window never moves (extensions move deadlines)
    number = existing.number + 1 if existing else 1
    begin_write()
    try:
        attempt = _new_attempt(session_id, closes_at, user_id, now, number, seed, paper, arranged, drawn=drawn)
    except IntegrityError:
        # Another tab or device started this number meanwhile (attempts are unique by session, user and number): the
        # other one won. This transaction wrote nothing else, so it is rolled back whole (no savepoint, which cost
        # every start two more round trips), and the other's attempt handed back.
        db.session.rollback()
        return _existing_attempt(session_id, user_id)
    attempt.laid_out_here = LaidOut(arranged, corrections)
    # Its reply names the session, which the write's start expired: held by the attempt with the title read above,
    # rather than loaded again on a connection of its own after the commit.
    set_committed_value(session, "title", title)
    set_committed_value(attempt, "session", session)
    return attempt


def key_corrections(paper_id: int) -> dict[int, Any]:
    """A paper's corrected keys (答案更正), by paper item id: what of a stored paper may change after it is drawn."""
    rows = db.session.execute(select(PaperItem.id, PaperItem.answer_override)
                              .where(PaperItem.paper_id == paper_id, PaperItem.answer_override.is_not(None)))
    # A JSON column may hold a JSON null, which IS NOT NULL lets through.
    return {item_id: key for item_id, key in rows if key is not None}


def _may_sit_again(session: ExamSession, latest: Attempt) -> bool:
    return session.mock and latest.finished and latest.number < session.max_attempts


def _is_candidate(session: ExamSession, user_id: int) -> bool:
    return db.session.get(SessionCandidate, (session.id, user_id)) is not None


def _sitting(session_id: int, user_id: int) -> tuple[ExamSession, Attempt | None, bool]:
    """The session, if the user is on its list of candidates, their latest attempt at it, and whether its paper has a
    key corrected: one query, as 500 candidates start at once."""
    found = db.session.execute(_SITTING, {"session": session_id, "user": user_id}).first()
    if found is None:
        raise NotFound("没有找到这场考试，或您不在本场考生名单中。")
    return found.ExamSession, found.Attempt, found.corrected


def _existing_attempt(session_id: int, user_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.session_id == session_id, Attempt.user_id == user_id)
                             .order_by(Attempt.number.desc()).limit(1))


def _new_attempt(session_id: int, closes_at: datetime, user_id: int, now: datetime, number: int, seed: int,
                 paper: PaperContent, arranged: list[list[ArrangedItem]], deadline: datetime | None = None,
                 actor_id: int | None = None, drawn: Paper | None = None, **details: Any) -> Attempt:
    """An attempt laid out as `arranged` from its seed: a random one online, a variant's for a paper sheet (which also
    brings its deadline, the time it is entered, and the marker as actor); on its session's paper or the one `drawn`
    for it, stored here. Inserts only: the paper's content and the layout come from before."""
    if drawn is not None:
        db.session.add(drawn)
        db.session.flush()
    paper_id, item_ids = (drawn.id, [item.id for item in drawn.items]) if drawn is not None else \
        (paper.id, [item.id for item in paper.items])
    deadline = deadline or min(now + timedelta(minutes=paper.duration), closes_at)
    attempt = Attempt(session_id=session_id, user_id=user_id, number=number, paper_id=paper_id, seed=seed,
                      started_at=now, deadline=deadline, status=AttemptStatus.IN_PROGRESS,
                      max_score=paper.total_points)
    db.session.add(attempt)
    db.session.flush()
    # The start's event and the responses as plain inserts: the ORM's unit of work is a large part of a start.
    db.session.execute(_ADD_EVENTS, {"attempt_id": attempt.id, "kind": "start", "at": now,
                                     "actor_id": actor_id or user_id,
                                     "details": {"deadline": deadline.isoformat(), **details}})
    _lay_out(attempt.id, arranged, item_ids)
    return attempt


def paper_items(paper: Paper) -> list[PaperItem]:
    return list(db.session.scalars(select(PaperItem).where(PaperItem.paper_id == paper.id)
                                   .order_by(PaperItem.position).options(selectinload(PaperItem.revision))))


def layout(paper: PaperContent, seed: int) -> list[list[ArrangedItem]]:
    """The order and option letters a seed gives the paper: an attempt's view, or a printed variant."""
    items = paper.items
    sizes = [sum(1 for item in items if item.section_index == s) for s in range(items[-1].section_index + 1)]
    letters = [tuple(item.revision.options) for item in items]
    # The revision's own key, never a correction: a printed variant is laid out again from its seed after the sitting
    # and must come out as it was printed.
    keys = [item.revision.answer if item.revision.kind.always_shuffled else None for item in items]
    return arrange(sizes, letters, seed, paper.shuffle_questions, paper.shuffle_options, keys)


def _draw_for(session: ExamSession, seed: int, now: datetime) -> Paper:
    """A per-attempt paper, not yet stored; a mock's only from questions open to practice now (DESIGN §2)."""
    try:
        return drawn_paper(session.blueprint, seed, *([open_to_practice(now)] if session.mock else []))
    except Unfillable:
        raise SessionNotOpen("暂时无法组卷：可用的题目不够这份试卷，请联系组织者。") from None


def _lay_out(attempt_id: int, arranged: list[list[ArrangedItem]], item_ids: list[int]) -> None:
    """One Response per item, in the order and with the letters this candidate sees, in one bulk insert (COPY on
    PostgreSQL), since 500 candidates may start within seconds."""
    rows = [{"attempt_id": attempt_id, "key": item.key, "section_index": section_index,
             "paper_item_id": item_ids[item.index], "option_order": list(item.option_order), "seq": 0}
            for section_index, section in enumerate(arranged) for item in section]
    for position, row in enumerate(rows):
        row["position"] = position
    insert_rows(Response, rows)


# -- a paper answer sheet ---------------------------------------------------------------------------------------

def enter_paper(session_id: int, candidate: User, seed: int, responses: dict[str, Any], marker: User,
                now: datetime, **details: Any) -> Attempt:
    """A paper answer sheet (the fallback when a hall's network fails) as an attempt, marked like any other: laid out
    from the printed variant's seed, its answers stored in the letters that variant shows, submitted; each step is
    the marker's, with channel "paper". A candidate who has an attempt already, online or on paper, is refused as a
    second start would be: one sitting each."""
    session = db.session.get(ExamSession, session_id)
    candidate_id, marker_id, who = candidate.id, marker.id, f"{candidate.name}（{candidate.username}）"
    if session is None or not _is_candidate(session, candidate_id):
        raise NotFound("没有找到这场考试，或该考生不在本场考生名单中。")
    if session.paper_id is None:
        raise SessionNotOpen("本场每人单独抽题，没有全场统一的纸质试卷，不能录入纸质答卷。")
    if now < session.opens_at:
        raise SessionNotOpen("考试尚未开始，不能录入纸质答卷。")
    paper = paper_content(session.paper_id)
    arranged, closes_at = layout(paper, seed), session.closes_at
    begin_write()
    if _existing_attempt(session_id, candidate_id) is not None:
        raise AttemptClosed(f"{who}在本场已有答卷，不能再录入。")
    details = {"channel": "paper", **details}
    try:
        with db.session.begin_nested():
            attempt = _new_attempt(session_id, closes_at, candidate_id, now, 1, seed, paper, arranged, deadline=now,
                                   actor_id=marker_id, **details)
    except IntegrityError:
        raise AttemptClosed(f"{who}在本场已有答卷，不能再录入。") from None
    _check_shapes(responses, _laid_out_shapes(paper, arranged))
    attempt_id = attempt.id
    _add_events(_store([(_SaveJob(attempt_id, marker_id, responses, 1, {}, now, None, ""), SaveResult(attempt.deadline),
                         details)]))
    _finish(attempt_id, AttemptStatus.SUBMITTED, now, marker_id, **details)
    mark_pending(now, [attempt_id])   # the organiser who entered it is shown its score at once
    return attempt


# -- reading -----------------------------------------------------------------------------------------------

def attempt_for(attempt_id: int, user: User) -> Attempt:
    """The user's attempt as stored; a plain read. One whose time ran out while nobody was looking is closed by the
    next write to it (a save, the page's own submit at zero) or by the sweep, never by a page view."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("没有找到这份答卷。")
    return attempt


def _closed_if_due(attempt: Attempt, now: datetime) -> Attempt:
    if not is_due(attempt, now):
        return attempt
    attempt_id = attempt.id
    locked = locked_attempt(attempt_id)
    if is_due(locked, now):
        _finish(attempt_id, AttemptStatus.CLOSED, locked.deadline, None)
        mark_pending(now, [attempt_id])
    return locked


# -- saving ------------------------------------------------------------------------------------------------

@dataclass
class SaveResult:
    deadline: datetime   # as it stood when the answers were stored
    saved: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def save_responses(attempt_id: int, user: User, responses: dict[str, Any], seq: int | None,
                   now: datetime, seqs: dict[str, int] | None = None, arrived: datetime | None = None) -> SaveResult:
    """Store answers as given (in the letters shown). Each item carries its own seq (`seqs`, else the save's `seq`):
    an item whose stored seq is higher keeps its answer, so an old answer from a second device never wins.
    Lateness is judged at `arrived` (app/attempts/arrival.py), the time it reached the server. Committed when it
    returns, in one transaction with the other saves of this process that arrived meanwhile (a group write, as the
    submits are: the candidates' autosaves share a BEGIN, a lock statement, an insert of events and a COMMIT)."""
    # Read and checked before the batch, an attempt's layout never changing; a problem is told only to its owner.
    problem = _shape_problem(responses, _shapes(attempt_id))
    return save_batches()(_SaveJob(attempt_id, user.id, responses, seq, seqs or {}, now, arrived, problem,
                                   claim_of(user)))


def save_batches() -> GroupWrite:
    """The app's group of saves: one per app, so that a batch is written to its own database."""
    return app_cache("save_batches", lambda: GroupWrite(_store_saves))


@dataclass(frozen=True)
class _SaveJob:
    attempt_id: int
    user_id: int   # who saves: the attempt's owner, or the marker entering a paper sheet (the event's actor)
    responses: dict[str, Any]
    seq: int | None
    seqs: dict[str, int]
    now: datetime
    arrived: datetime | None
    problem: str   # the answers' shapes refused (_shape_problem), told once the attempt is known to be the user's
    claim: ClaimedAccount | None = None   # the session's account, checked in the batch (app/users/logins.py)


def _store_saves(jobs: Sequence[_SaveJob]) -> list[SaveResult | AppError]:
    """A batch of saves: the attempts locked and read in one statement (in id order, as the submits' batches lock
    theirs), then each save judged as a lone save would be, in the order they came: refused whole if its attempt is
    not the user's, is finished, or the save arrived past the deadline and grace (which closes the attempt, kept
    though the save is refused). The answers of the rest are stored in one pipeline, their events inserted in one
    statement, and then the closes written, so an attempt's events keep the order its saves came in. A save on a
    session that has ended since is refused first, as if it had loaded its account."""
    rows = {row.id: row for row in db.session.execute(_SAVING, {"attempts": sorted({j.attempt_id for j in jobs})})}
    refused_accounts = refused_claims(job.claim for job in jobs if job.claim is not None)
    left: dict[int, str] = {}   # the status this batch leaves an attempt in, where it closed one at its deadline
    closes: list[_Finish] = []
    outcomes: list[SaveResult | AppError] = []
    accepted: list[tuple[_SaveJob, SaveResult]] = []
    for job in jobs:
        row = rows.get(job.attempt_id)
        if job.claim in refused_accounts:
            outcomes.append(refused_accounts[job.claim])
        elif row is None or row.user_id != job.user_id:
            outcomes.append(NotFound("没有找到这份答卷。"))
        elif refused := _refusal(left.get(row.id, row.status), row.deadline, job.arrived or job.now):
            if isinstance(refused, DeadlinePassed):
                closes.append(_Finish(row.id, AttemptStatus.CLOSED, row.deadline, None,
                                      _refused_late("save", job.arrived or job.now)))
                left[row.id] = AttemptStatus.CLOSED
            outcomes.append(refused)
        elif job.problem:
            outcomes.append(InvalidResponse(job.problem))
        else:
            outcomes.append(SaveResult(row.deadline))
            accepted.append((job, outcomes[-1]))
    _add_events(_store([(job, result, _queued(result.deadline, job.now, job.arrived)) for job, result in accepted]))
    _finish_all(closes)
    return outcomes


def _store(saves: list[tuple[_SaveJob, SaveResult, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Saves of checked shapes, each with its result to fill and what its event records besides (the arrival time
    where it alone made the save in time; a paper sheet's channel). Each item is stored unless its stored seq is
    higher: one UPDATE an item, all in one pipeline. The events of the saves that stored anything are returned, for
    the caller to insert in the same transaction."""
    answers = [{"attempt": job.attempt_id, "item": key, "given": value, "at": job.now,
                "item_seq": job.seqs.get(key, job.seq)} for job, _, _ in saves for key, value in job.responses.items()]
    stored = iter(execute_each(_ANSWER, answers))
    events = []
    for job, result, details in saves:
        for key in job.responses:
            (result.saved if next(stored) else result.stale).append(key)
        if result.saved:
            events.append({
                "attempt_id": job.attempt_id, "kind": "save", "at": job.now, "actor_id": job.user_id,
                "details": {"seq": job.seq, "responses": {key: job.responses[key] for key in result.saved},
                            **({"seqs": {k: job.seqs[k] for k in result.saved if k in job.seqs}} if job.seqs else {}),
                            **details}})
    return events


def _add_events(events: list[dict[str, Any]]) -> None:
    if events:   # an empty list would insert one row of defaults
        db.session.execute(_ADD_EVENTS, events)


# The attempts a process served last; bounded, so a long day's attempts come and go.
ATTEMPT_SHAPES = 4096


def _shapes(attempt_id: int) -> dict[str, RevisionContent]:
    """What a response to each of the attempt's items may look like (its revision's kind, letters and slots), by key.
    An attempt's layout and its revisions never change, so each process reads the keys and revision ids once per
    attempt, and the revisions once (app/papers/content.py), rather than on every save. An attempt not found is not
    remembered: its id may be given to an attempt yet to come (or given again after a rollback)."""
    cache: Lru[int, dict[str, RevisionContent]] = app_cache("item_shapes", lambda: Lru(ATTEMPT_SHAPES))
    shapes = cache.get(attempt_id)
    if shapes is None:
        rows = db.session.execute(
            select(Response.key, PaperItem.revision_id).join(PaperItem, Response.paper_item_id == PaperItem.id)
            .where(Response.attempt_id == attempt_id)).all()
        by_id = revisions(revision_id for _, revision_id in rows)
        shapes = {key: by_id[revision_id] for key, revision_id in rows}
        if shapes:
            cache.put(attempt_id, shapes)
    return shapes


def _laid_out_shapes(paper: PaperContent, arranged: list[list[ArrangedItem]]) -> dict[str, RevisionContent]:
    """The shapes of an attempt being created, from its layout: not yet committed, so not cached."""
    return {item.key: paper.items[item.index].revision for section in arranged for item in section}


def writable_attempt(attempt_id: int, user_id: int, now: datetime, what: str,
                     arrived: datetime | None = None) -> Attempt:
    """The user's attempt, locked for writing, while answers may still reach it (arrived by deadline plus grace);
    AttemptClosed or DeadlinePassed (having closed it, `what` came too late kept in the close) otherwise."""
    attempt = _own(attempt_id, user_id)
    _check_writable(attempt, now, arrived or now, what)
    return attempt


def _queued(deadline: datetime, now: datetime, arrived: datetime | None) -> dict[str, Any]:
    """The arrival time, kept in the event where it alone made a write in time: the reason is on record."""
    late = arrived is not None and now > deadline + grace()
    return {"arrived": arrived.isoformat()} if late else {}


def _refused_late(what: str, arrived: datetime) -> dict[str, Any]:
    """Kept in the close a late write caused: what came, and when it reached the server, for a dispute (申诉)."""
    return {"refused": what, "arrived": arrived.isoformat()}


def _check_writable(attempt: Attempt, now: datetime, arrived: datetime, what: str) -> None:
    refused = _refusal(attempt.status, attempt.deadline, arrived)
    if isinstance(refused, DeadlinePassed):
        _finish(attempt.id, AttemptStatus.CLOSED, attempt.deadline, None, **_refused_late(what, arrived))
    if refused:
        raise refused


def _refusal(status: str, deadline: datetime, arrived: datetime) -> AppError | None:
    """Why an answer that arrived at `arrived` may not be written into an attempt, or None if it may. On
    DeadlinePassed the caller closes the attempt at its deadline, a close the refusal keeps."""
    if status != AttemptStatus.IN_PROGRESS:
        return AttemptClosed("答卷已经提交，不能再修改。")
    if arrived > deadline + grace():
        return DeadlinePassed("考试时间已到，答卷已收取，此次保存未被接受。")
    return None


def _check_shapes(responses: dict[str, Any], shapes: dict[str, RevisionContent]) -> None:
    problem = _shape_problem(responses, shapes)
    if problem:
        raise InvalidResponse(problem)


def _shape_problem(responses: dict[str, Any], shapes: dict[str, RevisionContent]) -> str:
    for key, value in responses.items():
        shape = shapes.get(key)
        if shape is None:
            return f"第 {key} 题不存在。"
        problem = response_problem(shape.kind, value, shape.letters, shape.slots)
        if problem:
            return f"第 {key} 题的答案格式不对：{problem}。"
    return ""


# -- finishing and marking ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submitted:
    """An attempt as a submit left it, and what its answer needs of its session."""

    id: int
    status: str
    deadline: datetime
    finished_at: datetime
    score: float | None
    max_score: float
    session_id: int
    review: str
    closes_at: datetime


@dataclass(frozen=True)
class _Finish:
    """An attempt's end: by its candidate (submit), at its deadline (close) or by a marker entering a paper sheet."""

    attempt_id: int
    status: AttemptStatus
    at: datetime
    actor_id: int | None
    details: dict[str, Any] = field(default_factory=dict)


def submit_attempt(attempt_id: int, user: User, now: datetime, arrived: datetime | None = None) -> Submitted:
    """Submit once; a second submit (another tab, a retry) finds it finished and changes nothing. Committed when it
    returns, together with the other submits of this process that arrived meanwhile (a group write: a deadline burst
    takes the write lock once a batch); not marked here: the caller has it marked (app/attempts/sweeper.py
    `marked_after_commit`)."""
    return submit_batches()(_SubmitJob(attempt_id, user.id, now, arrived, claim_of(user)))


def submit_batches() -> GroupWrite:
    """The app's group of submits: one per app, so that a batch is written to its own database."""
    return app_cache("submit_batches", lambda: GroupWrite(_finish_submits))


@dataclass(frozen=True)
class _SubmitJob:
    attempt_id: int
    user_id: int
    now: datetime
    arrived: datetime | None
    claim: ClaimedAccount | None = None


def _finish_submits(jobs: Sequence[_SubmitJob]) -> list[Submitted | AppError]:
    """A batch of submits: the attempts locked and read in one statement (in id order, so that batches of other
    processes never wait on each other in a circle), each judged as a lone submit would be, in the order they came,
    then finished in one update and one insert of their events. A submit on a session that has ended since is refused
    first, as if it had loaded its account."""
    ids = sorted({job.attempt_id for job in jobs})
    rows = {row.id: row for row in db.session.execute(_SUBMITTING, {"attempts": ids})}
    refused_accounts = refused_claims(job.claim for job in jobs if job.claim is not None)
    left: dict[int, tuple[str, datetime | None]] = {}   # status and finish time as this batch leaves each attempt
    finishes: list[_Finish] = []
    outcomes: list[Submitted | AppError] = []
    for job in jobs:
        row = rows.get(job.attempt_id)
        if job.claim in refused_accounts:
            outcomes.append(refused_accounts[job.claim])
            continue
        if row is None or row.user_id != job.user_id:
            outcomes.append(NotFound("没有找到这份答卷。"))
            continue
        status, finished_at = left.get(row.id, (row.status, row.finished_at))
        if status == AttemptStatus.IN_PROGRESS:
            finish = _submitted(row.id, row.deadline, job)
            finishes.append(finish)
            status, finished_at = left[row.id] = finish.status, finish.at
        outcomes.append(Submitted(row.id, status, row.deadline, finished_at, row.score, row.max_score, row.session_id,
                                  row.review, row.closes_at))
    _finish_all(finishes)
    return outcomes


def _submitted(attempt_id: int, deadline: datetime, job: _SubmitJob) -> _Finish:
    """Submitted by its candidate, or closed at its deadline if the submit arrived after the grace."""
    arrived = job.arrived or job.now
    if arrived > deadline + grace():
        return _Finish(attempt_id, AttemptStatus.CLOSED, deadline, None, _refused_late("submit", arrived))
    return _Finish(attempt_id, AttemptStatus.SUBMITTED, job.now, job.user_id, _queued(deadline, job.now, job.arrived))


def close_overdue(now: datetime) -> int:
    """Close up to SWEEP_BATCH attempts past their deadline, passing over any a request holds; safe on every host at
    once. The sweep (app/attempts/sweeper.py) commits each batch, asks again while they come back full, then marks.
    It waits the grace and the longest a request may wait before it is judged (arrival.longest_wait): a submit that
    reached the server in time but still waits in a queue must find its attempt open, not closed under it."""
    overdue = (Attempt.status == AttemptStatus.IN_PROGRESS, Attempt.deadline < now - grace() - longest_wait())
    if db.session.scalar(select(Attempt.id).where(*overdue).limit(1)) is None:
        return 0   # most runs: nothing to close, so no write lock taken
    begin_write()
    batch = db.session.execute(
        select(Attempt.id, Attempt.deadline).where(*overdue).order_by(Attempt.id).limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)).all()
    _finish_all([_Finish(attempt_id, AttemptStatus.CLOSED, deadline, None) for attempt_id, deadline in batch])
    return len(batch)


def _finish(attempt_id: int, status: AttemptStatus, at: datetime, actor_id: int | None, **details: Any) -> None:
    _finish_all([_Finish(attempt_id, status, at, actor_id, details)])


def _finish_all(finishes: list[_Finish]) -> None:
    """Final answers, status and time: a short write, of the attempts' rows (locked by the caller) and their events.
    The marks follow after the commit (mark_pending), so a deadline burst of submits never waits on marking; until
    then an attempt's score is None (being_marked). What this session holds of the attempts is read again when next
    used."""
    if not finishes:
        return
    db.session.flush()
    db.session.execute(_FINISH, [{"attempt": f.attempt_id, "to": f.status, "at": f.at} for f in finishes])
    db.session.execute(_ADD_EVENTS, [
        {"attempt_id": f.attempt_id, "at": f.at, "actor_id": f.actor_id, "details": f.details,
         "kind": "submit" if f.status == AttemptStatus.SUBMITTED else "close"} for f in finishes])
    for finish in finishes:
        held = db.session.identity_map.get(identity_key(Attempt, finish.attempt_id))
        if held is not None:
            db.session.expire(held)


def being_marked(attempt: Attempt) -> bool:
    """Finished, its marks not yet computed: the candidate sees 已交卷 and "成绩计算中"."""
    return attempt.finished and attempt.score is None


def mark_pending(now: datetime, ids: list[int] | None = None, submitted_before: datetime | None = None) -> int:
    """Mark up to MARK_BATCH finished attempts still without marks (those of `ids`, or any; of those submitted, only
    before `submitted_before` if given): the scores are computed from a plain read, then written in one short write
    that takes only the attempts nobody marked meanwhile. Run after a submit's commit and by every sweep, so an
    attempt whose marking a crash cut off is marked all the same; safe anywhere, any number of times at once."""
    pending = select(Attempt.id).where(Attempt.status != AttemptStatus.IN_PROGRESS, Attempt.score.is_(None))
    if ids is not None:
        pending = pending.where(Attempt.id.in_(ids))
    if submitted_before is not None:
        pending = pending.where(or_(Attempt.status != AttemptStatus.SUBMITTED, Attempt.finished_at < submitted_before))
    attempt_ids = list(db.session.scalars(pending.order_by(Attempt.id).limit(MARK_BATCH)))
    if not attempt_ids:
        return 0
    scores, marked = _computed_scores(attempt_ids)
    mocks = set(db.session.scalars(select(Attempt.id).join(ExamSession, Attempt.session_id == ExamSession.id)
                                   .where(Attempt.id.in_(attempt_ids), ExamSession.mock.is_(True))))
    begin_write()
    claimed = list(db.session.scalars(select(Attempt.id).where(Attempt.id.in_(attempt_ids), Attempt.score.is_(None))
                                      .order_by(Attempt.id).with_for_update(skip_locked=True)))
    if not claimed:
        return 0
    rows = [{"response": response_id, "mark": score} for attempt_id in claimed
            for response_id, score in scores[attempt_id].items() if response_id in marked[attempt_id]]
    if rows:
        db.session.execute(_SCORE, rows)
    totals = {attempt_id: _total(list(scores[attempt_id].values())) for attempt_id in claimed}
    db.session.execute(_TOTAL, [{"attempt": attempt_id, "total": score, "fully": fully}
                                for attempt_id, (score, fully) in totals.items()])
    db.session.execute(_ADD_EVENTS, [
        {"attempt_id": attempt_id, "kind": "auto_mark", "at": now, "actor_id": None,
         "details": {"score": score, "fully_marked": fully}} for attempt_id, (score, fully) in totals.items()])
    _written_around(set(claimed))
    for attempt_id in mocks.intersection(claimed):   # reviewed at once, so into the book at once
        attempt = db.session.get(Attempt, attempt_id)
        collect_attempt(attempt, "mock", attempt.finished_at)
    return len(claimed)


def _computed_scores(attempt_ids: list[int]) -> tuple[dict[int, dict[int, float | None]], dict[int, set[int]]]:
    """By attempt, every response's score as it will stand (by response id), and the ids of those marked here: the
    objective ones, and a subjective one left blank (0). A judge's score for an attempt not yet marked is written
    through mark_attempt under the attempt's lock, so the claim below passes that attempt over."""
    scores: dict[int, dict[int, float | None]] = {attempt_id: {} for attempt_id in attempt_ids}
    marked: dict[int, set[int]] = {attempt_id: set() for attempt_id in attempt_ids}
    # The columns marking reads, and the paper's content from the process's cache: a paper item's key correction
    # (answer_override) is the one thing of it that changes, so it is read with the responses.
    rows = db.session.execute(
        select(Response.id, Response.attempt_id, Response.paper_item_id, Response.value, Response.option_order,
               Response.score, PaperItem.paper_id, PaperItem.answer_override)
        .join(PaperItem, Response.paper_item_id == PaperItem.id).where(Response.attempt_id.in_(attempt_ids)))
    for response_id, attempt_id, item_id, value, option_order, stored, paper_id, override in rows:
        paper = paper_content(paper_id)
        item = paper.item(item_id)
        score = _item_score(item.revision, item.revision.answer if override is None else override, value,
                            tuple(option_order or ()), stored, item.points, paper)
        if score is not None:
            marked[attempt_id].add(response_id)
        scores[attempt_id][response_id] = stored if score is None else score
    return scores, marked


def _written_around(attempt_ids: set[int]) -> None:
    """The marks were written by Core statements: what this session holds of those attempts and their responses
    (an attempt entered from a paper sheet, marked in the same write) is read again when next used."""
    for instance in list(db.session.identity_map.values()):
        state = inspect(instance)
        if isinstance(instance, Attempt) and state.identity[0] in attempt_ids or \
                isinstance(instance, Response) and state.dict.get("attempt_id") in attempt_ids:
            db.session.expire(instance)


def _total(scores: list[float | None]) -> tuple[float, bool]:
    """An attempt's score and whether every item has its mark."""
    return rounded(sum(score for score in scores if score is not None)), all(score is not None for score in scores)


def mark_attempt(attempt: Attempt) -> None:
    """(Re)compute every objective item's score and the total. Judges' scores for the other items stay; one left
    blank scores 0 without waiting for a judge."""
    paper = attempt.paper
    for response in _responses_with_items(attempt):
        score = _score(response, paper)
        if score is not None:
            response.score = score
    total(attempt)


def _score(response: Response, paper: Paper) -> float | None:
    item = response.paper_item
    return _item_score(item.revision, item.key, response.value, tuple(response.option_order or ()), response.score,
                       item.points, paper)


def _item_score(revision: QuestionRevision | RevisionContent, key: Any, value: Any, option_order: tuple[str, ...],
                stored: float | None, points: float, paper: Paper | PaperContent) -> float | None:
    """An objective item's mark; 0 for a subjective one left blank; None where a judge's score stands or is awaited."""
    if not revision.kind.objective:
        return 0.0 if stored is None and not is_answered(value) else None
    return mark(revision.kind, key, in_bank_letters(revision, option_order, value), points,
                multiple_scoring=paper.multiple_scoring, blank_order=revision.blank_order,
                ordering_scoring=paper.ordering_scoring)


def total(attempt: Attempt) -> None:
    attempt.score, attempt.fully_marked = _total([response.score for response in attempt.responses])


def _responses_with_items(attempt: Attempt) -> list[Response]:
    return list(db.session.scalars(
        select(Response).where(Response.attempt_id == attempt.id)
        .options(selectinload(Response.paper_item).selectinload(PaperItem.revision))))
