"""Practice rules worked by hand: drill choice, the daily set, streaks, the wrong-question book."""
from datetime import UTC, date, datetime

from app.domain.practice import (
    BookEntry,
    DrillFilter,
    PracticeItem,
    after_answer,
    choose_drill,
    daily_refs,
    streak,
    weakest,
)

POOL = [PracticeItem(f"theory/T{n}", "theory", "theory", "single", n % 5 + 1, frozenset({"党章"} if n % 2 else set()))
        for n in range(10)]
POOL += [PracticeItem(f"policy/P{n}", "policy", "policy", "judge", 3) for n in range(6)]
POOL += [PracticeItem("policy/S1", "policy", "policy", "short", 3)]


def test_filters_combine_and_short_items_are_never_drilled():
    refs = choose_drill(POOL, DrillFilter(tags=("党章",), difficulty=(2, 4), count=50), seen=set(), book=set(),
                        weakest_category=None, seed=1)
    assert sorted(refs) == ["theory/T1", "theory/T3", "theory/T7"]
    everything = choose_drill(POOL, DrillFilter(count=100), seen=set(), book=set(), weakest_category=None, seed=1)
    assert "policy/S1" not in everything and len(everything) == 16


def test_unseen_weakest_and_book_modes():
    seen = {f"theory/T{n}" for n in range(9)}
    assert choose_drill(POOL, DrillFilter(mode="unseen", categories=("theory",)), seen=seen, book=set(),
                        weakest_category=None, seed=3) == ["theory/T9"]
    assert all(r.startswith("policy/") for r in choose_drill(
        POOL, DrillFilter(mode="weakest"), seen=set(), book=set(), weakest_category="policy", seed=3))
    assert choose_drill(POOL, DrillFilter(mode="book"), seen=set(), book={"policy/P2"}, weakest_category=None,
                        seed=3) == ["policy/P2"]


def test_same_seed_same_drill():
    wanted = DrillFilter(count=5)
    assert choose_drill(POOL, wanted, seen=set(), book=set(), weakest_category=None, seed=9) == \
        choose_drill(POOL, wanted, seen=set(), book=set(), weakest_category=None, seed=9)


def test_weakest_category():
    assert weakest({"theory": (9, 10), "policy": (5, 10)}, ["theory", "policy"]) == "policy"
    assert weakest({"theory": (1, 10)}, ["theory", "policy"]) == "policy", "never practised counts as weakest"
    assert weakest({}, []) is None


def test_daily_set_is_the_same_for_everyone_on_a_day():
    day = date(2026, 11, 27)
    first = daily_refs(POOL, day, {"theory": 3, "policy": 2})
    assert first == daily_refs(POOL, day, {"theory": 3, "policy": 2}) and len(first) == 5
    assert sum(r.startswith("theory/") for r in first) == 3
    assert any(daily_refs(POOL, date(2026, 11, d), {"theory": 3, "policy": 2}) != first for d in range(1, 27))


def test_streak():
    today = date(2026, 11, 27)
    days = {date(2026, 11, d) for d in (20, 24, 25, 26)}
    assert streak(days, today) == 3, "today not yet practised: the streak is still alive"
    assert streak(days | {today}, today) == 4
    assert streak({date(2026, 11, 20)}, today) == 0


def test_book_fills_and_empties_after_two_right_in_a_row():
    at = datetime(2026, 11, 27, tzinfo=UTC)
    entry = after_answer(BookEntry(), correct=False, at=at, leave_after=2)
    assert (entry.active, entry.misses) == (True, 1)
    entry = after_answer(entry, correct=True, at=at, leave_after=2)
    assert entry.active and entry.right_in_row == 1
    entry = after_answer(entry, correct=False, at=at, leave_after=2)
    assert (entry.active, entry.misses, entry.right_in_row) == (True, 2, 0)
    entry = after_answer(after_answer(entry, correct=True, at=at, leave_after=2), correct=True, at=at, leave_after=2)
    assert not entry.active and entry.misses == 2
    assert after_answer(BookEntry(), correct=True, at=at, leave_after=2) == BookEntry()
