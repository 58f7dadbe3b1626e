"""The question-type registry (issue 10): each type's YAML, response, marking, key and description, worked by hand."""
import pytest

from app.domain import yamlmarks
from app.domain.inputs import BAD_TEXT
from app.domain.problems import Report
from app.domain.questions import QUESTION_TYPES, TYPES, question_type

LETTERS = ("A", "B", "C", "D")


def parse(name: str, text: str, stem: str = "题干"):
    """One question's type-specific fields, and the problems as `flask bank validate` prints them."""
    report = Report("bank.yaml")
    fields = question_type(name).parse(yamlmarks.load(text), "Q1", stem, report)
    return fields, [str(problem) for problem in report.problems]


def test_the_registry_holds_exactly_the_seven_types_with_their_labels():
    assert TYPES == {"single": "单选题", "multiple": "多选题", "judge": "判断题", "blank": "填空题", "short": "简答题",
                     "calculation": "计算题", "ordering": "排序题", "matching": "匹配题", "material": "材料分析题"}
    assert [kind.name for kind in QUESTION_TYPES] == list(TYPES)
    assert len({kind.input for kind in QUESTION_TYPES}) == 9, "each type names its own input kind"
    assert [kind.name for kind in QUESTION_TYPES if kind.drillable] == ["single", "multiple", "judge", "blank",
                                                                          "calculation", "ordering", "matching",
                                                                          "material"]
    assert [kind.name for kind in QUESTION_TYPES if kind.always_shuffled] == ["ordering", "matching"]
    assert [kind.name for kind in QUESTION_TYPES if not kind.objective] == ["short"]
    assert question_type("judge") is question_type("judge")


def test_an_unknown_type_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown item type 'essay'"):
        question_type("essay")


# -- single -------------------------------------------------------------------------------------------------------

def test_single_parses_options_and_one_letter():
    fields, problems = parse("single", "options: {A: 三, B: 五}\nanswer: B\n")
    assert fields == {"options": {"A": "三", "B": "五"}, "answer": "B"} and problems == []
    _, problems = parse("single", "options: {A: 三, B: 五}\nanswer: [A]\n")
    assert problems == ["bank.yaml:2: [Q1] 单选题的 answer 应是一个选项字母，如 A"]
    _, problems = parse("single", "options: {A: 三, C: 五}\nanswer: E\n")
    assert problems == ["bank.yaml:1: [Q1] 选项字母应从 A 起依次排列，而不是 A, C",
                        "bank.yaml:2: [Q1] 答案 E 不在选项 A, C 中"]
    _, problems = parse("single", "answer: A\n")
    assert problems == ["bank.yaml:1: [Q1] 缺少 options，或 options 不是 {A: …, B: …} 形式"]


def test_single_responses_marks_and_key():
    single = question_type("single")
    assert single.response_problem("B", LETTERS, 0) == ""
    assert single.response_problem("E", LETTERS, 0) == "应是 A/B/C/D 中的一个字母"
    assert single.mark("B", "B", 1.5, multiple_scoring="strict", blank_order="fixed") == 1.5
    assert single.mark("B", "C", 1.5, multiple_scoring="strict", blank_order="fixed") == 0.0
    assert single.describe_answer("B") == single.describe_response("B") == single.key_text("B") == "B"
    assert single.parse_key("b") == "B" and single.key_problem("B", LETTERS, 0) == ""
    assert single.key_problem("E", LETTERS, 0) == "单选题答案应是 A/B/C/D 中的一个字母"
    assert single.form_response(["C"]) == "C" and single.form_response([]) is None
    assert single.choices({"A": "三", "B": "五"}) == ["A", "B"]
    assert single.picks("A", "A") and not single.picks("A", "B")
    assert single.has_options and single.has_distractors and not single.many_choices


# -- multiple -----------------------------------------------------------------------------------------------------

def test_multiple_parses_a_sorted_list_of_two_or_more_letters():
    fields, problems = parse("multiple", "options: {A: 甲, B: 乙, C: 丙}\nanswer: [C, A]\n")
    assert fields["answer"] == ["A", "C"] and problems == []
    _, problems = parse("multiple", "options: {A: 甲, B: 乙, C: 丙}\nanswer: [A, A]\n")
    assert problems == ["bank.yaml:2: [Q1] 多选题答案中有重复字母", "bank.yaml:2: [Q1] 多选题至少要有两个正确选项"]
    _, problems = parse("multiple", "options: {A: 甲, B: 乙}\nanswer: 甲乙\n")
    assert problems == ["bank.yaml:2: [Q1] 多选题的 answer 应是字母列表，如 [A, C]（也可写 AC、A C、A,C 或 A、C）"]


@pytest.mark.parametrize("written", ["ABD", "A B D", "A,B,D", "A、B、D", "[A, B, D]", "abd", "Ａ，Ｂ，Ｄ", "[D, A, B]"])
def test_multiple_reads_a_key_as_organisers_write_it(written):
    fields, problems = parse("multiple", f"options: {{A: 甲, B: 乙, C: 丙, D: 丁}}\nanswer: {written}\n")
    assert fields["answer"] == ["A", "B", "D"] and problems == []


def test_multiple_written_as_one_letter_still_needs_two():
    _, problems = parse("multiple", "options: {A: 甲, B: 乙}\nanswer: A\n")
    assert problems == ["bank.yaml:2: [Q1] 多选题至少要有两个正确选项"]


@pytest.mark.parametrize("rule, chosen, expected", [
    ("strict", ["A", "B"], 0.0), ("half", ["A"], 1.0), ("proportional", ["A", "B"], 1.33), ("half", ["A", "D"], 0.0),
])
def test_multiple_marks_by_the_papers_rule(rule, chosen, expected):
    multiple = question_type("multiple")
    assert multiple.mark(["A", "B", "C"], chosen, 2, multiple_scoring=rule, blank_order="fixed") == expected


def test_multiple_responses_and_key():
    multiple = question_type("multiple")
    assert multiple.response_problem(["A", "C"], LETTERS, 0) == ""
    assert multiple.response_problem(["A", "A"], LETTERS, 0) == "应是不重复的选项字母列表"
    assert multiple.describe_response(["C", "A"]) == multiple.describe_answer(["A", "C"]) == "A、C"
    assert multiple.key_text(["A", "C"]) == "AC" and multiple.parse_key("c, a；C") == ["A", "C"]
    assert multiple.key_problem(["A"], LETTERS, 0) == "多选题答案应是至少两个选项字母"
    assert multiple.form_response(["C", "A"]) == ["A", "C"]
    assert multiple.picks(["A", "C"], "C") and not multiple.picks(None, "C") and multiple.many_choices


# -- judge --------------------------------------------------------------------------------------------------------

def test_judge_reads_the_words_people_write_for_true_and_false():
    assert parse("judge", "answer: 对\n") == ({"answer": True}, [])
    assert parse("judge", "answer: ×\n") == ({"answer": False}, [])
    for written, value in [("是", True), ("否", False), ("正确", True), ("错误", False), ("√", True), ("true", True),
                           ("FALSE", False), ("yes", True), ("no", False)]:
        assert parse("judge", f"answer: {written}\n") == ({"answer": value}, []), written
    fields, problems = parse("judge", "answer: 也许\n")
    assert fields == {} and problems == [
        "bank.yaml:1: [Q1] 判断题的 answer 应是 true/false（或 对/错、正确/错误、√/×），而不是 '也许'"]


def test_judge_responses_marks_and_key():
    judge = question_type("judge")
    assert judge.response_problem(False, (), 0) == "" and judge.response_problem(0, (), 0) == "应是 true 或 false"
    assert judge.mark(False, False, 1, multiple_scoring="strict", blank_order="fixed") == 1.0
    assert judge.describe_response(True) == judge.describe_answer(True) == judge.key_text(True) == "正确"
    assert judge.parse_key("错") is False and judge.key_problem(None, (), 0) == "判断题答案应是 正确 或 错误"
    assert judge.form_response(["false"]) is False and judge.form_response(["maybe"]) is None
    assert judge.choices({}) == [True, False] and judge.picks(False, False) and not judge.picks(None, False)


# -- blank --------------------------------------------------------------------------------------------------------

def test_blank_parses_one_entry_per_blank_with_variants():
    fields, problems = parse("blank", "answer: [[义务, 党员义务], 纪律]\nblank_order: any\n", stem="履行___，遵守___。")
    assert fields == {"answer": [["义务", "党员义务"], ["纪律"]], "blank_order": "any"} and problems == []
    _, problems = parse("blank", "answer: [义务]\n", stem="履行___，遵守___。")
    assert problems == ["bank.yaml:1: [Q1] 题干有 2 个空，answer 却有 1 项"]
    _, problems = parse("blank", "answer: 义务\n", stem="履行义务。")
    assert problems == ["bank.yaml:1: [Q1] 填空题的题干中没有 ___（三个或更多下划线表示一个空）"]


def test_blank_responses_marks_and_key():
    blank = question_type("blank")
    key = [["义务", "党员义务"], ["纪律"]]
    assert blank.response_problem(["义务", ""], (), 2) == ""
    assert blank.response_problem(["义务"], (), 2) == "应是 2 个空的文字列表"
    assert blank.response_problem(["义务", "纪" * 501], (), 2) == "每空不超过 500 个字符"
    assert blank.mark(key, ["党员义务", "纪律。"], 2, multiple_scoring="strict", blank_order="fixed") == 2.0
    assert blank.mark(key, ["纪律", "义务"], 2, multiple_scoring="strict", blank_order="fixed") == 0.0
    assert blank.mark(key, ["纪律", "义务"], 2, multiple_scoring="strict", blank_order="any") == 2.0
    assert blank.describe_answer(key) == "（1）义务 / 党员义务；（2）纪律"
    assert blank.describe_response(["义务", ""]) == "（1）义务；（2）未填"
    assert blank.key_text(key) == "义务 | 党员义务\n纪律" and blank.parse_key("义务｜党员义务\n\n纪律") == key
    assert blank.key_rows(key) == 2
    assert blank.key_problem([["义务"]], (), 2) == "填空题答案应有 2 个空，每空至少一个可接受的写法"
    assert blank.form_response(["义务", ""]) == ["义务", ""] and blank.has_blanks


# -- short --------------------------------------------------------------------------------------------------------

def test_short_parses_a_reference_answer_and_rubric():
    fields, problems = parse("short", "reference_answer: 参考\nrubric:\n  - {point: 要点, score: 2}\n")
    assert fields == {"reference_answer": "参考", "rubric": [{"point": "要点", "score": 2}]} and problems == []
    _, problems = parse("short", "rubric:\n  - {pont: 要点, score: 0}\n")
    assert problems == ["bank.yaml:1: [Q1] 简答题缺少 reference_answer（参考答案）",
                        "bank.yaml:2: [Q1] 评分要点中未知字段 'pont'（可用字段：point, score）",
                        "bank.yaml:2: [Q1] 评分要点缺少 point", "bank.yaml:2: [Q1] 评分要点的 score 应为正数，而不是 0"]


def test_short_is_written_and_left_to_a_judge():
    short = question_type("short")
    assert short.response_problem("答", (), 0) == "" and short.response_problem(["答"], (), 0) == "应是一段文字"
    assert short.response_problem("论" * 20_001, (), 0) == "简答不超过 20000 个字符"
    assert short.response_problem("\ud83d", (), 0) == BAD_TEXT
    assert short.describe_response("我的回答") == "我的回答"
    assert short.describe_answer(None) == short.key_text(None) == ""
    assert short.key_problem(None, (), 0) == "简答题由评委评分，没有可更正的答案"
    assert not short.objective and not short.drillable and short.choices({}) == []


# -- export -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, written", [
    ("single", {"options": {"A": "甲", "B": "乙"}, "answer": "A"}, {"options": {"A": "甲", "B": "乙"}, "answer": "A"}),
    ("judge", {"answer": False}, {"answer": False}),
    ("blank", {"answer": [["义务", "党员义务"], ["纪律"]], "blank_order": "fixed"},
     {"answer": [["义务", "党员义务"], "纪律"]}),
    ("short", {"reference_answer": "参考", "rubric": [{"point": "要点", "score": 2}]},
     {"reference_answer": "参考", "rubric": [{"point": "要点", "score": 2}]}),
])
def test_each_type_writes_its_fields_for_the_export(name, content, written):
    assert question_type(name).yaml_fields(content) == written
