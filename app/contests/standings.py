"""A round's standings from raw scores: who is in which group, every current score, the domain's ranking.

The written component also comes from exam sessions scheduled for the round: a candidate's marked attempt
counts as their share of the paper's points, on 100. A CSV score for the same candidate takes precedence.
"""
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.contests import rules_from_document
from app.domain.scores import share_of
from app.domain.standings import Entrant, Standings, compute, min_judges_to_trim
from app.extensions import db
from app.models import (
    Attempt,
    ContestCandidate,
    ExamSession,
    Organisation,
    Round,
    RoundEntry,
    ScoreEntry,
    StandingsVersion,
    User,
)

WRITTEN = "written"
EVERYONE = "全体"


@dataclass
class RoundStandings:
    """A round's standings as pages, downloads and commands show them: the live draft, or a published version."""

    round: Round
    standings: Standings
    group_codes: dict[str, str]       # group name → organisation code ('*' for everyone)
    rules: dict[str, Any]             # the round's rules these were computed under (a version keeps its own)
    version: StandingsVersion | None = None    # None: the draft, computed from the raw scores now

    @property
    def components(self) -> list[str]:
        return [c["name"] for c in self.rules["components"]]

    @property
    def judged(self) -> list[str]:
        return judged_in(self.rules)

    @property
    def advancing(self) -> bool:
        """Whether anyone goes on from the round (nobody does from a final)."""
        return self.rules.get("advance_top") is not None

    def trim(self, component: str) -> int:
        return next(c["trim"] for c in self.rules["components"] if c["name"] == component)

    def trim_note(self, component: str) -> str:
        """What the page says about how judges' scores were combined."""
        trim = self.trim(component)
        if trim == 0:
            return "各评委评分取平均"
        return f"评委满 {min_judges_to_trim(trim)} 人时去掉 {trim} 个最高分和 {trim} 个最低分后取平均，不足时取平均"


def judged_in(rules: dict[str, Any]) -> list[str]:
    """The components judges score: all but the written test."""
    return [c["name"] for c in rules["components"] if c["name"] != WRITTEN]


def round_standings(round_: Round) -> RoundStandings:
    """The draft: the round's standings computed from the raw scores now."""
    entrants, codes = _entrants(round_)
    standings = compute(rules_from_document(round_.rules), entrants, current_scores(round_))
    return RoundStandings(round_, standings, codes, round_.rules)


def _entrants(round_: Round) -> tuple[list[Entrant], dict[str, str]]:
    skip = set(round_.rules.get("skip", []))
    memberships = {c.user_id: c.organisation for c in db.session.scalars(
        select(ContestCandidate).where(ContestCandidate.contest_id == round_.contest_id)
        .options(selectinload(ContestCandidate.organisation).selectinload(Organisation.parent)))}
    entrants, codes = [], {}
    rows = db.session.execute(select(RoundEntry, User).join(User, RoundEntry.user_id == User.id)
                              .where(RoundEntry.round_id == round_.id))
    for entry, user in rows:
        organisation = memberships.get(user.id)
        group = group_of(organisation, round_.group_by)
        name = group.name if group else EVERYONE if round_.group_by == "all" else "（未分组）"
        codes[name] = group.code if group else "*"
        direct = organisation is not None and organisation.type in skip
        entrants.append(Entrant(user.id, user.username, user.name, name, direct=direct,
                                organisation=organisation.name if organisation else ""))
    return entrants, codes


def group_of(organisation: Organisation | None, group_by: str) -> Organisation | None:
    """The organisation itself or its nearest ancestor of the round's grouping type."""
    if group_by == "all":
        return None
    while organisation is not None and organisation.type != group_by:
        organisation = organisation.parent
    return organisation


def current_scores(round_: Round) -> dict[int, dict[str, list[Decimal]]]:
    """Every candidate's current raw scores per component: the latest entry per (candidate, component, judge)."""
    latest: dict[tuple[int, str, int | None], ScoreEntry] = {}
    for entry in db.session.scalars(select(ScoreEntry).where(ScoreEntry.round_id == round_.id)
                                    .order_by(ScoreEntry.entered_at, ScoreEntry.id)):
        latest[entry.user_id, entry.component, entry.judge_id] = entry
    scores: dict[int, dict[str, list[Decimal]]] = {}
    for (user_id, component, _judge), entry in latest.items():
        scores.setdefault(user_id, {}).setdefault(component, []).append(Decimal(entry.hundredths) / 100)
    for user_id, value in exam_scores(round_).items():
        scores.setdefault(user_id, {}).setdefault(WRITTEN, [value])
    return scores


def exam_scores(round_: Round) -> dict[int, Decimal]:
    """Marked attempts of the round's sessions, as a share of the paper on 100 (the best if several)."""
    attempts = db.session.scalars(
        select(Attempt).join(ExamSession, Attempt.session_id == ExamSession.id)
        .where(ExamSession.round_id == round_.id, Attempt.fully_marked.is_(True)))
    best: dict[int, Decimal] = {}
    for attempt in attempts:
        if not attempt.max_score:
            continue
        value = share_of(attempt.score, attempt.max_score)
        best[attempt.user_id] = max(value, best.get(attempt.user_id, Decimal(0)))
    return best
