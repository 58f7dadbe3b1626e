"""Automatic marking rules (DESIGN §2), worked by hand."""
import pytest

from app.domain.marking import is_answered, mark, shape_ok


@pytest.mark.parametrize("rule, chosen, expected", [
    ("strict", ["A", "B", "C"], 2.0), ("strict", ["A", "B"], 0.0), ("strict", ["A", "D"], 0.0),
    ("half", ["A", "B", "C"], 2.0), ("half", ["A"], 1.0), ("half", ["A", "B"], 1.0), ("half", ["A", "D"], 0.0),
    ("proportional", ["A", "B", "C"], 2.0), ("proportional", ["A"], 0.67), ("proportional", ["A", "B"], 1.33),
    ("proportional", ["A", "B", "C", "D"], 0.0), ("half", [], 0.0),
])
def test_multiple_choice_rules(rule, chosen, expected):
    assert mark("multiple", ["A", "B", "C"], chosen, 2, multiple_scoring=rule) == expected


def test_single_and_judge():
    assert mark("single", "B", "B", 1.5) == 1.5 and mark("single", "B", "C", 1.5) == 0.0
    assert mark("judge", False, False, 1) == 1.0 and mark("judge", False, True, 1) == 0.0
    assert mark("single", "B", None, 1) == 0.0


def test_blanks_split_points_and_normalise():
    key = [["中央委员会", "党中央"], ["1.5%"]]
    assert mark("blank", key, ["党中央", "1.5%"], 3) == 3.0
    assert mark("blank", key, ["  党中央。", "１．５％"], 3) == 3.0, "NFKC, spaces and trailing punctuation"
    assert mark("blank", key, ["中央", "1.5%"], 3) == 1.5
    assert mark("blank", key, ["1.5%", "党中央"], 3) == 0.0, "order matters unless declared free"
    assert mark("blank", [["GDP"]], ["gdp"], 1) == 1.0


def test_order_free_blanks_count_each_answer_once():
    key = [["道路"], ["理论"], ["制度"], ["文化"]]
    assert mark("blank", key, ["文化", "制度", "理论", "道路"], 4, blank_order="any") == 4.0
    assert mark("blank", key, ["道路", "道路", "道路", "道路"], 4, blank_order="any") == 1.0
    assert mark("blank", [["甲", "乙"], ["甲"]], ["乙", "甲"], 2, blank_order="any") == 2.0
    assert mark("blank", [["甲"], ["甲", "乙"]], ["甲", "乙"], 2, blank_order="any") == 2.0


def test_short_is_left_for_a_judge():
    assert mark("short", None, "我的回答", 10) is None


@pytest.mark.parametrize("qtype, response, ok", [
    ("single", "A", True), ("single", "E", False), ("single", ["A"], False),
    ("multiple", ["A", "C"], True), ("multiple", ["A", "A"], False), ("multiple", "AC", False),
    ("judge", True, True), ("judge", "true", False),
    ("blank", ["x", ""], True), ("blank", ["x"], False), ("blank", [1, 2], False),
    ("short", "答", True), ("short", ["答"], False), ("single", None, True),
])
def test_response_shapes(qtype, response, ok):
    assert shape_ok(qtype, response, letters=("A", "B", "C", "D"), blanks=2) is ok


def test_is_answered():
    assert not is_answered(None) and not is_answered(["", " "]) and not is_answered("  ")
    assert is_answered(False) and is_answered(["", "x"]) and is_answered(["A"])
