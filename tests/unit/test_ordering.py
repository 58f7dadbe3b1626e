"""排序题 (ordering): its YAML, responses, both scoring rules, key text, and options always shown shuffled."""
import random
import textwrap

import pytest

from app.domain import yamlmarks
from app.domain.banks import validate_texts
from app.domain.marking import mark
from app.domain.papers import arrange, parse_blueprint, shuffled_away
from app.domain.problems import Report
from app.domain.questions import question_type

ORDERING = question_type("ordering")
LETTERS = ("A", "B", "C", "D")
NOT_AN_ORDER = "排序题的 answer 应是全部选项字母的正确顺序，如 [C, A, B, D] 或 CABD"
OPTIONS = "options: {A: 入党积极分子, B: 发展对象, C: 入党申请人, D: 预备党员}\n"


def parse(text: str):
    report = Report("bank.yaml")
    fields = ORDERING.parse(yamlmarks.load(text), "Q1", "题干", report)
    return fields, [str(problem) for problem in report.problems]


@pytest.mark.parametrize("answer", ["[C, A, B, D]", "CABD", "C,A,B,D", "C→A→B→D", "C、A、B、D", "'c a b d'",
                                    "ＣＡＢＤ"])
def test_the_answer_is_read_as_a_list_or_a_string_to_the_canonical_list(answer):
    fields, problems = parse(OPTIONS + f"answer: {answer}\n")
    assert problems == []
    assert fields == {"options": {"A": "入党积极分子", "B": "发展对象", "C": "入党申请人", "D": "预备党员"},
                      "answer": ["C", "A", "B", "D"]}


@pytest.mark.parametrize("text, problem", [
    (OPTIONS + "answer: CAB\n", "bank.yaml:2: [Q1] 排序题答案缺少 D：应把全部 4 项排出顺序"),
    (OPTIONS + "answer: CABDE\n", "bank.yaml:2: [Q1] 答案 E 不在选项 A, B, C, D 中"),
    (OPTIONS + "answer: [C, A, A, D]\n", "bank.yaml:2: [Q1] 排序题答案中 A 重复出现"),
    (OPTIONS + "answer: 3\n", f"bank.yaml:2: [Q1] {NOT_AN_ORDER}"),
    (OPTIONS + "answer: {C: 1}\n", f"bank.yaml:2: [Q1] {NOT_AN_ORDER}"),
    (OPTIONS, "bank.yaml:1: [Q1] 缺少 answer（答案）"),
    ("options: {A: 一, B: 二}\nanswer: BA\n", "bank.yaml:1: [Q1] 选项应有 3 到 8 个，现有 2 个"),
    ("options: {A: 一, B: 二, D: 三}\nanswer: BAD\n", "bank.yaml:1: [Q1] 选项字母应从 A 起依次排列，而不是 A, B, D"),
    ("answer: CABD\n", "bank.yaml:1: [Q1] 缺少 options，或 options 不是 {A: …, B: …} 形式"),
])
def test_each_rule_names_its_line(text, problem):
    _, problems = parse(text)
    assert problem in problems, problems


def test_a_bank_with_a_bad_ordering_names_file_line_and_id():
    text = textwrap.dedent("""\
        bank: demo
        title: 示例
        category: party_affairs
        questions:
          - id: PA-ORD
            type: ordering
            stem: 排出发展党员的顺序。
            options: {A: 入党积极分子, B: 发展对象, C: 入党申请人}
            answer: CAA
            explanation: 细则。
            source: 细则
        """)
    banks, problems = validate_texts([("demo.yaml", text)])
    assert banks == [] and [str(p) for p in problems] == [
        "demo.yaml:9: [PA-ORD] 排序题答案中 A 重复出现",
        "demo.yaml:9: [PA-ORD] 排序题答案缺少 B：应把全部 3 项排出顺序"]


def test_yaml_fields_parse_back_to_the_same_content():
    fields, _ = parse(OPTIONS + "answer: CABD\n")
    assert ORDERING.yaml_fields(fields) == fields
    again, problems = parse(OPTIONS + f"answer: [{', '.join(ORDERING.yaml_fields(fields)['answer'])}]\n")
    assert problems == [] and again == fields


def test_a_response_is_every_letter_once():
    assert ORDERING.response_problem(["C", "A", "B", "D"], LETTERS, 0) == ""
    for bad in (["C", "A", "B"], ["C", "A", "B", "B"], ["C", "A", "B", "E"], "CABD", ["C", "A", "B", 4], {}):
        assert ORDERING.response_problem(bad, LETTERS, 0) == \
            "应是全部 4 个选项字母（A、B、C、D，每个一次）排成的顺序列表"


def test_strict_is_all_or_nothing_and_position_gives_the_share_in_place():
    key = ["C", "A", "B", "D"]
    assert mark("ordering", key, ["C", "A", "B", "D"], 4) == 4.0
    assert mark("ordering", key, ["C", "A", "D", "B"], 4) == 0.0
    assert mark("ordering", key, ["C", "A", "D", "B"], 4, ordering_scoring="position") == 2.0
    assert mark("ordering", key, ["A", "B", "D", "C"], 4, ordering_scoring="position") == 0.0
    assert mark("ordering", key, ["C", "A", "B", "D"], 4, ordering_scoring="position") == 4.0
    assert mark("ordering", ["A", "B", "C"], ["A", "C", "B"], 2, ordering_scoring="position") == 0.67
    assert mark("ordering", key, None, 4, ordering_scoring="position") == 0.0
    with pytest.raises(ValueError, match="unknown ordering scoring rule 'half'"):
        ORDERING.mark(key, ["A", "B", "C", "D"], 4, multiple_scoring="strict", blank_order="fixed",
                      ordering_scoring="half")


def test_the_other_types_ignore_the_ordering_rule():
    assert mark("multiple", ["A", "C"], ["A"], 2, multiple_scoring="half", ordering_scoring="position") == 1.0
    assert mark("single", "A", "A", 2, ordering_scoring="position") == 2.0


def test_letters_map_element_by_element_keeping_the_order():
    shown_to_bank = {"A": "D", "B": "A", "C": "C", "D": "B"}
    assert ORDERING.in_letters(["B", "D", "C", "A"], shown_to_bank.__getitem__) == ["A", "B", "C", "D"]


def test_key_text_description_and_correction():
    assert ORDERING.describe_answer(["C", "A", "B", "D"]) == "C→A→B→D"
    assert ORDERING.describe_response(["C", "A", "B", "D"]) == "C→A→B→D"
    assert ORDERING.key_text(["C", "A", "B", "D"]) == "CABD"
    for typed in ("CABD", "C,A,B,D", "C→A→B→D", "C、A、B、D", "c a b d", "C-A-B-D"):
        assert ORDERING.parse_key(typed) == ["C", "A", "B", "D"], typed
    assert ORDERING.key_problem(["C", "A", "B", "D"], LETTERS, 0) == ""
    assert ORDERING.key_problem(["C", "A", "B"], LETTERS, 0).startswith("排序题答案应是全部 4 个选项字母")
    assert ORDERING.key_problem(["C", "A", "B", "B"], LETTERS, 0)


def test_what_a_marker_types_off_a_sheet_and_a_plain_form():
    assert ORDERING.sheet_response(["cabd"]) == ["C", "A", "B", "D"]
    assert ORDERING.sheet_response(["C、A、B、D"]) == ["C", "A", "B", "D"]
    assert ORDERING.sheet_response(["CABB"]) == ["C", "A", "B", "B"]   # kept, then refused as a slip
    assert ORDERING.sheet_response([" "]) is None
    assert ORDERING.form_response(["C", "A", "B", "D"]) == ["C", "A", "B", "D"]
    assert ORDERING.form_response(["", "", ""]) is None
    assert ORDERING.choices({"A": "一", "B": "二", "C": "三"}) == []


# -- always shuffled -------------------------------------------------------------------------------------------

def test_an_ordering_item_is_shuffled_away_from_the_bank_order_even_when_the_paper_does_not_shuffle():
    sizes, letters = [2, 1], [("A", "B", "C", "D"), ("A", "B", "C"), ("A", "B", "C", "D")]
    keys = [None, ["A", "B", "C"], ["A", "B", "C", "D"]]
    for seed in range(200):
        sections = arrange(sizes, letters, seed, shuffle_questions=False, shuffle_options=False,
                           shuffled_away_from=keys)
        single, ordering = sections[0]
        assert single.option_order == ("A", "B", "C", "D"), "other types keep the paper's setting"
        assert sorted(ordering.option_order) == ["A", "B", "C"] and ordering.option_order != ("A", "B", "C")
        assert sections[1][0].option_order != ("A", "B", "C", "D")
    seen = {arrange(sizes, letters, seed, False, False, keys)[0][1].option_order for seed in range(200)}
    assert len(seen) == 5, "every order but the bank's turns up"


def test_an_ordering_whose_key_is_not_the_banks_order_is_never_shown_so_that_it_reads_a_b_c():
    keys = [["C", "A", "B"]]
    seen = {arrange([1], [("A", "B", "C")], seed, False, False, keys)[0][0].option_order for seed in range(200)}
    assert ("C", "A", "B") not in seen and ("A", "B", "C") not in seen, "the key would read ABC, the bank's order too"
    assert len(seen) == 4


def test_the_keys_change_nothing_for_papers_without_always_shuffled_items():
    sizes, letters = [3], [("A", "B", "C", "D")] * 3
    for seed in range(20):
        assert arrange(sizes, letters, seed, True, True) == arrange(sizes, letters, seed, True, True,
                                                                    [None, None, None])


def test_shuffled_away_never_keeps_the_order():
    rng = random.Random(1)
    for _ in range(100):
        assert shuffled_away(["A", "B", "C"], rng) != ["A", "B", "C"]
    assert shuffled_away(["A"], rng) == ["A"]


# -- the blueprint's rule ----------------------------------------------------------------------------------------

BLUEPRINT = textwrap.dedent("""\
    paper: p
    title: 排序
    duration: 30
    ordering_scoring: position
    sections:
      - {title: 一、排序题, type: ordering, points: 2, pick: [{bank: party-affairs, count: 1}]}
    """)


def test_the_blueprint_says_how_ordering_items_score():
    blueprint, problems = parse_blueprint(BLUEPRINT, "paper.yaml")
    assert problems == [] and blueprint.ordering_scoring == "position"
    assert blueprint.spec()["ordering_scoring"] == "position"
    plain, _ = parse_blueprint(BLUEPRINT.replace("ordering_scoring: position\n", ""), "paper.yaml")
    assert plain.ordering_scoring == "strict" and "ordering_scoring" not in plain.spec(), "old hashes stay"
    blueprint, problems = parse_blueprint(BLUEPRINT.replace("position", "half"), "paper.yaml")
    assert blueprint is None
    assert [str(p) for p in problems] == ["paper.yaml:4: ordering_scoring 应为 strict | position 之一，而不是 'half'"]


# -- formats -----------------------------------------------------------------------------------------------------

def test_a_workbook_ordering_row_reads_its_items_and_its_order(tmp_path):
    from openpyxl import Workbook

    from app.domain.banks import BankDefaults, read_bank
    from app.domain.workbooks import HEADER, read_workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题目"
    for row in (HEADER, ["Q-1", "排序", "排出顺序。", "入党积极分子", "发展对象", "入党申请人", "", "", "", "", "",
                         "C→A→B", "解", "出"],
                ["Q-2", "排序题", "排出顺序。", "甲", "乙", "丙", "", "", "", "", "", "CAA", "解", "出"]):
        sheet.append(row)
    workbook.save(tmp_path / "o.xlsx")
    defaults = BankDefaults(slug="o", category="party_affairs", title="O")
    bank, problems = read_bank(read_workbook(tmp_path / "o.xlsx", "o.xlsx"), defaults=defaults, partial=True)
    assert [str(p) for p in problems] == ["o.xlsx:题目!3: [Q-2] 警告：未导入：排序题答案中 A 重复出现",
                                          "o.xlsx:题目!3: [Q-2] 警告：未导入：排序题答案缺少 B：应把全部 3 项排出顺序"]
    assert [(q.id, q.options, q.answer) for q in bank.questions] == [
        ("Q-1", {"A": "入党积极分子", "B": "发展对象", "C": "入党申请人"}, ["C", "A", "B"])]


def test_a_moodle_ordering_from_the_plugin_reads_its_items_in_the_order_of_their_fractions():
    from app.domain.banks import BankDefaults, read_bank
    from app.domain.interchange.moodle import parse_moodle
    xml = textwrap.dedent("""\
        <?xml version="1.0" encoding="UTF-8"?>
        <quiz>
        <question type="ordering">
          <name><text>ORD-1</text></name>
          <questiontext format="html"><text><![CDATA[<p>排出顺序。</p>]]></text></questiontext>
          <generalfeedback format="html"><text>细则。</text></generalfeedback>
          <answer fraction="2.0000000" format="moodle_auto_format"><text>入党积极分子</text></answer>
          <answer fraction="1.0000000" format="moodle_auto_format"><text>入党申请人</text></answer>
          <answer fraction="3.0000000" format="moodle_auto_format"><text>发展对象</text></answer>
        </question>
        </quiz>
        """)
    bank, problems = read_bank(parse_moodle(xml, "m.xml"),
                               defaults=BankDefaults(slug="m", category="party_affairs", title="M"))
    assert bank is not None, [str(p) for p in problems]
    question = bank.questions[0]
    assert question.type == "ordering" and question.answer == ["A", "B", "C"]
    assert question.options == {"A": "入党申请人", "B": "入党积极分子", "C": "发展对象"}


def test_a_text_paper_ordering_section_reads_items_and_order(tmp_path):
    from app.domain.banks import BankDefaults, read_bank
    from app.domain.documents import read_plain_text
    path = tmp_path / "卷.txt"
    path.write_text("\n".join(["一、排序题", "1. 把发展党员的身份排出顺序。", "A．入党积极分子", "B．发展对象",
                               "C．入党申请人", "答案：C→A→B", "解析：细则。", "出处：细则"]), encoding="utf-8")
    bank, problems = read_bank(read_plain_text(path, path.name),
                               defaults=BankDefaults(slug="t", category="party_affairs", title="T"))
    assert bank is not None, [str(p) for p in problems]
    assert [(q.type, q.answer, q.options["C"]) for q in bank.questions] == [("ordering", ["C", "A", "B"], "入党申请人")]
