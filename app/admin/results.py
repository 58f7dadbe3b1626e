"""A session as organisers see it: who started, who finished, each candidate's scores and times away from the
page (切屏), and item analysis inputs."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.attempts.away import away_counts
from app.attempts.judging import session_paper_ids
from app.attempts.letters import bank_letters
from app.attempts.service import is_due
from app.domain.analysis import Bin, ItemStats, Observation, analyse_item, histogram
from app.domain.marking import is_answered
from app.domain.questions import QuestionType, question_type
from app.domain.scores import rounded
from app.extensions import db
from app.models import (
    Attempt,
    AttemptStatus,
    ExamSession,
    PaperItem,
    Question,
    QuestionRevision,
    Response,
    SessionCandidate,
    User,
)

NOT_STARTED = "未开始"


@dataclass
class CandidateRow:
    user: User
    attempt: Attempt | None
    sections: list[float | None]
    last_saved: datetime | None = None
    overdue: bool = False
    away: int = 0                      # times the exam page was left (切屏)
    away_alert_after: int | None = None   # the session's limit, above which organisers are alerted

    @property
    def away_alert(self) -> bool:
        """Left the page more often than the session allows before alerting: a flag to look into, not a verdict."""
        return self.away_alert_after is not None and self.away > self.away_alert_after

    @property
    def status(self) -> str:
        if self.attempt is None:
            return NOT_STARTED
        return AttemptStatus(self.attempt.status).label

    @property
    def score(self) -> float | None:
        return self.attempt.score if self.attempt is not None and self.attempt.finished else None

    @property
    def fully_marked(self) -> bool | None:
        return self.attempt.fully_marked if self.attempt is not None and self.attempt.finished else None


@dataclass(frozen=True)
class SessionListing:
    session: ExamSession
    candidates: int
    started: int
    finished: int

    def state(self, now: datetime) -> str:
        if now < self.session.opens_at:
            return "未开放"
        return "进行中" if now < self.session.closes_at else "已结束"


def session_listings() -> list[SessionListing]:
    candidates = dict(db.session.execute(
        select(SessionCandidate.session_id, func.count()).group_by(SessionCandidate.session_id)).all())
    started, finished = defaultdict(int), defaultdict(int)
    for session_id, status, count in db.session.execute(
            select(Attempt.session_id, Attempt.status, func.count()).group_by(Attempt.session_id, Attempt.status)):
        started[session_id] += count
        finished[session_id] += count if status != AttemptStatus.IN_PROGRESS else 0
    sessions = db.session.scalars(select(ExamSession).order_by(ExamSession.opens_at.desc(), ExamSession.id.desc())
                                  .options(selectinload(ExamSession.blueprint)))
    return [SessionListing(s, candidates.get(s.id, 0), started[s.id], finished[s.id]) for s in sessions]


def section_titles(session: ExamSession) -> list[str]:
    """Section titles as drawn (the blueprint may have changed since), else as the blueprint says."""
    titles = dict(db.session.execute(
        select(PaperItem.section_index, PaperItem.section_title)
        .where(PaperItem.paper_id.in_(session_paper_ids(session))).distinct()).all())
    if not titles:
        return [section["title"] for section in session.blueprint.spec["sections"]]
    return [titles[index] for index in sorted(titles)]


def candidate_rows(session: ExamSession, now: datetime) -> list[CandidateRow]:
    """Every candidate of the session with their latest attempt, per-section scores and last save."""
    users = db.session.scalars(
        select(User).join(SessionCandidate, SessionCandidate.user_id == User.id)
        .where(SessionCandidate.session_id == session.id).order_by(User.username)
        .options(selectinload(User.organisation)))
    attempts = {a.user_id: a for a in db.session.scalars(
        select(Attempt).where(Attempt.session_id == session.id).order_by(Attempt.number))}
    size = len(section_titles(session))
    sections: dict[int, list[float | None]] = defaultdict(lambda: [None] * size)
    saved: dict[int, datetime | None] = {}
    for attempt_id, index, scored, points, last in db.session.execute(
            select(Response.attempt_id, Response.section_index, func.count(Response.score), func.sum(Response.score),
                   func.max(Response.saved_at))
            .join(Attempt, Attempt.id == Response.attempt_id).where(Attempt.session_id == session.id)
            .group_by(Response.attempt_id, Response.section_index)):
        sections[attempt_id][index] = rounded(points) if scored else None
        saved[attempt_id] = max(filter(None, [saved.get(attempt_id), last]), default=None)
    away = away_counts(session.id)
    rows = []
    for user in users:
        attempt = attempts.get(user.id)
        if attempt is None:
            rows.append(CandidateRow(user, None, [None] * size))
        else:
            scores = sections[attempt.id] if attempt.finished else [None] * size
            rows.append(CandidateRow(user, attempt, scores, saved.get(attempt.id), is_due(attempt, now),
                                     away.get(attempt.id, 0), session.away_alert_after))
    return rows


def answer_text(qtype: str | QuestionType, value: Any) -> str:
    """A candidate's response as a person reads it (blank answers are one string per blank); pass a revision's `kind`
    for a type read through its parts (a material)."""
    if not is_answered(value):
        return "未作答"
    return (qtype if isinstance(qtype, QuestionType) else question_type(qtype)).describe_response(value)


def status_counts(rows: list[CandidateRow]) -> dict[str, int]:
    counts = {NOT_STARTED: 0, **{status.label: 0 for status in AttemptStatus}}
    for row in rows:
        counts[row.status] += 1
    return counts


# -- the results table -----------------------------------------------------------------------------------------

FIXED_COLUMNS = [("username", "用户名"), ("name", "姓名"), ("org", "组织"), ("status", "状态"), ("score", "得分")]


def columns(titles: list[str]) -> list[tuple[str, str]]:
    """(sort key, header) of every column, in the same order on the page, in CSV and in XLSX."""
    return [*FIXED_COLUMNS, *((f"s{i}", title) for i, title in enumerate(titles)), ("marked", "阅卷完成"),
            ("away", "切屏次数")]


def cells(row: CandidateRow) -> dict[str, Any]:
    organisation = row.user.organisation.name if row.user.organisation else ""
    marked = {True: "是", False: "否", None: ""}[row.fully_marked]
    return {"username": row.user.username, "name": row.user.name, "org": organisation, "status": row.status,
            "score": row.score, **{f"s{i}": score for i, score in enumerate(row.sections)}, "marked": marked,
            "away": row.away if row.attempt is not None else None}


def table(rows: list[CandidateRow], titles: list[str]) -> tuple[list[str], list[list[Any]]]:
    keys = columns(titles)
    return [label for _, label in keys], [[cells(row)[key] for key, _ in keys] for row in rows]


def sort_rows(rows: list[CandidateRow], key: str, descending: bool) -> list[CandidateRow]:
    """Rows ordered by one column (a key of `columns`); blanks (not started, not yet scored) always last."""
    keyed = [(cells(row)[key], row) for row in rows]
    present = [pair for pair in keyed if pair[0] not in (None, "")]
    ordered = sorted(present, key=lambda pair: pair[0], reverse=descending)
    return [row for _, row in ordered] + [row for value, row in keyed if value in (None, "")]


def score_histogram(rows: list[CandidateRow], session: ExamSession) -> list[Bin]:
    scores = [row.score for row in rows if row.score is not None]
    max_score = max((row.attempt.max_score for row in rows if row.attempt is not None),
                    default=session.paper.total_points if session.paper else 0)
    return histogram(scores, max_score)


# -- item analysis ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemAnalysis:
    revision: QuestionRevision
    section_index: int
    points: float
    key: Any
    explanation: str      # the one in force: a key correction's, else the revision's
    stats: ItemStats

    @property
    def objective(self) -> bool:
        return self.revision.kind.objective

    @property
    def type_label(self) -> str:
        return self.revision.kind.label

    @property
    def key_shown(self) -> str:
        return self.revision.kind.describe_answer(self.key)

    @property
    def key_input(self) -> str:
        return self.revision.kind.key_text(self.key)

    @property
    def corrected(self) -> bool:
        return self.objective and self.key != self.revision.answer


def item_analyses(session: ExamSession) -> list[ItemAnalysis]:
    """Per question of the session (by revision, so per-attempt papers pool their common questions)."""
    responses = db.session.scalars(
        select(Response).join(Attempt, Attempt.id == Response.attempt_id)
        .where(Attempt.session_id == session.id, Attempt.status != AttemptStatus.IN_PROGRESS)
        .options(selectinload(Response.attempt),
                 selectinload(Response.paper_item).selectinload(PaperItem.revision)
                 .selectinload(QuestionRevision.question).selectinload(Question.bank)))
    grouped: dict[int, list[Response]] = defaultdict(list)
    for response in responses:
        grouped[response.paper_item.revision_id].append(response)
    analyses = [_analyse(group) for group in grouped.values()]
    return sorted(analyses, key=lambda a: (a.section_index, a.revision.question.ref))


def _analyse(responses: list[Response]) -> ItemAnalysis:
    item = responses[0].paper_item
    revision = item.revision
    observations = [Observation(r.attempt.score or 0.0, r.score, bank_letters(r))
                    for r in responses if r.score is not None]
    options = revision.kind.choices(revision.options)
    return ItemAnalysis(revision, item.section_index, item.points, item.key, item.explanation,
                        analyse_item(revision.type, item.points, item.key, options, observations))
