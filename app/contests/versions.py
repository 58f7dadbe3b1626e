"""Published standings versions (DESIGN §2): publishing freezes the draft — the standings computed from the raw
scores now — as the round's next numbered version, with who moved since the one before. Versions are only ever
added, never rewritten; candidates, the projector and downloads read them, organisers and judges also the draft."""
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from app.contests.standings import Heading, RoundStandings, round_standings
from app.domain.standings import RoundRules
from app.domain.versions import (
    Change,
    compare,
    decided_count,
    freeze,
    moved_count,
    thaw,
)
from app.extensions import db
from app.models import Round, StandingsVersion, User, record, utcnow

# The snapshot's key for the heading (titles, grouping, demo). It is left out when a draft is compared with a version:
# versions published before it was kept have none, and a draft that only retitles the round is not new standings
# (regrouping the candidates shows in the groups themselves).
_HEADING = "heading"


def latest_version(round_: Round) -> StandingsVersion | None:
    return db.session.scalar(select(StandingsVersion).where(StandingsVersion.round_id == round_.id)
                             .order_by(StandingsVersion.number.desc()).limit(1))


def find_version(round_: Round, number: int) -> StandingsVersion | None:
    return db.session.scalar(select(StandingsVersion).where(StandingsVersion.round_id == round_.id,
                                                            StandingsVersion.number == number))


def version_list(round_: Round) -> list[StandingsVersion]:
    """The round's versions, newest first, without their snapshots: enough for a list of links."""
    return list(db.session.scalars(
        select(StandingsVersion).where(StandingsVersion.round_id == round_.id)
        .options(defer(StandingsVersion.snapshot), defer(StandingsVersion.changes),
                 selectinload(StandingsVersion.published_by))
        .order_by(StandingsVersion.number.desc())))


def latest_numbers(rounds: list[Round]) -> dict[int, int]:
    """Round id → the number of its latest version, for the rounds that have one."""
    return dict(db.session.execute(
        select(StandingsVersion.round_id, func.max(StandingsVersion.number))
        .where(StandingsVersion.round_id.in_([r.id for r in rounds])).group_by(StandingsVersion.round_id)).all())


def version_standings(version: StandingsVersion) -> RoundStandings:
    """A version read back into the shape the draft has, so every page and download shows either alike."""
    snapshot = version.snapshot
    return RoundStandings(version.round, thaw(snapshot), snapshot["group_codes"],
                          RoundRules.from_document(snapshot["rules"]), _heading(version), version)


def _heading(version: StandingsVersion) -> Heading:
    """The heading the version was published under; a version published before headings were kept has none, and
    shows the round's as it is now (what it showed until then)."""
    stored = version.snapshot.get(_HEADING)
    return Heading.from_document(stored) if stored is not None else Heading.of(version.round)


def version_changes(version: StandingsVersion) -> list[Change]:
    """Who moved in this version since the one before (none in the first)."""
    return [Change.from_json(change) for change in version.changes]


def snapshot_of(result: RoundStandings) -> dict[str, Any]:
    """Everything a version shows — its heading, the rules it was computed under, the group codes, every row — as the
    JSON that is stored, so a draft and a stored version compare equal (`_compared`) exactly when their standings
    are the same."""
    document = {_HEADING: result.heading.document(), "rules": result.rules.document(),
                "group_codes": result.group_codes, **freeze(result.standings)}
    return json.loads(json.dumps(document, ensure_ascii=False))


def _compared(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The part of a snapshot that says whether two are the same standings: all of it but the heading."""
    return {key: value for key, value in snapshot.items() if key != _HEADING}


@dataclass
class Draft:
    """The standings publishing now would freeze, beside the latest version."""

    result: RoundStandings
    latest: StandingsVersion | None

    @cached_property
    def snapshot(self) -> dict[str, Any]:
        return snapshot_of(self.result)

    @property
    def number(self) -> int:
        """The number publishing would give it."""
        return self.latest.number + 1 if self.latest else 1

    @property
    def differs(self) -> bool:
        return self.latest is None or _compared(self.snapshot) != _compared(self.latest.snapshot)

    @cached_property
    def changes(self) -> list[Change]:
        """Who moved since the latest version (nobody before the first)."""
        if self.latest is None:
            return []
        return compare(version_standings(self.latest).standings, self.result.standings, self.result.advancing)

    @property
    def moved(self) -> int:
        return moved_count(self.changes)

    @property
    def decided(self) -> int:
        return decided_count(self.changes)

    @cached_property
    def digest(self) -> str:
        """A fingerprint of the snapshot. A confirmation dialog carries it, so what is published is what the
        organiser confirmed, not what a judge's score changed in between."""
        text = json.dumps(self.snapshot, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def draft_of(round_: Round) -> Draft:
    return Draft(round_standings(round_), latest_version(round_))


def add_version(round_: Round, draft: Draft, actor: User | None, channel: str, final: bool = False) -> StandingsVersion:
    """Freeze the draft as the round's next version, in the caller's transaction (which holds the round)."""
    version = StandingsVersion(round=round_, number=draft.number, published_at=utcnow(), published_by=actor,
                               channel=channel, snapshot=draft.snapshot,
                               changes=[change.as_json() for change in draft.changes])
    db.session.add(version)
    record("round.published", round_.ref, actor=actor, channel=channel, version=version.number, moved=draft.moved,
           decided=draft.decided, final=final)
    return version
