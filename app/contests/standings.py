"""A round's standings from raw scores: who is in which group, every current score, the domain's ranking.

The written component also comes from exam sessions scheduled for the round: a candidate's marked attempt
counts as their share of the paper's points, on 100. A CSV score for the same candidate takes precedence.
"""
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.standings import (
    Entrant,
    RoundRules,
    Standings,
    add_exam_shares,
    compute,
    exam_shares,
    group_of,
)
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


@dataclass(frozen=True)
class Heading:
    """What standings say they are: the contest's and the round's titles, how the round groups its candidates, and
    whether the contest is demo data. Reloading the contest file may change each of them on a round still open, so a
    version keeps the heading it was published under, as it keeps its rules."""

    contest_title: str
    title: str
    group_by: str                     # committee | liaison_group | all
    demo: bool

    @classmethod
    def of(cls, round_: Round) -> "Heading":
        """The round's heading as the contest file says it now."""
        return cls(round_.contest.title, round_.title, round_.group_by, round_.contest.demo)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "Heading":
        return cls(document["contest_title"], document["title"], document["group_by"], document["demo"])

    def document(self) -> dict[str, Any]:
        return {"contest_title": self.contest_title, "title": self.title, "group_by": self.group_by,
                "demo": self.demo}


@dataclass
class RoundStandings:
    """A round's standings as pages, downloads and commands show them: the live draft, or a published version."""

    round: Round
    standings: Standings
    group_codes: dict[str, str]       # group name → organisation code ('*' for everyone)
    rules: RoundRules                 # the round's rules these were computed under (a version keeps its own)
    heading: Heading                  # the titles and grouping they were computed under (a version keeps its own)
    version: StandingsVersion | None = None    # None: the draft, computed from the raw scores now

    @property
    def components(self) -> list[str]:
        return self.rules.names

    @property
    def advancing(self) -> bool:
        return self.rules.advancing


def round_standings(round_: Round) -> RoundStandings:
    """The draft: the round's standings computed from the raw scores now."""
    rules = round_.rules
    entrants, codes = _entrants(round_, rules)
    return RoundStandings(round_, compute(rules, entrants, current_scores(round_)), codes, rules, Heading.of(round_))


def _entrants(round_: Round, rules: RoundRules) -> tuple[list[Entrant], dict[str, str]]:
    memberships = {c.user_id: c.organisation for c in db.session.scalars(
        select(ContestCandidate).where(ContestCandidate.contest_id == round_.contest_id)
        .options(selectinload(ContestCandidate.organisation).selectinload(Organisation.parent)))}
    entrants, codes = [], {}
    rows = db.session.execute(select(RoundEntry, User).join(User, RoundEntry.user_id == User.id)
                              .where(RoundEntry.round_id == round_.id))
    for _entry, user in rows:
        organisation = memberships.get(user.id)
        group = group_of(organisation, round_.group_by)
        codes[group.name] = group.code
        entrants.append(Entrant(user.id, user.username, user.name, group.name,
                                direct=rules.enters_directly(organisation),
                                organisation=organisation.name if organisation else ""))
    return entrants, codes


def current_scores(round_: Round) -> dict[int, dict[str, list[Decimal]]]:
    """Every candidate's current raw scores per component: the latest entry per (candidate, component, judge)."""
    latest: dict[tuple[int, str, int | None], ScoreEntry] = {}
    for entry in db.session.scalars(select(ScoreEntry).where(ScoreEntry.round_id == round_.id)
                                    .order_by(ScoreEntry.entered_at, ScoreEntry.id)):
        latest[entry.user_id, entry.component, entry.judge_id] = entry
    scores: dict[int, dict[str, list[Decimal]]] = {}
    for (user_id, component, _judge), entry in latest.items():
        scores.setdefault(user_id, {}).setdefault(component, []).append(Decimal(entry.hundredths) / 100)
    add_exam_shares(scores, exam_shares(_marked_attempts(round_)))
    return scores


def _marked_attempts(round_: Round) -> list[tuple[int, float, float]]:
    """(candidate, score, paper's points) of every fully marked attempt of the round's sessions."""
    return [tuple(row) for row in db.session.execute(
        select(Attempt.user_id, Attempt.score, Attempt.max_score)
        .join(ExamSession, Attempt.session_id == ExamSession.id)
        .where(ExamSession.round_id == round_.id, Attempt.fully_marked.is_(True)))]
