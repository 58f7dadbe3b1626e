"""Item analysis as pure arithmetic, checked against numbers worked by hand."""
import math

import pytest

from app.domain.analysis import (
    Bin,
    Observation,
    analyse_item,
    concerns,
    facility,
    group_size,
    histogram,
    option_shares,
    point_biserial,
    upper_lower,
)

# Four candidates, one 1-point item: the two strongest got it right.
FOUR = [Observation(10, 1, "A"), Observation(8, 1, "A"), Observation(5, 0, "B"), Observation(2, 0, None)]


def test_facility_is_mean_score_over_points():
    assert facility(FOUR, 1) == 0.5
    assert facility([Observation(4, 2), Observation(3, 1), Observation(1, 0)], 2) == pytest.approx(0.5)
    assert facility([], 1) is None


@pytest.mark.parametrize("count, size", [(2, 1), (3, 1), (4, 1), (6, 2), (10, 3), (100, 27), (500, 135)])
def test_upper_and_lower_groups_are_27_percent_and_never_overlap(count, size):
    assert group_size(count) == size


def test_upper_lower_discrimination():
    # Groups of one: upper (total 10) scored 1, lower (total 2) scored 0 → D = 1.
    assert upper_lower(FOUR, 1) == 1.0
    # Ten candidates, groups of three: upper scores 2, 2, 1 and lower scores 0, 1, 0 on a 2-point item
    # → (5/3 − 1/3) / 2 = 2/3.
    scores = [0, 1, 0, 1, 2, 0, 1, 2, 2, 1]
    ten = [Observation(total, score) for total, score in zip(range(10), scores, strict=True)]
    assert upper_lower(ten, 2) == pytest.approx(2 / 3)
    assert upper_lower(FOUR[:1], 1) is None


def test_upper_lower_is_negative_when_the_weak_do_better():
    reversed_item = [Observation(10, 0), Observation(8, 0), Observation(5, 1), Observation(2, 1)]
    assert upper_lower(reversed_item, 1) == -1.0


def test_point_biserial_correlates_item_with_the_rest_of_the_paper():
    # rest = total − item = 9, 7, 5, 2; item = 1, 1, 0, 0.
    # deviations: item ±0.5; rest 3.25, 1.25, −0.75, −3.75 (mean 5.75)
    # covariance sum 4.5; item squares 1; rest squares 26.75 → r = 4.5 / √26.75
    assert point_biserial(FOUR) == pytest.approx(4.5 / math.sqrt(26.75))
    assert point_biserial(FOUR) == pytest.approx(0.870, abs=1e-3)


def test_point_biserial_is_none_without_spread():
    assert point_biserial([Observation(5, 1), Observation(3, 1)]) is None
    assert point_biserial([Observation(5, 1)]) is None


def test_option_shares_single_counts_each_choice_and_marks_the_key():
    shares = option_shares("single", ["A", "B", "C", "D"], "A", [o.choice for o in FOUR])
    assert [(s.option, s.count, s.share, s.is_key) for s in shares] == [
        ("A", 2, 0.5, True), ("B", 1, 0.25, False), ("C", 0, 0.0, False), ("D", 0, 0.0, False)]


def test_option_shares_multiple_counts_every_letter_chosen():
    choices = [["A", "B", "C"], ["A", "B"], ["A", "D"], None]
    shares = option_shares("multiple", ["A", "B", "C", "D"], ["A", "B", "C"], choices)
    assert [(s.option, s.count, s.is_key) for s in shares] == [
        ("A", 3, True), ("B", 2, True), ("C", 1, True), ("D", 1, False)]


def test_option_shares_judge_tells_false_from_unanswered():
    shares = option_shares("judge", [True, False], True, [True, False, False, None])
    assert [(s.option, s.count) for s in shares] == [(True, 1), (False, 2)]


def test_a_wrongly_keyed_item_shows_itself():
    # The key says A, but the strongest three chose B and only the weakest chose A.
    item = [Observation(10, 0, "B"), Observation(9, 0, "B"), Observation(7, 0, "B"), Observation(3, 1, "A")]
    stats = analyse_item("single", 1, "A", ["A", "B", "C", "D"], item)
    assert stats.facility == 0.25 and stats.discrimination == -1.0 and stats.point_biserial < 0
    assert stats.concerns == ("区分度为负：高分考生反而答得更差，请核对答案", "干扰项 B 的选择人数多于正确答案")


def test_a_good_item_has_no_concerns_and_counts_unanswered():
    stats = analyse_item("single", 1, "A", ["A", "B", "C", "D"], FOUR)
    assert stats.count == 4 and stats.unanswered == 1
    assert stats.concerns == ()


def test_a_hard_item_is_flagged():
    stats = analyse_item("blank", 2, [["x"]], [], [Observation(t, 0) for t in (9, 7, 5, 3, 1)] +
                         [Observation(10, 2)])
    assert stats.facility == pytest.approx(1 / 6)
    assert stats.options == ()
    assert concerns("blank", stats) == ("得分率低于 20%：请核对答案或题干表述",)


def test_histogram_uses_round_bin_widths_and_keeps_the_full_mark_in_the_last_bin():
    assert histogram([0, 1.5, 2, 9.5, 11, 11], 11) == [
        Bin(0, 2, 2), Bin(2, 4, 1), Bin(4, 6, 0), Bin(6, 8, 0), Bin(8, 10, 1), Bin(10, 11, 2)]
    bins = histogram([100, 95, 60, 59.5, 0], 100)
    assert len(bins) == 10 and bins[-1] == Bin(90, 100, 2) and bins[5] == Bin(50, 60, 1) and bins[6].count == 1
    assert histogram([], 0) == []
    assert [b.count for b in histogram([3, 4], 5)] == [0, 0, 0, 1, 1]
