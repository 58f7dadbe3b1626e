"""Published standings versions (DESIGN §2): standings frozen to JSON and read back unchanged, and what changed for
whom between two of them (version N-1 → N, or the latest version → the draft)."""
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from app.domain.standings import Combined, Entrant, GroupTable, Row, Standings, outcome

# -- standings as JSON ---------------------------------------------------------------------------------------------

def freeze(standings: Standings) -> dict[str, Any]:
    """The standings as plain JSON: decimals as text, each special award as the ids of the rows that won it."""
    return {
        "groups": [{"name": group.name, "ranked": [_frozen(row) for row in group.ranked],
                    "incomplete": [_frozen(row) for row in group.incomplete]} for group in standings.groups],
        "direct": [_frozen(row) for row in standings.direct],
        "specials": {title: [row.entrant.user_id for row in rows] for title, rows in standings.specials.items()},
    }


def thaw(document: dict[str, Any]) -> Standings:
    """`freeze` undone: the same rows, shared between a group table and the special awards they won."""
    groups = [GroupTable(group["name"], [_thawed(row) for row in group["ranked"]],
                         [_thawed(row) for row in group["incomplete"]]) for group in document["groups"]]
    direct = [_thawed(row) for row in document["direct"]]
    rows = {row.entrant.user_id: row for row in direct}
    rows.update((row.entrant.user_id, row) for group in groups for row in group.ranked + group.incomplete)
    specials = {title: [rows[user_id] for user_id in ids] for title, ids in document["specials"].items()}
    return Standings(groups, direct, specials)


def _frozen(row: Row) -> dict[str, Any]:
    entrant = row.entrant
    return {
        "user_id": entrant.user_id, "username": entrant.username, "name": entrant.name, "group": entrant.group,
        "direct": entrant.direct, "organisation": entrant.organisation,
        "components": {name: None if combined is None else
                       {"value": str(combined.value), "count": combined.count, "trimmed": combined.trimmed}
                       for name, combined in row.components.items()},
        "total": _text(row.total), "rank": row.rank, "advanced": row.advanced, "tied_at_cut": row.tied_at_cut,
        "award": row.award,
    }


def _thawed(row: dict[str, Any]) -> Row:
    entrant = Entrant(row["user_id"], row["username"], row["name"], row["group"], row["direct"], row["organisation"])
    components = {name: None if c is None else Combined(Decimal(c["value"]), c["count"], c["trimmed"])
                  for name, c in row["components"].items()}
    total = Decimal(row["total"]) if row["total"] is not None else None
    return Row(entrant, components, total, row["rank"], row["advanced"], row["tied_at_cut"], row["award"])


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# -- what changed between two standings ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """Where one entrant stands in one version, in the terms a change is told in."""

    group: str
    rank: int | None
    total: str | None
    outcome: str                          # yes | no | tie | incomplete | direct, or '' where nobody advances
    award: str | None
    components: dict[str, str | None]     # component → value as shown
    specials: tuple[str, ...] = ()        # the special awards (十佳党课) they are in


@dataclass(frozen=True)
class Change:
    """One entrant whose standing differs between two versions; `before` or `after` is None when they were added
    to the round or left it."""

    username: str
    name: str
    before: Place | None
    after: Place | None

    @property
    def moved(self) -> bool:
        """Their place changed: another rank or group, or into or out of the ranking."""
        if self.before is None or self.after is None:
            return True
        return (self.before.group, self.before.rank) != (self.after.group, self.after.rank)

    @property
    def decided(self) -> bool:
        """What they win changed: advancement, an award or a special award."""
        if self.before is None or self.after is None:
            return True
        return (self.before.outcome, self.before.award, self.before.specials) != \
            (self.after.outcome, self.after.award, self.after.specials)

    def differences(self) -> list[tuple[str, Any, Any]]:
        """(what, before, after) for each shown value that differs: rank, total, outcome, award, then
        `component:NAME` and `special:TITLE`."""
        if self.before is None or self.after is None:
            return []
        found = [(what, getattr(self.before, what), getattr(self.after, what))
                 for what in ("group", "rank", "total", "outcome", "award")]
        names = list(dict.fromkeys([*self.before.components, *self.after.components]))
        found += [(f"component:{name}", self.before.components.get(name), self.after.components.get(name))
                  for name in names]
        titles = list(dict.fromkeys([*self.before.specials, *self.after.specials]))
        found += [(f"special:{title}", title in self.before.specials, title in self.after.specials) for title in titles]
        return [(what, old, new) for what, old, new in found if old != new]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "Change":
        return cls(document["username"], document["name"], _place(document["before"]), _place(document["after"]))


def _place(document: dict[str, Any] | None) -> Place | None:
    if document is None:
        return None
    return Place(**{**document, "specials": tuple(document["specials"])})


def compare(before: Standings, after: Standings, advancing: bool) -> list[Change]:
    """Everyone whose shown standing differs, in the order of the later standings (those who left, last).
    `advancing`: whether anyone goes on from the round (not in a final)."""
    old, new = places(before, advancing), places(after, advancing)
    changes = []
    for username in old.keys() | new.keys():
        (name, was), (later_name, now) = old.get(username, (None, None)), new.get(username, (None, None))
        if was != now:
            changes.append(Change(username, later_name or name, was, now))
    return sorted(changes, key=_order)


def places(standings: Standings, advancing: bool) -> dict[str, tuple[str, Place]]:
    """username → (name, Place) for every row of the standings."""
    specials: dict[int, list[str]] = {}
    for title, rows in standings.specials.items():
        for row in rows:
            specials.setdefault(row.entrant.user_id, []).append(title)
    rows = [row for group in standings.groups for row in group.ranked + group.incomplete] + standings.direct
    return {row.entrant.username: (row.entrant.name, Place(
        row.entrant.group, row.rank, _text(row.total), outcome(row, advancing), row.award,
        {name: _text(c.value) if c else None for name, c in row.components.items()},
        tuple(specials.get(row.entrant.user_id, ())))) for row in rows}


def _order(change: Change) -> tuple:
    place = change.after or change.before
    return change.after is None, place.group, place.rank is None, place.rank or 0, change.username


def moved_count(changes: list[Change]) -> int:
    return sum(1 for change in changes if change.moved)


def decided_count(changes: list[Change]) -> int:
    return sum(1 for change in changes if change.decided)
