"""匹配题 (issue 11, matching): its YAML with each problem at its line, marking by pairs, responses with unpaired
prompts, keys as organisers type them, answer sheets, the formats reading and writing it, and its right items always
shown shuffled away from the key."""
import textwrap
from itertools import permutations

import pytest

from app.domain import yamlmarks
from app.domain.banks import dump_bank, parse_bank
from app.domain.marking import is_answered, mark, response_problem
from app.domain.papers import arrange
from app.domain.practice import drill_order
from app.domain.printed import SheetItem, SheetProblem, read_sheet
from app.domain.problems import Report
from app.domain.questions import question_type

MATCH = question_type("matching")
LETTERS = ("A", "B", "C", "D")
BANK = textwrap.dedent("""\
    bank: match
    title: 匹配题
    category: party_affairs
    questions:
      - id: M-1
        type: matching
        stem: 将下列组织与其每届任期对应。
        prompts: [党的全国代表大会, 党的基层委员会, 党支部委员会]
        options: {A: 三年, B: 五年, C: 三年至五年, D: 十年}
        answer: [B, C, A]
        explanation: 党章第十九条、第二十七条、第三十一条。
        source: 《中国共产党章程》
      - id: M-2
        type: matching
        stem: 将会议与召开频次对应。
        prompts: [支部党员大会, 支部委员会]
        options: {A: 每月, B: 每季度}
        answer: BA
        explanation: 条例第二十一条。
        source: 《中国共产党支部工作条例（试行）》第二十一条
    """)


def parse(text: str):
    report = Report("bank.yaml")
    fields = MATCH.parse(yamlmarks.load(text), "Q1", "题干", report)
    return fields, [str(problem) for problem in report.problems]


def test_a_bank_with_matchings_parses_and_dumps_back_the_same():
    bank, problems = parse_bank(BANK, "match.yaml")
    assert problems == [] and bank is not None
    first, second = bank.questions
    assert first.prompts == ["党的全国代表大会", "党的基层委员会", "党支部委员会"]
    assert first.answer == ["B", "C", "A"] and second.answer == ["B", "A"]
    assert first.content()["prompts"] == first.prompts
    again, problems = parse_bank(dump_bank(bank), "match.yaml")
    assert problems == [] and [q.content() for q in again.questions] == [q.content() for q in bank.questions]


def test_a_question_without_prompts_keeps_its_content_and_hash():
    single = parse_bank(textwrap.dedent("""\
        bank: s
        title: s
        category: theory
        questions:
          - {id: S-1, type: single, stem: 题, options: {A: 一, B: 二}, answer: A, explanation: e, source: s}
        """), "s.yaml")[0].questions[0]
    assert "prompts" not in single.content()


@pytest.mark.parametrize(("text", "message"), [
    ("options: {A: 一, B: 二}\nanswer: AB\n",
     "bank.yaml:1: [Q1] 匹配题缺少 prompts（左项列表），如 [党的全国代表大会, 党的基层委员会]"),
    ("prompts: [甲]\noptions: {A: 一, B: 二}\nanswer: A\n", "bank.yaml:1: [Q1] 左项应有 2 到 8 个，现有 1 个"),
    ("prompts: [甲, '']\noptions: {A: 一, B: 二}\nanswer: AB\n", "bank.yaml:1: [Q1] 第 2 个左项为空"),
    ("prompts: [甲, 甲]\noptions: {A: 一, B: 二}\nanswer: AB\n", "bank.yaml:1: [Q1] 左项有重复"),
    ("prompts: [甲, 乙, 丙]\noptions: {A: 一, B: 二}\nanswer: AB\n",
     "bank.yaml:2: [Q1] 右项（options）不能少于左项：左项 3 个，右项只有 2 个"),
    ("prompts: [甲, 乙]\noptions: {A: 一, B: 二, C: 三}\nanswer: [A]\n",
     "bank.yaml:3: [Q1] 左项有 2 个，answer 却有 1 个字母"),
    ("prompts: [甲, 乙]\noptions: {A: 一, B: 二}\nanswer: AE\n", "bank.yaml:3: [Q1] 答案 E 不在右项 A, B 中"),
    ("prompts: [甲, 乙]\noptions: {A: 一, B: 二}\nanswer: AA\n",
     "bank.yaml:3: [Q1] 每个右项最多配一个左项，A 用了不止一次"),
    ("prompts: [甲, 乙]\noptions: {A: 一, B: 二}\nanswer: 一二\n",
     "bank.yaml:3: [Q1] 匹配题的 answer 应按左项顺序每项一个字母，如 [B, A, D] 或 BAD"),
    ("prompts: [甲, 乙]\noptions: {A: 一, B: 二}\n", "bank.yaml:1: [Q1] 缺少 answer（答案）"),
    ("prompts: 甲\noptions: {A: 一, B: 二}\nanswer: A\n",
     "bank.yaml:1: [Q1] 匹配题缺少 prompts（左项列表），如 [党的全国代表大会, 党的基层委员会]"),
])
def test_each_yaml_rule_names_its_line(text, message):
    _, problems = parse(text)
    assert message in problems


def test_an_item_error_in_a_file_names_file_line_and_id():
    _, problems = parse_bank(BANK.replace("answer: [B, C, A]", "answer: [B, C, C]"), "match.yaml")
    assert [str(p) for p in problems] == ["match.yaml:10: [M-1] 每个右项最多配一个左项，C 用了不止一次"]


def test_answers_read_in_every_way_organisers_write_them():
    for written in ("BCA", "B,C,A", "b c a", "1-B，2-C，3-A", "3-A 1-B 2-C", "1.B 2.C 3.A", "ＢＣＡ"):
        fields, problems = parse(f"prompts: [甲, 乙, 丙]\noptions: {{A: 一, B: 二, C: 三}}\nanswer: '{written}'\n")
        assert fields["answer"] == ["B", "C", "A"] and problems == [], written


def test_marking_shares_the_points_by_right_pairs_rounded_half_up():
    key = ["B", "C", "A"]
    assert mark("matching", key, ["B", "C", "A"], 3) == 3.0
    assert mark("matching", key, ["B", "A", "C"], 3) == 1.0
    assert mark("matching", key, ["B", None, "A"], 2) == 1.33
    assert mark("matching", key, ["A", "B", "C"], 2) == 0.0
    assert mark("matching", key, [None, None, None], 2) == 0.0
    assert mark("matching", ["A", "B"], ["A", None], 1) == 0.5
    assert mark("matching", ["B", "C", "A"], ["B", "C", None], 1) == 0.67      # 2/3 → 0.67
    assert not is_answered([None, None]) and is_answered([None, "A"])


def test_responses_take_one_letter_or_null_per_prompt_each_letter_once():
    assert response_problem("matching", ["B", None, "A"], LETTERS, 3) == ""
    assert response_problem("matching", [None, None, None], LETTERS, 3) == ""
    shape = "应是 3 项的列表，每项是 A/B/C/D 中的一个字母或 null（未配）"
    for bad in (["B", "A"], ["B", "A", "E"], "BAD", ["B", "A", 1], {"1": "B"}, ["B", "A", "DD"]):
        assert response_problem("matching", bad, LETTERS, 3) == shape, bad
    assert response_problem("matching", ["B", "B", None], LETTERS, 3) == "每个右项最多配一个左项"


def test_letters_map_per_prompt_keeping_unpaired_and_order():
    shown_to_bank = {"A": "C", "B": "A", "C": "B", "D": "D"}
    assert MATCH.in_letters(["A", None, "B"], shown_to_bank.get) == ["C", None, "A"]


def test_keys_as_organisers_type_them_and_as_shown():
    assert MATCH.key_text(["B", "A", "D"]) == MATCH.describe_answer(["B", "A", "D"]) == "1-B，2-A，3-D"
    assert MATCH.describe_response(["B", None]) == "1-B，2-未配"
    for text in ("1-B，2-A，3-D", "BAD", "B,A,D", "bad", "1-B 2-A 3-D"):
        assert MATCH.parse_key(text) == ["B", "A", "D"], text
    assert MATCH.parse_key("1-B，3-A") is None and MATCH.parse_key("1-B，乙") is None
    assert MATCH.parse_key("1" * 200_000) is None, "a pair was looked for from every digit: minutes"
    assert MATCH.key_problem(["B", "A", "D"], LETTERS, 3) == ""
    for bad in (["B", "A"], ["B", "B", "D"], ["B", "A", "E"], None):
        assert MATCH.key_problem(bad, LETTERS, 3).startswith("匹配题答案应按 3 个左项的顺序"), bad


def test_slots_are_the_prompts():
    assert MATCH.slots("题干 ___", ["甲", "乙", "丙"]) == 3
    assert question_type("blank").slots("___和___", []) == 2


def test_a_paper_sheet_reads_one_letter_per_box_or_all_in_the_first():
    item = SheetItem("1", MATCH, options=4, blanks=3)
    assert item.fields == 3
    assert read_sheet([item], {"1": ["b", "a", "d"]}) == {"1": ["B", "A", "D"]}
    assert read_sheet([item], {"1": ["BAD"]}) == {"1": ["B", "A", "D"]}
    assert read_sheet([item], {"1": ["1-B，2-A"]}) == {"1": ["B", "A", None]}
    assert read_sheet([item], {"1": ["B", "", "D"]}) == {"1": ["B", None, "D"]}
    assert read_sheet([item], {"1": ["", "", ""]}) == {}
    with pytest.raises(SheetProblem, match="第 1 题（匹配题）填的是“BB；A”：每个方框填一个字母"):
        read_sheet([item], {"1": ["BB", "A", ""]})
    with pytest.raises(SheetProblem, match="每个右项最多配一个左项"):
        read_sheet([item], {"1": ["B", "B", ""]})
    with pytest.raises(SheetProblem, match="应是 3 项的列表"):
        read_sheet([item], {"1": ["BADC"]})
    with pytest.raises(SheetProblem, match="应是 3 项的列表"):
        read_sheet([item], {"1": ["E", "", ""]})


# -- always shuffled -------------------------------------------------------------------------------------------

def shown_answer(order: tuple[str, ...], key: list[str]) -> str:
    """The key in the letters a candidate sees when the right items are shown in `order`."""
    return "".join("ABCDEFGH"[order.index(letter)] for letter in key)


@pytest.mark.parametrize("key", [["A", "B"], ["B", "A"], ["C", "D", "B"]])
def test_the_right_items_are_shuffled_away_from_the_key_even_when_the_paper_does_not_shuffle(key):
    """Authors write prompt k's right item as option k, so the bank's order would show the key; with an extra
    right item, keeping the key in front is as telling (ABDC shows the key AB as surely as ABCD)."""
    orders = {arrange([1], [LETTERS], seed, False, False, [key])[0][0].option_order for seed in range(400)}
    identity = "ABCD"[:len(key)]
    telling = {LETTERS} | {order for order in permutations(LETTERS) if shown_answer(order, key) == identity}
    assert orders == set(permutations(LETTERS)) - telling, "every other order turns up"


def test_a_drill_shows_the_right_items_away_from_the_key_too():
    for question in range(300):
        order = drill_order(LETTERS, ["A", "B"], drill_id=7, question_id=question)
        assert sorted(order) == list(LETTERS) and shown_answer(order, ["A", "B"]) != "AB"
    assert drill_order(LETTERS, ["A", "B"], 7, 1) == drill_order(LETTERS, ["A", "B"], 7, 1), "a reload shows the same"


def test_two_prompts_with_two_right_items_turn_up_both_ways():
    """Keeping away from one of two orders would always show the other: the answer, as surely."""
    orders = {arrange([1], [("A", "B")], seed, False, False, [["A", "B"]])[0][0].option_order for seed in range(50)}
    assert orders == {("A", "B"), ("B", "A")}
