"""The paper fallback's rules (app/domain/printed.py): variants fixed by session, paper and code; answer sheets read as
markers type them, refused whole when one entry does not fit its variant."""
import pytest

from app.domain.papers import arrange, shown_to_original
from app.domain.printed import (
    DEFAULT_VARIANTS,
    VARIANT_CODES,
    SheetItem,
    SheetProblem,
    read_sheet,
    variant_code,
    variant_seed,
)
from app.domain.questions import question_type

SIZES = [6, 4, 5]                                   # three sections
OPTIONS = [("A", "B", "C", "D")] * 10 + [()] * 5    # choice items, then items without options


def variant_layout(code: str, session_id: int = 7, paper_seed: int = 42):
    return arrange(SIZES, OPTIONS, variant_seed(session_id, paper_seed, code), True, True)


def test_a_variant_is_the_same_order_every_time_and_differs_between_codes_and_sessions():
    assert variant_layout("B") == variant_layout("B")
    orders = {code: [(i.index, i.option_order) for s in variant_layout(code) for i in s] for code in VARIANT_CODES}
    assert len({tuple(order) for order in orders.values()}) == len(VARIANT_CODES)
    assert variant_layout("A", session_id=7) != variant_layout("A", session_id=8)
    assert variant_layout("A", paper_seed=42) != variant_layout("A", paper_seed=43)
    assert 0 <= variant_seed(7, 42, "A") < 2**31
    assert VARIANT_CODES[:DEFAULT_VARIANTS] == "ABCD"


@pytest.mark.parametrize("code", list(VARIANT_CODES))
def test_every_variant_shows_every_item_once_within_its_section_and_every_option_once(code):
    layout = variant_layout(code)
    start = 0
    for size, section in zip(SIZES, layout, strict=True):
        assert sorted(item.index for item in section) == list(range(start, start + size))
        start += size
    items = [item for section in layout for item in section]
    assert [item.key for item in items] == [str(n) for n in range(1, 16)]
    for item in items:
        assert sorted(item.option_order) == sorted(OPTIONS[item.index])


def test_a_letter_shown_on_a_variant_maps_back_to_the_banks_letter():
    item = next(i for s in variant_layout("C") for i in s if i.option_order)
    for shown, bank in zip("ABCD", item.option_order, strict=True):
        assert shown_to_original(item.option_order, shown) == bank


@pytest.mark.parametrize(("typed", "code"), [("a", "A"), (" Ｂ ", "B"), ("h", "H"), ("I", None), ("AB", None),
                                             ("", None), ("1", None)])
def test_variant_codes_are_read_as_typed(typed, code):
    assert variant_code(typed) == code


SHEET = [SheetItem("1", question_type("single"), options=4), SheetItem("2", question_type("multiple"), options=5),
         SheetItem("3", question_type("judge")), SheetItem("4", question_type("blank"), blanks=2),
         SheetItem("5", question_type("short"))]


@pytest.mark.parametrize(("key", "written", "response"), [
    ("1", ["b"], "B"), ("1", ["Ｃ"], "C"), ("1", ["  "], None),
    ("2", ["ABD"], ["A", "B", "D"]), ("2", ["A,B,D"], ["A", "B", "D"]), ("2", ["d、a、b"], ["A", "B", "D"]),
    ("2", ["E C"], ["C", "E"]), ("2", ["A；B"], ["A", "B"]),
    ("3", ["对"], True), ("3", ["错"], False), ("3", ["√"], True), ("3", ["×"], False), ("3", ["x"], False),
    ("3", ["正确"], True), ("3", ["错误"], False),
    ("4", ["义务", " 纪律 "], ["义务", "纪律"]), ("4", ["义务", ""], ["义务", ""]), ("4", ["", ""], None),
    ("5", ["宣传和执行党的路线方针政策"], "宣传和执行党的路线方针政策"),
])
def test_answer_sheets_are_read_as_markers_type_them(key, written, response):
    read = read_sheet(SHEET, {key: written})
    assert read.get(key) == response
    assert set(read) == ({key} if response is not None else set())


def test_short_blanks_are_padded_so_a_sheet_may_omit_trailing_empty_fields():
    assert read_sheet(SHEET, {"4": ["义务"]}) == {"4": ["义务", ""]}


@pytest.mark.parametrize(("written", "message"), [
    ({"1": ["E"]}, "第 1 题（单选题）填的是“E”：应是 A/B/C/D 中的一个字母。"),
    ({"1": ["AB"]}, "第 1 题（单选题）填的是“AB”：应是 A/B/C/D 中的一个字母。"),
    ({"2": ["ABF"]}, "第 2 题（多选题）填的是“ABF”：应是不重复的选项字母列表。"),
    ({"2": ["AAB"]}, "第 2 题（多选题）填的是“AAB”：应是不重复的选项字母列表。"),
    ({"3": ["是"]}, "第 3 题（判断题）填的是“是”：应填 对 或 错（也可写 √/×、正确/错误）。"),
    ({"4": ["a", "b", "c"]}, "第 4 题只有 2 个答案位置，却填了 3 个。"),
    ({"1": ["A", "B"]}, "第 1 题只有 1 个答案位置，却填了 2 个。"),
    ({"9": ["A"]}, "第 9 题不在这份试卷上。"),
])
def test_an_entry_that_does_not_fit_the_variant_refuses_the_whole_sheet_saying_which(written, message):
    with pytest.raises(SheetProblem) as refused:
        read_sheet(SHEET, {"3": ["对"], **written})
    assert str(refused.value) == message
