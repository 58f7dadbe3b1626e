"""Standings worked by hand (issue 4 §5): trimming, weights, ties, the cut line, missing components, awards."""
from decimal import Decimal

from app.domain.standings import Award, Component, Entrant, RoundRules, Special, combine, compute

WRITTEN_LECTURE = RoundRules(components=(Component("written", Decimal("0.5")),
                                         Component("lecture", Decimal("0.5"), trim=1)),
                             tie_break=("written", "lecture"), advance_top=1)


def entrants(*names: str, group: str = "c01") -> list[Entrant]:
    return [Entrant(i, name, name.upper(), group) for i, name in enumerate(names, start=1)]


def scores(**by_name) -> dict[int, dict[str, list[Decimal]]]:
    """scores(a=(90, [80, 85, 90])) → written 90 and those judges' lecture scores for the first entrant, etc."""
    table = {}
    for index, (written, lecture) in enumerate(by_name.values(), start=1):
        table[index] = {}
        if written is not None:
            table[index]["written"] = [Decimal(str(written))]
        if lecture:
            table[index]["lecture"] = [Decimal(str(v)) for v in lecture]
    return table


def test_trimming_with_three_five_and_seven_judges():
    three = combine([Decimal(70), Decimal(80), Decimal(96)], trim=1)
    assert (three.value, three.trimmed, three.plain_mean) == (Decimal("82.00"), 0, True)
    five = combine([Decimal(60), Decimal(80), Decimal(82), Decimal(84), Decimal(99)], trim=1)
    assert (five.value, five.trimmed) == (Decimal("82.00"), 1)
    seven = combine([Decimal(50), Decimal(80), Decimal(81), Decimal(82), Decimal(83), Decimal(84), Decimal(100)],
                    trim=1)
    assert seven.value == Decimal("82.00")
    seven_two = combine([Decimal(50), Decimal(60), Decimal(81), Decimal(82), Decimal(83), Decimal(99), Decimal(100)],
                        trim=2)
    assert (seven_two.value, seven_two.trimmed) == (Decimal("82.00"), 2)
    six = combine([Decimal(50), Decimal(60), Decimal(81), Decimal(82), Decimal(83), Decimal(99)], trim=2)
    assert six.trimmed == 0, "six judges cannot drop two each end"
    assert combine([Decimal(88)], trim=1).value == Decimal("88.00")


def test_weights_04_06_and_rounding_half_up():
    rules = RoundRules(components=(Component("written", Decimal("0.4")), Component("lecture", Decimal("0.6"))))
    table = compute(rules, entrants("a"), scores(a=(87.5, [90.3, 90.4, 90.4])))
    row = table.groups[0].ranked[0]
    assert row.components["lecture"].value == Decimal("90.37")        # 271.1 / 3 = 90.3666…
    assert row.total == Decimal("89.22")                              # 35.00 + 54.222 = 89.222


def test_ties_share_rank_and_tie_break_orders_them():
    table = compute(WRITTEN_LECTURE, entrants("a", "b", "c", "d"),
                    scores(a=(90, [80]), b=(80, [90]), c=(90, [80]), d=(70, [70])))
    ranked = table.groups[0].ranked
    assert [(r.entrant.username, r.total, r.rank) for r in ranked] == [
        ("a", Decimal("85.00"), 1), ("c", Decimal("85.00"), 1), ("b", Decimal("85.00"), 3), ("d", Decimal("70.00"), 4)]


def test_tie_at_the_cut_line_is_flagged_not_broken():
    table = compute(WRITTEN_LECTURE, entrants("a", "b", "c"), scores(a=(90, [80]), b=(90, [80]), c=(60, [60])))
    ranked = table.groups[0].ranked
    assert [(r.rank, r.advanced, r.tied_at_cut) for r in ranked] == [(1, False, True), (1, False, True),
                                                                     (3, False, False)]
    two = RoundRules(WRITTEN_LECTURE.components, WRITTEN_LECTURE.tie_break, advance_top=2)
    ranked = compute(two, entrants("a", "b", "c", "d"),
                     scores(a=(99, [99]), b=(90, [80]), c=(90, [80]), d=(10, [10]))).groups[0].ranked
    assert [(r.entrant.username, r.rank, r.advanced, r.tied_at_cut) for r in ranked] == [
        ("a", 1, True, False), ("b", 2, False, True), ("c", 2, False, True), ("d", 4, False, False)]


def test_group_smaller_than_its_places():
    rules = RoundRules(WRITTEN_LECTURE.components, advance_top=2)
    table = compute(rules, entrants("solo"), scores(solo=(40, [40])))
    assert table.groups[0].ranked[0].advanced


def test_missing_component_is_incomplete_not_zero():
    table = compute(WRITTEN_LECTURE, entrants("a", "b"), scores(a=(50, [50]), b=(95, None)))
    group = table.groups[0]
    assert [r.entrant.username for r in group.ranked] == ["a"] and group.ranked[0].advanced
    assert [r.entrant.username for r in group.incomplete] == ["b"] and group.incomplete[0].rank is None


def test_groups_rank_apart_and_direct_entries_advance_without_rank():
    people = entrants("a", "b", group="c01") + [Entrant(3, "x", "X", "c02"), Entrant(4, "d", "D", "g1", direct=True)]
    table = compute(WRITTEN_LECTURE, people, {1: {"written": [Decimal(80)], "lecture": [Decimal(80)]},
                                             2: {"written": [Decimal(70)], "lecture": [Decimal(70)]},
                                             3: {"written": [Decimal(10)], "lecture": [Decimal(10)]}})
    assert [(g.name, [r.rank for r in g.ranked]) for g in table.groups] == [("c01", [1, 2]), ("c02", [1])]
    assert [r.entrant.username for r in table.direct] == ["d"] and table.direct[0].advanced
    assert table.groups[1].ranked[0].advanced, "top 1 of its own group"


def test_award_bands_and_ten_best_lectures():
    rules = RoundRules(components=(Component("written", Decimal("0.4")), Component("lecture", Decimal("0.6"))),
                       awards=(Award("一等奖", 1), Award("二等奖", 2)), specials=(Special("十佳党课", "lecture", 2),))
    people = entrants("a", "b", "c", "d")
    table = compute(rules, people, scores(a=(100, [70]), b=(60, [95]), c=(60, [95]), d=(50, [50])))
    by_name = {r.entrant.username: r for r in table.groups[0].ranked}
    assert (by_name["a"].rank, by_name["a"].award) == (1, "一等奖")      # 40 + 42 = 82
    assert (by_name["b"].rank, by_name["b"].award) == (2, "二等奖")      # 24 + 57 = 81
    assert (by_name["c"].rank, by_name["c"].award) == (2, "二等奖")
    assert (by_name["d"].rank, by_name["d"].award) == (4, None)
    assert [r.entrant.username for r in table.specials["十佳党课"]] == ["b", "c"]


def test_best_lectures_include_ties_at_the_last_place():
    rules = RoundRules(components=(Component("lecture", Decimal(1)),), specials=(Special("十佳党课", "lecture", 2),))
    table = compute(rules, entrants("a", "b", "c", "d"), {1: {"lecture": [Decimal(90)]}, 2: {"lecture": [Decimal(85)]},
                                                         3: {"lecture": [Decimal(85)]}, 4: {"lecture": [Decimal(80)]}})
    assert [r.entrant.username for r in table.specials["十佳党课"]] == ["a", "b", "c"]
