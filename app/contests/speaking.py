"""出场顺序: the order a round's Party lectures are given in, typed by the organisers or drawn at random (随机抽签).

Judges' sheets and the score-sheet downloads list lecturers in this order. Changing it once a lecture has been scored
is allowed (a speaker taken ill goes last) but asked about first, and every change is in the round's audit trail.
"""
import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.contests.pages import PageRefused, listing_key, memberships, organisation_keys
from app.contests.sheets import judged_components
from app.domain.orders import OrderRefused, draw_order, parse_speaking_order
from app.extensions import db
from app.models import Organisation, Round, RoundEntry, RoundStatus, ScoreEntry, User, record


@dataclass
class Speaker:
    entry: RoundEntry
    organisation: Organisation | None

    @property
    def user(self) -> User:
        return self.entry.user

    @property
    def order(self) -> int | None:
        return self.entry.speaking_order


def speakers(round_: Round) -> list[Speaker]:
    """Who gives a lecture in the round (everyone but those who go on directly), in speaking order."""
    organisations = memberships(round_.contest)
    places = organisation_keys(round_.contest)
    entries = db.session.scalars(select(RoundEntry).where(RoundEntry.round_id == round_.id)
                                 .options(selectinload(RoundEntry.user)))
    found = [Speaker(entry, organisations.get(entry.user_id)) for entry in entries
             if not round_.rules.enters_directly(organisations.get(entry.user_id))]
    return sorted(found, key=lambda s: listing_key(s.order, s.organisation, s.user.name, places))


def lectures_scored(round_: Round) -> int:
    """How many lecture scores the round holds: changing the order after the first one is asked about."""
    names = judged_components(round_)
    if not names:
        return 0
    return db.session.scalar(select(func.count()).select_from(ScoreEntry).where(
        ScoreEntry.round_id == round_.id, ScoreEntry.component.in_(names)))


def check_orderable(round_: Round) -> None:
    if not judged_components(round_):
        raise PageRefused(f"{round_.title}没有党课评分，不需要出场顺序")
    if round_.status == RoundStatus.CLOSED:
        raise PageRefused(f"{round_.title}已结束，不能再改出场顺序")


def typed_order(round_: Round, typed: Sequence[tuple[str, str]]) -> dict[str, int]:
    """The numbers the organiser typed, checked against the round's lecturers; PageRefused says what is wrong."""
    check_orderable(round_)
    names = {s.user.username: s.user.name for s in speakers(round_)}
    try:
        return parse_speaking_order(typed, names)
    except OrderRefused as refused:
        raise PageRefused(str(refused)) from None


def drawn_order(round_: Round, rng: random.Random) -> dict[str, int]:
    check_orderable(round_)
    lecturers = [s.user.username for s in speakers(round_)]
    if not lecturers:
        raise PageRefused(f"{round_.title}还没有需要讲党课的考生")
    return draw_order(lecturers, rng)


def set_order(round_: Round, orders: dict[str, int], actor: User | None, *, channel: str, drawn: bool) -> bool:
    """Store the order, in the caller's transaction, and record it; False when it was already so."""
    current = speakers(round_)
    if all(s.order == orders.get(s.user.username) for s in current):
        return False
    for speaker in current:
        speaker.entry.speaking_order = orders[speaker.user.username]
    db.session.flush()
    record("round.speaking_order", round_.ref, actor=actor, channel=channel, drawn=drawn,
           order=[username for username, _ in sorted(orders.items(), key=lambda item: item[1])],
           scored=lectures_scored(round_))
    return True
