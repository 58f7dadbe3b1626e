"""Practice rules (百日练兵): choosing drill questions, the daily set, streaks and the wrong-question book.

Drills use drillable types only (app/domain/questions): a practising cadre gets right or wrong at once, which a
judge-marked item cannot give.
"""
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from app.domain.papers import shuffled_away
from app.domain.questions import QUESTION_TYPES

DRILL_TYPES = tuple(kind.name for kind in QUESTION_TYPES if kind.drillable)
MODES = ("filtered", "unseen", "weakest", "book")


@dataclass(frozen=True)
class PracticeItem:
    """A question that may be drilled."""

    ref: str
    bank: str
    category: str
    type: str
    difficulty: int
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DrillFilter:
    mode: str = "filtered"
    banks: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    difficulty: tuple[int, int] = (1, 5)
    count: int = 10

    def matches(self, item: PracticeItem) -> bool:
        low, high = self.difficulty
        return (item.type in (self.types or DRILL_TYPES)
                and (not self.banks or item.bank in self.banks)
                and (not self.categories or item.category in self.categories)
                and (not self.tags or bool(item.tags & set(self.tags)))
                and low <= item.difficulty <= high)


def choose_drill(pool: list[PracticeItem], wanted: DrillFilter, *, seen: set[str], book: set[str],
                 weakest_category: str | None, seed: int) -> list[str]:
    """The refs of one drill, in the order they will be asked."""
    candidates = [item for item in sorted(pool, key=lambda i: i.ref) if wanted.matches(item)]
    if wanted.mode == "unseen":
        candidates = [item for item in candidates if item.ref not in seen]
    elif wanted.mode == "weakest":
        candidates = [item for item in candidates if item.category == weakest_category]
    elif wanted.mode == "book":
        candidates = [item for item in candidates if item.ref in book]
    rng = random.Random(seed)
    return [item.ref for item in rng.sample(candidates, min(wanted.count, len(candidates)))]


def weakest(tallies: dict[str, tuple[int, int]], categories: list[str]) -> str | None:
    """The category with the lowest share right; one never practised counts as weakest of all."""
    if not categories:
        return None
    def share(category: str) -> float:
        right, answered = tallies.get(category, (0, 0))
        return right / answered if answered else -1.0
    return min(sorted(categories), key=share)


def daily_refs(pool: list[PracticeItem], day: date, mix: dict[str, int]) -> list[str]:
    """每日一练: the same questions for everyone on one day, `mix` saying how many from each category."""
    rng = random.Random(day.toordinal())
    chosen: list[str] = []
    for category, count in sorted(mix.items()):
        candidates = sorted(item.ref for item in pool if item.category == category and item.type in DRILL_TYPES)
        chosen += rng.sample(candidates, min(count, len(candidates)))
    rng.shuffle(chosen)
    return chosen


def streak(days: set[date], today: date) -> int:
    """Consecutive days practised up to today; a streak is still alive on a day not yet practised."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class BookEntry:
    """A question's place in one person's wrong-question book (错题本)."""

    misses: int = 0
    right_in_row: int = 0
    last_missed_at: datetime | None = None
    active: bool = False


def after_answer(entry: BookEntry, correct: bool, at: datetime, leave_after: int) -> BookEntry:
    """A wrong answer puts the question in (again); `leave_after` right answers in a row take it out."""
    if not correct:
        return BookEntry(entry.misses + 1, 0, at, True)
    if not entry.active:
        return entry
    right = entry.right_in_row + 1
    return replace(entry, right_in_row=right, active=right < leave_after)


def drill_order(letters: tuple[str, ...], key: list[str], drill_id: int, question_id: int) -> tuple[str, ...]:
    """The bank letters of an always-shuffled item (an ordering, a matching) in the order a drill shows them, shown as
    A, B, …, away from the bank's order and its key: fixed for the drill and question, so a reload or a resent form
    shows and reads the same order."""
    return tuple(shuffled_away(list(letters), random.Random(f"drill {drill_id} question {question_id}"), key))
