"""The orders people read lists in: organisations as the contest file lists them (tree order), names by pinyin, and a
round's speaking order (出场顺序) as organisers type or draw it."""
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def pinyin_key(name: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Sorts Chinese names the way a printed roster does (李四 before 张明): by the syllables, then by their tones, and
    the name itself settles names that read alike. pypinyin is imported by the first sort, not at start-up: its import
    reads its dictionaries, a quarter of a second that every command and worker would pay."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, errors="default")
    tones = tuple(syllable[-1] if syllable[-1:].isdigit() else "0"
                  for syllable in lazy_pinyin(name, style=Style.TONE3, errors="default"))
    return tuple(syllables), tones, name


@dataclass(frozen=True)
class Placed:
    """An organisation as the tree needs it: its id, its parent's, and where the contest file lists it."""

    id: int
    parent_id: int | None
    position: int


def tree_keys(organisations: Iterable[Placed]) -> dict[int, tuple[int, ...]]:
    """Each organisation's path of positions from its root: sorting by it lists a liaison group, then everything under
    it, each level in the file's order. A parent outside the list makes its child a root."""
    known = {o.id: o for o in organisations}
    keys: dict[int, tuple[int, ...]] = {}

    def key(organisation: Placed, seen: frozenset[int]) -> tuple[int, ...]:
        if organisation.id not in keys:
            parent = known.get(organisation.parent_id) if organisation.parent_id not in seen else None
            above = key(parent, seen | {organisation.id}) if parent else ()
            keys[organisation.id] = (*above, organisation.position)
        return keys[organisation.id]

    for organisation in known.values():
        key(organisation, frozenset())
    return keys


class OrderRefused(ValueError):
    """A speaking order that cannot be kept; the message says why, for the organiser."""


def parse_speaking_order(typed: Sequence[tuple[str, str]], names: dict[str, str]) -> dict[str, int]:
    """Numbers typed against each entrant: every entrant once, each a whole number from 1 to n, none repeated."""
    n = len(names)
    _same_people(typed, names)
    orders: dict[str, int] = {}
    for who, text in typed:
        text = (text or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= n:
            raise OrderRefused(f"{names[who]}的出场顺序应是 1 到 {n} 之间的整数，而不是“{text}”" if text
                               else f"请填写{names[who]}的出场顺序（1 到 {n}）")
        orders[who] = int(text)
    by_number: dict[int, list[str]] = {}
    for who, number in orders.items():
        by_number.setdefault(number, []).append(names[who])
    repeated = [f"第 {number} 位：{'、'.join(people)}" for number, people in sorted(by_number.items())
                if len(people) > 1]
    if repeated:
        raise OrderRefused(f"出场顺序不能重复（{'；'.join(repeated)}）")
    return orders


def _same_people(typed: Sequence[tuple[str, str]], names: dict[str, str]) -> None:
    seen = [who for who, _ in typed]
    unknown = sorted({who for who in seen if who not in names})
    twice = sorted({who for who in seen if seen.count(who) > 1})
    missing = [name for who, name in names.items() if who not in seen]
    if unknown:
        raise OrderRefused(f"不是本轮讲党课的考生：{'、'.join(unknown)}")
    if twice:
        raise OrderRefused(f"重复列出：{'、'.join(names[who] for who in twice)}")
    if missing:
        raise OrderRefused(f"缺少{'、'.join(missing)}的出场顺序")


ORDER_COLUMNS = {"username": "username", "账号": "username", "order": "order", "出场顺序": "order"}


def read_order_csv(rows: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """A speaking order from a sheet's rows: a header naming `username` and `order` (or 账号 and 出场顺序), other
    columns ignored; blank lines skipped."""
    header = [ORDER_COLUMNS.get(cell.strip().lstrip("\ufeff")) for cell in rows[0]] if rows else []
    if "username" not in header or "order" not in header:
        raise OrderRefused("表头应有 username,order（或 账号,出场顺序）两列")
    who, number = header.index("username"), header.index("order")
    width = max(who, number) + 1
    return [(row[who].strip(), row[number]) for row in rows[1:]
            if any(cell.strip() for cell in row) and len(row) >= width]


def draw_order(entrants: Sequence[str], rng: random.Random) -> dict[str, int]:
    """随机抽签: a shuffle of 1..n over the entrants."""
    numbers = list(range(1, len(entrants) + 1))
    rng.shuffle(numbers)
    return dict(zip(entrants, numbers, strict=True))
