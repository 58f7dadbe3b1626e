"""Standings versions in plain Python (app/domain/versions.py): frozen to JSON and back unchanged, and what changed
for whom between two standings; a tie at the line settled by the organisers (app/domain/standings.py)."""
import json
from decimal import Decimal

from app.domain.standings import (
    Award,
    Component,
    Entrant,
    RoundRules,
    Special,
    compute,
    outcome,
    settle,
)
from app.domain.versions import (
    Change,
    Place,
    compare,
    decided_count,
    freeze,
    moved_count,
    thaw,
)

FINAL = RoundRules(components=(Component("written", Decimal("0.4")), Component("lecture", Decimal("0.6"), trim=1)),
                   tie_break=("lecture", "written"), awards=(Award("一等奖", 1), Award("二等奖", 2)),
                   specials=(Special("十佳党课", "lecture", 2),))
PRELIMINARY = RoundRules(components=(Component("written", Decimal("0.5")),
                                     Component("lecture", Decimal("0.5"), trim=1)),
                         tie_break=("written", "lecture"), advance_top=1)
PEOPLE = [Entrant(1, "a", "甲", "c01", organisation="教育局"), Entrant(2, "b", "乙", "c01", organisation="教育局"),
          Entrant(3, "c", "丙", "c01", organisation="卫健委"), Entrant(4, "d", "丁", "c01", organisation="财政局"),
          Entrant(5, "e", "戊", "g1", direct=True, organisation="档案馆")]


def scores(**by_username) -> dict[int, dict[str, list[Decimal]]]:
    """scores(a=(90, [80, 82, 84, 86, 99])) → a's written score and their judges' lecture scores."""
    ids = {e.username: e.user_id for e in PEOPLE}
    table = {}
    for username, (written, lecture) in by_username.items():
        table[ids[username]] = {}
        if written is not None:
            table[ids[username]]["written"] = [Decimal(str(written))]
        if lecture:
            table[ids[username]]["lecture"] = [Decimal(str(v)) for v in lecture]
    return table


# a 86.40 (一等奖), b 85.00 and c 80.80 (二等奖), d without a lecture; the best lectures: c 88, b 85.
BEFORE = scores(a=(90, [80, 82, 84, 86, 99]), b=(85, [85, 85, 85]), c=(70, [88]), d=(60, None))


def by_username(changes: list[Change]) -> dict[str, Change]:
    return {change.username: change for change in changes}


# -- freezing -----------------------------------------------------------------------------------------------------

def test_frozen_standings_are_plain_json_and_thaw_into_the_same_rows():
    standings = compute(FINAL, PEOPLE, BEFORE)
    document = freeze(standings)
    assert json.loads(json.dumps(document)) == document
    row = document["groups"][0]["ranked"][0]
    assert row["components"]["lecture"] == {"value": "84.00", "count": 5, "trimmed": 1}
    assert (row["username"], row["organisation"], row["total"], row["award"]) == ("a", "教育局", "86.40", "一等奖")
    assert document["specials"] == {"十佳党课": [3, 2]}
    assert document["groups"][0]["incomplete"][0]["components"]["lecture"] is None
    assert [r["username"] for r in document["direct"]] == ["e"]

    thawed = thaw(json.loads(json.dumps(document)))
    assert thawed == standings
    assert thawed.specials["十佳党课"][0] is thawed.groups[0].ranked[2], "a special award's rows are the table's rows"
    assert freeze(thawed) == document


# -- comparing ----------------------------------------------------------------------------------------------------

def test_nothing_changed_is_an_empty_list():
    assert compare(compute(FINAL, PEOPLE, BEFORE), compute(FINAL, PEOPLE, BEFORE), advancing=False) == []


def test_a_late_score_that_reorders_the_awards():
    """A fourth judge's 99 for b: b overtakes a for 一等奖; c, d and the direct entry e are untouched."""
    before = compute(FINAL, PEOPLE, BEFORE)
    after = compute(FINAL, PEOPLE,
                    {**BEFORE, 2: {"written": [Decimal(85)], "lecture": [Decimal(85)] * 3 + [Decimal(99)]}})
    changes = compare(before, after, advancing=False)
    assert [c.username for c in changes] == ["b", "a"], "in the order of the later standings"
    b, a = changes
    assert b.differences() == [("rank", 2, 1), ("total", "85.00", "87.10"), ("award", "二等奖", "一等奖"),
                               ("component:lecture", "85.00", "88.50")]
    assert a.differences() == [("rank", 1, 2), ("award", "一等奖", "二等奖")]
    assert a.moved and a.decided and b.moved and b.decided
    assert moved_count(changes) == 2 and decided_count(changes) == 2


def test_a_changed_score_that_moves_nobody_is_listed_but_not_counted_as_moved():
    before = compute(FINAL, PEOPLE, BEFORE)
    after = compute(FINAL, PEOPLE, {**BEFORE, 3: {"written": [Decimal(71)], "lecture": [Decimal(88)]}})
    (change,) = compare(before, after, advancing=False)
    assert change.differences() == [("total", "80.80", "81.20"), ("component:written", "70.00", "71.00")]
    assert not change.moved and not change.decided


def test_advancement_ties_and_incomplete_candidates():
    before = compute(PRELIMINARY, PEOPLE, scores(a=(90, [80]), b=(90, [80]), c=(60, [60]), d=(50, None)))
    after = compute(PRELIMINARY, PEOPLE, scores(a=(90, [80]), b=(90, [81]), c=(60, [60]), d=(50, [99])))
    changes = by_username(compare(before, after, advancing=True))
    assert set(changes) == {"a", "b", "c", "d"} and "e" not in changes, "the direct entry is untouched"
    assert changes["b"].differences() == [("total", "85.00", "85.50"), ("outcome", "tie", "yes"),
                                          ("component:lecture", "80.00", "81.00")]
    assert changes["a"].differences() == [("rank", 1, 2), ("outcome", "tie", "no")]
    assert changes["c"].differences() == [("rank", 3, 4)] and not changes["c"].decided
    assert changes["d"].differences() == [("rank", None, 3), ("total", None, "74.50"), ("outcome", "incomplete", "no"),
                                          ("component:lecture", None, "99.00")]
    assert changes["d"].moved and changes["d"].decided


def test_ten_best_lectures_changing_hands():
    before = compute(FINAL, PEOPLE, BEFORE)
    after = compute(FINAL, PEOPLE, {**BEFORE, 1: {"written": [Decimal(90)], "lecture": [Decimal(95)]}})
    changes = by_username(compare(before, after, advancing=False))
    assert ("special:十佳党课", False, True) in changes["a"].differences()
    assert changes["b"].differences() == [("special:十佳党课", True, False)] and changes["b"].decided


def test_entrants_added_and_removed():
    before = compute(FINAL, PEOPLE[:3], BEFORE)
    after = compute(FINAL, [PEOPLE[0], PEOPLE[2], PEOPLE[3]],
                    {**BEFORE, 4: {"written": [Decimal(99)], "lecture": [Decimal(99)]}})
    changes = by_username(compare(before, after, advancing=False))
    assert changes["d"].before is None and changes["d"].after.rank == 1 and changes["d"].moved
    assert changes["b"].after is None and changes["b"].before.rank == 2
    assert list(changes)[-1] == "b", "those who left come last"
    assert changes["d"].differences() == []


def test_a_change_survives_json():
    before = compute(FINAL, PEOPLE, BEFORE)
    after = compute(FINAL, PEOPLE[:3], {**BEFORE, 2: {"written": [Decimal(85)], "lecture": [Decimal(99)]}})
    changes = compare(before, after, advancing=False)
    stored = json.loads(json.dumps([change.as_json() for change in changes]))
    assert [Change.from_json(document) for document in stored] == changes
    assert isinstance(Change.from_json(stored[0]).after, Place)


# -- settling a tie at the line -------------------------------------------------------------------------------------

def test_settling_a_tie_decides_who_goes_on_and_keeps_the_shared_rank():
    standings = compute(PRELIMINARY, PEOPLE, scores(a=(90, [80]), b=(90, [80]), c=(60, [60])))
    a, b, c = standings.groups[0].ranked
    assert [outcome(r) for r in (a, b, c)] == ["tie", "tie", "no"]
    settle(standings, {"b"})
    assert [(row.rank, outcome(row)) for row in (a, b, c)] == [(1, "no"), (1, "yes"), (3, "no")]
    assert outcome(standings.direct[0]) == "direct"
