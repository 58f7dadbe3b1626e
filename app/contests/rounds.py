"""A round's life: found by CONTEST/ROUND, its standings published as numbered versions, closed with its final
version and its qualifiers entered into the next round.

Publishing and closing come in two steps — a plan that says what would happen (or why it cannot), and the act —
so that a page can show the plan for confirmation and the act then does exactly that.
"""
from dataclasses import dataclass

from sqlalchemy import select

from app.contests.versions import Draft, add_version, draft_of
from app.domain.standings import Entrant, settle
from app.errors import AppError
from app.extensions import db
from app.models import (
    Contest,
    Round,
    RoundEntry,
    RoundStatus,
    StandingsVersion,
    User,
    record,
    utcnow,
)


class RoundRefused(AppError):
    """A round that is not there, or cannot be published or closed as it stands."""

    status, code = 409, "round_refused"


def find_round(ref: str) -> Round:
    """'dabiwu-2022/semifinal' → the round; RoundRefused naming what is missing."""
    contest_slug, _, round_slug = ref.partition("/")
    round_ = db.session.scalar(select(Round).join(Contest)
                               .where(Contest.slug == contest_slug, Round.slug == round_slug))
    if round_ is None:
        raise RoundRefused(f"没有轮次 {ref!r}（格式：比赛标识/轮次标识，如 dabiwu-2022/semifinal）")
    return round_


def open_rounds() -> list[Round]:
    """Rounds a written session may still feed (not closed), contest by contest in their order."""
    return list(db.session.scalars(select(Round).join(Contest).where(Round.status != RoundStatus.CLOSED)
                                   .order_by(Contest.slug, Round.position)))


def publish_plan(round_: Round) -> Draft:
    """The draft publishing would freeze as the next version; RoundRefused when it shows nothing new.

    A round closed before versions existed has none: its first version may still be published (its final one).
    """
    draft = draft_of(round_)
    if round_.status == RoundStatus.CLOSED and draft.latest is not None:
        raise RoundRefused(f"{round_.title}已经结束，第 {draft.latest.number} 版是最终结果")
    if not draft.differs:
        raise RoundRefused(f"{round_.title}的排名与已公布的第 {draft.latest.number} 版相同，没有可公布的变化")
    return draft


def publish(round_: Round, draft: Draft, actor: User | None, channel: str = "web",
            final: bool = False) -> StandingsVersion:
    """Publish the planned draft as the round's next version: candidates and the projector now see it."""
    version = add_version(round_, draft, actor, channel, final)
    if round_.status == RoundStatus.DRAFT:
        round_.status = RoundStatus.PUBLISHED
    round_.published_at = version.published_at
    return version


def next_round(round_: Round) -> Round | None:
    return next((r for r in round_.contest.rounds if r.position > round_.position), None)


@dataclass
class ClosePlan:
    """What closing would do: the standings it decides by (ties settled), published as the final version when
    they differ from the latest one, and who goes on."""

    draft: Draft
    settled: set[str]
    following: Round | None

    @property
    def qualifiers(self) -> list[Entrant]:
        return [row.entrant for group in self.draft.result.standings.groups for row in group.ranked if row.advanced]

    @property
    def direct(self) -> list[Entrant]:
        return [row.entrant for row in self.draft.result.standings.direct]


def close_plan(round_: Round, settled: set[str] = frozenset()) -> ClosePlan:
    """Candidates tied across the advancement line go on only when named in `settled` (after a play-off, say);
    closing while such a tie is unsettled is refused."""
    if round_.status == RoundStatus.CLOSED:
        raise RoundRefused(f"{round_.title}已经结束")
    draft = draft_of(round_)
    standings = draft.result.standings
    tied = {row.entrant.username for group in standings.groups for row in group.ranked if row.tied_at_cut}
    unknown = settled - tied
    if unknown:
        raise RoundRefused(f"这些考生并非并列待定：{', '.join(sorted(unknown))}")
    if tied and not settled:
        raise RoundRefused(f"晋级线上有并列（{', '.join(sorted(tied))}），请先决定谁晋级")
    settle(standings, settled)
    return ClosePlan(draft, set(settled), next_round(round_))


def close(round_: Round, plan: ClosePlan, actor: User | None, channel: str = "web") -> StandingsVersion:
    """Close the round as planned: its standings published as the final version if they differ from the latest,
    its qualifiers and direct entries entered into the next round. Returns the final version."""
    version = publish(round_, plan.draft, actor, channel, final=True) if plan.draft.differs else plan.draft.latest
    if plan.following is not None:
        entered = {entry.user_id for entry in plan.following.entries}
        for entrant, via in [(e, "advanced") for e in plan.qualifiers] + [(e, "direct") for e in plan.direct]:
            if entrant.user_id not in entered:
                db.session.add(RoundEntry(round_id=plan.following.id, user_id=entrant.user_id, via=via))
    round_.status, round_.closed_at = RoundStatus.CLOSED, utcnow()
    record("round.closed", round_.ref, actor=actor, channel=channel, version=version.number,
           qualifiers=[e.username for e in plan.qualifiers + plan.direct], settled=sorted(plan.settled),
           next_round=plan.following.slug if plan.following else None)
    return version
