"""A round's life: found by CONTEST/ROUND, published to candidates, closed with its qualifiers entered next."""
from sqlalchemy import select

from app.contests.standings import round_standings
from app.extensions import db
from app.models import Contest, Round, RoundEntry, RoundStatus, User, record, utcnow


class RoundRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def find_round(ref: str) -> Round:
    """'dabiwu-2022/semifinal' → the round; RoundRefused naming what is missing."""
    contest_slug, _, round_slug = ref.partition("/")
    round_ = db.session.scalar(select(Round).join(Contest).where(Contest.slug == contest_slug, Round.slug == round_slug))
    if round_ is None:
        raise RoundRefused(f"没有轮次 {ref!r}（格式：比赛标识/轮次标识，如 dabiwu-2022/semifinal）")
    return round_


def publish(round_: Round, actor: User | None, channel: str = "web") -> None:
    if round_.status != RoundStatus.DRAFT:
        raise RoundRefused(f"{round_.title}{RoundStatus(round_.status).label}")
    round_.status, round_.published_at = RoundStatus.PUBLISHED, utcnow()
    record("round.published", round_.ref, actor=actor, channel=channel)


def next_round(round_: Round) -> Round | None:
    return next((r for r in round_.contest.rounds if r.position > round_.position), None)


def close(round_: Round, actor: User | None, settled: set[str] = frozenset(), channel: str = "web") -> list[str]:
    """Close the round and enter its qualifiers (and direct entries) into the next round.

    Candidates tied across the advancement line go on only when named in `settled` (after a play-off, say);
    closing while such a tie is unsettled is refused. Returns the usernames entered next.
    """
    if round_.status == RoundStatus.CLOSED:
        raise RoundRefused(f"{round_.title}已经结束")
    table = round_standings(round_).standings
    tied = {row.entrant.username for group in table.groups for row in group.ranked if row.tied_at_cut}
    unknown = settled - tied
    if unknown:
        raise RoundRefused(f"这些考生并非并列待定：{', '.join(sorted(unknown))}")
    if tied and not settled:
        raise RoundRefused(f"晋级线上有并列（{', '.join(sorted(tied))}），请先决定谁晋级")
    qualifiers = [(row.entrant, "advanced") for g in table.groups for row in g.ranked
                  if row.advanced or row.entrant.username in settled]
    qualifiers += [(row.entrant, "direct") for row in table.direct]
    following = next_round(round_)
    if following is not None:
        entered = {entry.user_id for entry in following.entries}
        for entrant, via in qualifiers:
            if entrant.user_id not in entered:
                db.session.add(RoundEntry(round_id=following.id, user_id=entrant.user_id, via=via))
    round_.status, round_.closed_at = RoundStatus.CLOSED, utcnow()
    names = [entrant.username for entrant, _ in qualifiers]
    record("round.closed", round_.ref, actor=actor, channel=channel, qualifiers=names, settled=sorted(settled),
           next_round=following.slug if following else None)
    return names
