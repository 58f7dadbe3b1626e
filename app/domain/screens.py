"""The projector's screens (大屏分屏): a round's standings cut into screens that each fit, group by group, with the
awards and special awards (十佳党课) on screens of their own.

A screen is measured in lines of one height: the projector's style gives a group's heading, a table's header row and
a candidate's row the same height and sizes everything from the screen's height, so a screen holds the same number of
lines on any projector. A group too long for one screen is cut into parts of nearly equal length, each starting a
screen of its own; whatever fits whole shares the screen before it with blocks of its kind.
"""
from dataclasses import dataclass
from math import ceil


@dataclass(frozen=True)
class Block:
    """Something shown as one table: a group's rows, the awards, 十佳党课."""

    key: str
    rows: int
    titled: bool = True      # a heading line above the table (a round of one group needs none)
    alone: bool = False      # awards: never on a screen with the groups' tables

    @property
    def overhead(self) -> int:
        """The lines a part takes besides its rows: the heading, and the table's header row."""
        return int(self.titled) + 1


@dataclass(frozen=True)
class Part:
    """The rows [start, stop) of a block, its part `number` of `parts`."""

    block: Block
    start: int
    stop: int
    number: int
    parts: int

    @property
    def continued(self) -> bool:
        """Whether the block began on an earlier screen (its heading says 续)."""
        return self.number > 1

    @property
    def lines(self) -> int:
        return self.block.overhead + self.stop - self.start


def split(block: Block, lines: int) -> list[Part]:
    """The block in as few parts as fit `lines` each, of nearly equal length (17 rows in 13: 9 and 8, not 13 and 4)."""
    room = lines - block.overhead
    if room < 1:
        raise ValueError(f"a screen of {lines} lines holds no row of {block.key!r}")
    count = ceil(block.rows / room)
    size = ceil(block.rows / count) if count else 0
    return [Part(block, start, min(start + size, block.rows), number, count)
            for number, start in enumerate(range(0, block.rows, size or 1), start=1)]


def paginate(blocks: list[Block], lines: int) -> list[list[Part]]:
    """The screens, in the blocks' order: a block that needs several screens starts its own; a block that fits whole
    joins the screen before it when that screen has room and holds blocks of its kind (groups, or awards)."""
    screens: list[list[Part]] = []
    for block in blocks:
        for part in split(block, lines):
            last = screens[-1] if screens else None
            if last and part.parts == 1 and last[-1].block.alone == block.alone \
                    and sum(p.lines for p in last) + part.lines <= lines:
                last.append(part)
            else:
                screens.append([part])
    return screens
