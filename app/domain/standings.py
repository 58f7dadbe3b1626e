"""Round standings (排名/积分榜, DESIGN §2): a round's rules, who ranks in which group, judges' scores combined,
the written share of an exam, weighted totals, ranks, advancement, awards.

Everything is recomputed from raw scores. Component scores and totals are rounded to hundredths (half up)
before ranking, so what the table shows is what ranks: two totals shown alike are a tie.
"""
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from app.domain.scores import hundredths, share_of

WRITTEN = "written"          # the component a paper or an exam feeds; judges score every other one
ALL_GROUPS = "*"             # a judge given every group; also the code of a round's one group when it groups all
EVERYONE = "全体"
UNGROUPED = "（未分组）"


@dataclass(frozen=True)
class Component:
    """One scored part of a round (written test, Party lecture…), on its own 100-point scale."""

    name: str
    weight: Decimal
    trim: int = 1            # judges' scores: drop this many highest and lowest, when enough judges

    @property
    def judged(self) -> bool:
        return self.name != WRITTEN

    @property
    def trim_note(self) -> str:
        """How judges' scores combine, as the standings and the judges' sheet say it."""
        if self.trim == 0:
            return "各评委评分取平均"
        return (f"评委满 {min_judges_to_trim(self.trim)} 人时去掉 {self.trim} 个最高分和 {self.trim} 个最低分后取平均，"
                "不足时取平均")

    @property
    def trim_brief(self) -> str:
        """The same in a few words, beside the weight on the contest page."""
        return f"评委满 {min_judges_to_trim(self.trim)} 人去掉最高最低各 {self.trim}"

    def note(self, combined: "Combined | None") -> str:
        """How one candidate's score was reached: '5 位评委，去掉最高最低各 1' or '3 位评委，不足 5 人取平均'."""
        if combined is None or combined.count == 1:
            return ""
        if combined.trimmed:
            return f"{combined.count} 位评委，去掉最高最低各 {combined.trimmed}"
        if self.trim:
            return f"{combined.count} 位评委，不足 {min_judges_to_trim(self.trim)} 人取平均"
        return f"{combined.count} 位评委，取平均"


@dataclass(frozen=True)
class Award:
    title: str
    top: int                 # how many places this band adds after the bands before it


@dataclass(frozen=True)
class Special:
    """An award on one component alone, whatever the total: 十佳党课 is the ten best lectures."""

    title: str
    component: str
    top: int


class Member(Protocol):
    """An organisation as far as grouping needs it (app.models.Organisation is one)."""

    code: str
    name: str
    type: str
    parent: "Member | None"


@dataclass(frozen=True)
class RoundRules:
    """A round's rules, typed; `from_document` is the one reader of the JSON a round (and a version) stores."""

    components: tuple[Component, ...]
    tie_break: tuple[str, ...] = ()
    advance_top: int | None = None
    awards: tuple[Award, ...] = ()
    specials: tuple[Special, ...] = ()
    skip: tuple[str, ...] = ()   # organisation types whose candidates go on without being ranked here (直接晋级)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "RoundRules":
        return cls(
            components=tuple(Component(c["name"], Decimal(c["weight"]), c["trim"]) for c in document["components"]),
            tie_break=tuple(document["tie_break"]), advance_top=document["advance_top"],
            awards=tuple(Award(a["title"], a["top"]) for a in document["awards"]),
            specials=tuple(Special(s["title"], s["component"], s["top"]) for s in document["specials"]),
            skip=tuple(document["skip"]),
        )

    def document(self) -> dict[str, Any]:
        """The rules as stored: weights as strings so they stay exact, keys in the order published versions keep."""
        return {
            "components": [{"name": c.name, "weight": str(c.weight), "trim": c.trim} for c in self.components],
            "tie_break": list(self.tie_break), "advance_top": self.advance_top, "skip": list(self.skip),
            "awards": [{"title": a.title, "top": a.top} for a in self.awards],
            "specials": [{"title": s.title, "component": s.component, "top": s.top} for s in self.specials],
        }

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    @property
    def judged(self) -> list[Component]:
        return [c for c in self.components if c.judged]

    @property
    def advancing(self) -> bool:
        """Whether anyone goes on from the round (nobody does from a final)."""
        return self.advance_top is not None

    def component(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)

    def enters_directly(self, organisation: Member | None) -> bool:
        return organisation is not None and organisation.type in self.skip


@dataclass(frozen=True)
class Group:
    """The group a candidate ranks in, and a judge scores by: an organisation, or everyone together."""

    code: str                # the grouping organisation's code, or ALL_GROUPS
    name: str

    def scored_by(self, codes: Collection[str]) -> bool:
        """Whether a judge given these group codes scores this group."""
        return ALL_GROUPS in codes or self.code in codes


def group_of(organisation: Member | None, group_by: str) -> Group:
    """The organisation itself or its nearest ancestor of the round's grouping type; everyone when the round groups
    all, and a group of its own for a candidate with no such ancestor."""
    if group_by == "all":
        return Group(ALL_GROUPS, EVERYONE)
    while organisation is not None and organisation.type != group_by:
        organisation = organisation.parent
    return Group(organisation.code, organisation.name) if organisation else Group(ALL_GROUPS, UNGROUPED)


@dataclass(frozen=True)
class Entrant:
    user_id: int
    username: str
    name: str
    group: str               # the group this round ranks them in (committee, liaison group, or everyone)
    direct: bool = False     # enters the next round without being ranked here (直接晋级)
    organisation: str = ""   # the name of the organisation they compete for, as the tables show it


@dataclass(frozen=True)
class Combined:
    """A component's score for one candidate, and how it was reached."""

    value: Decimal
    count: int               # how many scores went in (judges, or 1)
    trimmed: int             # how many were dropped at each end

    @property
    def plain_mean(self) -> bool:
        return self.count > 1 and self.trimmed == 0


def min_judges_to_trim(trim: int) -> int:
    """Trimming k from each end needs enough judges that at least three scores remain (k=1: five judges)."""
    return 2 * trim + 3


def combine(scores: list[Decimal], trim: int) -> Combined:
    """A single score stands; several judges' scores combine by trimmed mean, or a plain mean if too few."""
    ordered = sorted(scores)
    dropped = trim if trim > 0 and len(ordered) >= min_judges_to_trim(trim) else 0
    kept = ordered[dropped:len(ordered) - dropped]
    return Combined(hundredths(sum(kept, Decimal(0)) / len(kept)), len(ordered), dropped)


def exam_shares(marks: Iterable[tuple[int, float, float]]) -> dict[int, Decimal]:
    """The written score exams give each candidate, from (user id, score, paper's points) of marked attempts: the
    share of the paper on 100, the best if several; a paper worth no points gives none."""
    best: dict[int, Decimal] = {}
    for user_id, score, out_of in marks:
        if not out_of:
            continue
        best[user_id] = max(share_of(score, out_of), best.get(user_id, Decimal(0)))
    return best


def add_exam_shares(scores: dict[int, dict[str, list[Decimal]]], shares: dict[int, Decimal]) -> None:
    """Exam shares as the written component, where no written score was entered: an entered one takes precedence."""
    for user_id, value in shares.items():
        scores.setdefault(user_id, {}).setdefault(WRITTEN, [value])


@dataclass
class Row:
    entrant: Entrant
    components: dict[str, Combined | None]
    total: Decimal | None = None
    rank: int | None = None
    advanced: bool = False
    tied_at_cut: bool = False          # tied across the advancement line: the organisers settle it
    award: str | None = None

    @property
    def complete(self) -> bool:
        return self.total is not None

    def sort_key(self, tie_break: tuple[str, ...]) -> tuple[Decimal, ...]:
        extra = [self.components[name].value if self.components.get(name) else Decimal(-1) for name in tie_break]
        return (self.total, *extra)


@dataclass
class GroupTable:
    name: str
    ranked: list[Row] = field(default_factory=list)
    incomplete: list[Row] = field(default_factory=list)


@dataclass
class Standings:
    groups: list[GroupTable]
    direct: list[Row]
    specials: dict[str, list[Row]]


def compute(rules: RoundRules, entrants: list[Entrant], scores: dict[int, dict[str, list[Decimal]]]) -> Standings:
    """Standings of one round: `scores[user_id][component]` holds the raw scores (one, or one per judge)."""
    rows = [_row(rules, entrant, scores.get(entrant.user_id, {})) for entrant in entrants]
    direct = sorted((row for row in rows if row.entrant.direct), key=lambda r: (r.entrant.group, r.entrant.username))
    for row in direct:
        row.advanced = True
    groups: dict[str, GroupTable] = {}
    for row in rows:
        if row.entrant.direct:
            continue
        table = groups.setdefault(row.entrant.group, GroupTable(row.entrant.group))
        (table.ranked if row.complete else table.incomplete).append(row)
    for table in groups.values():
        _rank(table.ranked, rules.tie_break)
        table.incomplete.sort(key=lambda r: r.entrant.username)
        if rules.advance_top is not None:
            _advance(table.ranked, rules.advance_top)
        _award(table.ranked, rules.awards)
    specials = {special.title: _special(rows, special) for special in rules.specials}
    return Standings(sorted(groups.values(), key=lambda t: t.name), direct, specials)


def _row(rules: RoundRules, entrant: Entrant, raw: dict[str, list[Decimal]]) -> Row:
    components = {c.name: combine(raw[c.name], c.trim) if raw.get(c.name) else None for c in rules.components}
    row = Row(entrant, components)
    if all(components.values()):
        row.total = hundredths(sum((c.weight * components[c.name].value for c in rules.components), Decimal(0)))
    return row


def outcome(row: Row, advancing: bool = True) -> str:
    """yes / no / tie (across the line, to settle) / incomplete / direct, or empty in a round nobody advances
    from (the final)."""
    if row.entrant.direct:
        return "direct"
    if not row.complete:
        return "incomplete"
    if not advancing:
        return ""
    if row.tied_at_cut:
        return "tie"
    return "yes" if row.advanced else "no"


def settle(standings: Standings, going_on: set[str]) -> None:
    """The organisers' decision on a tie across the line (after a play-off, say): of the tied, those named in
    `going_on` advance and the others do not. Ranks stay shared; only who goes on is decided."""
    for group in standings.groups:
        for row in group.ranked:
            if row.tied_at_cut:
                row.tied_at_cut, row.advanced = False, row.entrant.username in going_on


def _rank(rows: list[Row], tie_break: tuple[str, ...]) -> None:
    """Competition ranking (1, 2, 2, 4): equal total and equal tie-breaks share a rank."""
    rows.sort(key=lambda r: (tuple(-v for v in r.sort_key(tie_break)), r.entrant.username))
    for index, row in enumerate(rows):
        same = index > 0 and rows[index - 1].sort_key(tie_break) == row.sort_key(tie_break)
        row.rank = rows[index - 1].rank if same else index + 1


def _advance(rows: list[Row], places: int) -> None:
    """Top N go on. A shared rank that straddles the line is flagged, not broken at random."""
    for row in rows:
        if row.rank > places:
            continue
        tied = [other for other in rows if other.rank == row.rank]
        if row.rank + len(tied) - 1 > places:
            row.tied_at_cut = True
        else:
            row.advanced = True


def _award(rows: list[Row], awards: tuple[Award, ...]) -> None:
    """Bands by rank: with 一等奖 top 2 and 二等奖 top 3, ranks 1–2 get the first, 3–5 the second."""
    limit = 0
    bands = []
    for award in awards:
        limit += award.top
        bands.append((limit, award.title))
    for row in rows:
        row.award = next((title for limit, title in bands if row.rank <= limit), None)


def _special(rows: list[Row], special: Special) -> list[Row]:
    """The best N on one component, ties at the last place included."""
    scored = sorted((r for r in rows if r.components.get(special.component)),
                    key=lambda r: (-r.components[special.component].value, r.entrant.username))
    if len(scored) <= special.top:
        return scored
    cutoff = scored[special.top - 1].components[special.component].value
    return [r for r in scored if r.components[special.component].value >= cutoff]
