"""The projector view's screens as its template draws them: panels of a group's rows (or a part of them), of the
awards and of each special award (十佳党课), cut by the paging rule of app/domain/screens.py."""
from dataclasses import dataclass

from app.contests.standings import RoundStandings
from app.domain.screens import Block, Part, paginate
from app.domain.standings import GroupTable, Row, Special

LINES = 15          # the lines a screen holds; projector.css makes the screen 32rem tall and a line 1.75rem
AWARDS = "获奖名单"


@dataclass(frozen=True)
class Panel:
    kind: str                    # group | awards | special
    title: str
    part: Part
    rows: list[Row]
    special: Special | None = None

    @property
    def heading(self) -> str:
        return f"{self.title}（续）" if self.part.continued else self.title


def screens(result: RoundStandings, groups: list[GroupTable], lines: int) -> list[list[Panel]]:
    """Every screen of the round: the groups in their order, complete rows by rank and then those still waiting for
    a score; then the awards by band, and each special award."""
    sources: list[tuple[str, str, list[Row], Special | None]] = [
        ("group", group.name, group.ranked + group.incomplete, None) for group in groups]
    bands = [award.title for award in result.rules.awards]
    awarded = [row for group in groups for row in group.ranked if row.award]
    if awarded:
        sources.append(("awards", AWARDS, sorted(awarded, key=lambda row: bands.index(row.award)), None))
    for special in result.rules.specials:
        winners = result.standings.specials.get(special.title, [])
        if winners:
            sources.append(("special", special.title, winners, special))
    blocks = [Block(title, len(rows), titled=kind != "group" or len(groups) > 1, alone=kind != "group")
              for kind, title, rows, _special in sources]
    source_of = {id(block): source for block, source in zip(blocks, sources, strict=True)}
    return [[_panel(source_of[id(part.block)], part) for part in screen] for screen in paginate(blocks, lines)]


def _panel(source: tuple[str, str, list[Row], Special | None], part: Part) -> Panel:
    kind, title, rows, special = source
    return Panel(kind, title, part, rows[part.start:part.stop], special)
