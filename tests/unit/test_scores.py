"""Issue 8 §7: one rounding rule for every score, half up to two places."""
from decimal import Decimal

import pytest

from app.domain.marking import mark
from app.domain.scores import hundredths, points_text, rounded, share_of


@pytest.mark.parametrize("value, expected", [
    (45.625, "45.63"), (0.665, "0.67"), (1.005, "1.01"), (2.675, "2.68"), (0.125, "0.13"),
    (Decimal("45.625"), "45.63"), (Decimal("45.6249"), "45.62"), (2 / 3, "0.67"), (1 / 3, "0.33"),
    (100, "100.00"), (0, "0.00"), (-0.0, "0.00"), ("87.555", "87.56"),
])
def test_half_up_to_hundredths(value, expected):
    assert hundredths(value) == Decimal(expected)
    assert str(hundredths(value)) == expected


def test_a_written_share_rounds_half_up_not_half_even():
    assert share_of(36.5, 80) == Decimal("45.63")      # 45.625: half-even would give 45.62
    assert share_of(80, 80) == Decimal("100.00")
    assert share_of(0, 80) == Decimal("0.00")


def test_floats_kept_for_item_and_attempt_scores_round_the_same_way():
    assert rounded(0.125) == 0.13 and rounded(1.005) == 1.01
    assert mark("multiple", ["A", "B", "C"], ["A"], 1, multiple_scoring="proportional") == 0.33
    assert mark("multiple", ["A", "B", "C"], ["A", "B"], 1, multiple_scoring="proportional") == 0.67
    assert mark("blank", [["x"], ["y"], ["z"]], ["x", "y", ""], 0.25) == 0.17      # 0.1666…


def test_points_as_shown():
    assert [points_text(v) for v in (40.0, 36.5, 0.665, 1.005, None, -0.0, Decimal("45.625"))] == \
        ["40", "36.5", "0.67", "1.01", "", "0", "45.63"]
