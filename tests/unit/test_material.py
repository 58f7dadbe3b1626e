"""材料分析题 (issue 11, material): a shared material with 2–6 parts of the other objective types, each parsed, checked
and marked by its own type, sharing the item's points by weight; its YAML with each problem at its part's line; keys
as organisers type them, one block per part; answer sheets with one entry per part (per blank of a blank part)."""
import textwrap

import pytest

from app.domain.banks import dump_bank, parse_bank
from app.domain.marking import is_answered, key_problem, mark, response_problem
from app.domain.questions import question_type
from plugins.banks import line_of

PART_TYPES = ("小题的 type 应为 single（单选题） | multiple（多选题） | judge（判断题） | blank（填空题） | "
              "calculation（计算题） 之一，而不是 ")
BANK = textwrap.dedent("""\
    bank: mat
    title: 材料分析
    category: party_affairs
    questions:
      - id: M-1
        type: material
        stem: |
          某机关党支部有正式党员 12 名。
        parts:
          - type: single
            stem: 该支部应当设立（ ）。
            options: {A: 党小组, B: 支部委员会}
            answer: B
            weight: 2
          - type: judge
            stem: 该支部委员会每届任期五年。
            answer: false
          - type: blank
            stem: 预备期为___年，积极分子培养教育___年以上。
            answer: [一, 一]
        explanation: 解析
        source: 出处
    """)


def bank():
    spec, problems = parse_bank(BANK, "mat.yaml")
    assert problems == [], problems
    return spec


def kind():
    return question_type("material").bind(bank().questions[0].parts)


# -- YAML ---------------------------------------------------------------------------------------------------------

def test_parts_are_stored_without_keys_and_the_key_is_the_list_of_part_keys():
    question = bank().questions[0]
    assert question.answer == ["B", False, [["一"], ["一"]]]
    assert question.parts == [
        {"type": "single", "stem": "该支部应当设立（ ）。", "options": {"A": "党小组", "B": "支部委员会"}, "weight": 2},
        {"type": "judge", "stem": "该支部委员会每届任期五年。", "weight": 1},
        {"type": "blank", "stem": "预备期为___年，积极分子培养教育___年以上。", "blank_order": "fixed", "weight": 1},
    ]
    assert all("answer" not in part for part in question.parts)


def test_yaml_round_trip_and_a_changed_part_changes_the_hash():
    spec = bank()
    again, problems = parse_bank(dump_bank(spec), "mat.yaml")
    assert problems == [] and [q.content() for q in again.questions] == [q.content() for q in spec.questions]
    changed, _ = parse_bank(BANK.replace("answer: false", "answer: true"), "mat.yaml")
    assert changed.questions[0].content_hash() != spec.questions[0].content_hash()
    reworded, _ = parse_bank(BANK.replace("每届任期五年", "每届任期三年"), "mat.yaml")
    assert reworded.questions[0].content_hash() != spec.questions[0].content_hash()


def test_other_types_keep_their_content_without_parts():
    single, _ = parse_bank(BANK.replace("type: material", "type: single").split("    parts:")[0]
                           + "    options: {A: 一, B: 二}\n    answer: A\n", "s.yaml")
    assert "parts" not in single.questions[0].content()


@pytest.mark.parametrize(("old", "new", "fragment", "message"), [
    ("answer: B\n", "answer: C\n", "answer: C", "[M-1 （1）] 答案 C 不在选项 A, B 中"),
    ("answer: false", "answer: 也许", "也许",
     "[M-1 （2）] 判断题的 answer 应是 true/false（或 对/错、正确/错误、√/×），而不是 '也许'"),
    ("answer: [一, 一]", "answer: [一]", "answer: [一]", "[M-1 （3）] 题干有 2 个空，answer 却有 1 项"),
    ("type: judge", "type: short", "type: short", f"[M-1 （2）] 简答题由评委整题评分，不能作小题；{PART_TYPES}'short'"),
    ("type: judge", "type: material", "type: material\n",
     f"[M-1 （2）] 材料分析题不能作另一道材料分析题的小题；{PART_TYPES}'material'"),
    ("type: judge", "type: ordering", "type: ordering",
     (f"[M-1 （2）] 排序题的各项在小题中不打乱，而题库的顺序往往就是答案，不能作小题；"
      f"{PART_TYPES}'ordering'")),
    ("type: judge", "type: matching", "type: matching",
     f"[M-1 （2）] 匹配题不能作小题（小题不带左项）；{PART_TYPES}'matching'"),
    ("weight: 2", "weight: 0", "weight: 0", "[M-1 （1）] weight 应为正数（该小题占本题分值的份数），而不是 0"),
    ("        answer: false", "        answer: false\n        anwser: true", "anwser",
     "[M-1 （2）] 小题中未知字段 'anwser'（可用字段：answer, stem, type, weight）"),
    ("stem: 该支部委员会每届任期五年。", "stem: ''", "stem: ''", "[M-1 （2）] 小题的题干 stem 为空或缺失"),
])
def test_each_malformed_part_names_its_line_and_number(old, new, fragment, message):
    broken = BANK.replace(old, new, 1)
    spec, problems = parse_bank(broken, "mat.yaml")
    assert spec is None
    line = line_of(broken, fragment.strip().splitlines()[0]) if fragment != "type: material\n" else \
        [i for i, text in enumerate(broken.splitlines(), start=1) if text.strip() == "- type: material"][0]
    errors = [str(p) for p in problems if not p.warning]
    assert any(e.startswith(f"mat.yaml:{line}: ") and e.endswith(message) for e in errors), errors


@pytest.mark.parametrize("parts", [
    "    parts:\n      - type: judge\n        stem: 一\n        answer: true\n",
    "    parts: 没有\n",
    "",
])
def test_two_to_six_parts(parts):
    text = BANK.split("    parts:")[0] + parts + "    explanation: 解析\n    source: 出处\n"
    spec, problems = parse_bank(text, "mat.yaml")
    assert spec is None
    assert any("材料分析题应有 2 到 6 个小题（parts）" in str(p) for p in problems), problems


def test_a_part_field_outside_parts_is_refused():
    broken = BANK.replace("    explanation: 解析", "    answer: B\n    explanation: 解析")
    _spec, problems = parse_bank(broken, "mat.yaml")
    assert any("材料分析题不使用字段 'answer'" in str(p) for p in problems), problems


# -- responses and marking ----------------------------------------------------------------------------------------

def test_responses_are_one_per_part_each_checked_by_its_type():
    material = kind()
    assert response_problem(material, ["B", None, None]) == ""
    assert response_problem(material, [None, None, None]) == ""
    assert response_problem(material, ["B", True]) == "应是 3 个小题答案的列表（未答的小题为 null）"
    assert response_problem(material, "B") == "应是 3 个小题答案的列表（未答的小题为 null）"
    assert response_problem(material, ["E", None, None]) == "第 1 小题应是 A/B 中的一个字母"
    assert response_problem(material, [None, "对", None]) == "第 2 小题应是 true 或 false"
    assert response_problem(material, [None, None, ["一"]]) == "第 3 小题应是 2 个空的文字列表"


def test_an_all_null_list_is_unanswered():
    assert not is_answered([None, None, None])
    assert not is_answered([None, [], ["", " "]])
    assert is_answered([None, False, None])


def test_marks_are_the_parts_marks_by_weight():
    material, key = kind(), bank().questions[0].answer
    assert mark(material, key, ["B", False, ["一", "一"]], 8) == 8.0
    assert mark(material, key, ["B", None, None], 8) == 4.0          # weight 2 of 4
    assert mark(material, key, [None, False, None], 8) == 2.0
    assert mark(material, key, [None, None, ["1", "一"]], 8) == 1.0     # one of two blanks of a 2-point part
    assert mark(material, key, ["A", True, ["二", "二"]], 8) == 0.0
    assert mark(material, key, [None, None, None], 8) == 0.0
    assert mark(material, key, ["B", False, ["一", "一"]], 5) == 5.0    # 2.5 + 1.25 + 1.25


def test_rounded_once_as_every_score():
    material, key = kind(), bank().questions[0].answer
    assert mark(material, key, [None, False, ["一", ""]], 5) == 1.88      # 1.25 + 0.625, rounded half up once


def test_what_people_read():
    material, key = kind(), bank().questions[0].answer
    assert material.describe_answer(key) == "第1问 B；第2问 错误；第3问 （1）一；（2）一"
    assert material.describe_response(["A", None, ["一", ""]]) == "第1问 A；第2问 未答；第3问 （1）一；（2）未填"


def test_the_page_gets_part_fields_but_no_key():
    material, key = kind(), bank().questions[0].answer
    assert material.page_fields(key) == {"part_fields": [{}, {}, {}]}


# -- correcting a key ---------------------------------------------------------------------------------------------

def test_keys_as_organisers_type_them_one_block_per_part():
    material, key = kind(), bank().questions[0].answer
    text = material.key_text(key)
    assert text == "第1问：B\n第2问：错误\n第3问：\n一\n一"
    assert material.parse_key(text) == key
    assert material.key_rows(key) == 1 + 1 + 1 + 1 + 2 + 1
    corrected = material.parse_key("第1问: a\n第2问：正确\n第3问：\n一|壹\n一")
    assert corrected == ["A", True, [["一", "壹"], ["一"]]]
    assert key_problem(material, (), 0, corrected) == ""
    assert key_problem(material, (), 0, material.parse_key("第1问：C\n第2问：对\n第3问：\n一\n一")) == \
        "第 1 问：单选题答案应是 A/B 中的一个字母"
    assert key_problem(material, (), 0, material.parse_key("第1问：B\n第2问：对")) == \
        "材料分析题答案应有 3 段，每段以“第N问：”开头"
    assert key_problem(material, (), 0, material.parse_key("B\n对\n一")) == \
        "材料分析题答案应有 3 段，每段以“第N问：”开头"


# -- answer sheets ------------------------------------------------------------------------------------------------

def test_answer_sheets_take_one_entry_per_part_and_per_blank():
    material = kind()
    assert [material.sheet_entries(part) for part in material.parts] == [1, 1, 2]
    assert material.sheet_response(["b", "×", "一", ""]) == ["B", False, ["一", ""]]
    assert material.sheet_response(["", "", "", ""]) is None
    assert material.sheet_response(["", "√", "", ""]) == [None, True, None]
    with pytest.raises(ValueError, match="第 2 小题应填 对 或 错"):
        material.sheet_response(["B", "也许", "", ""])


# -- formats ------------------------------------------------------------------------------------------------------

def test_a_workbook_leaves_a_material_out_and_a_material_row_is_refused_at_its_row(tmp_path):
    from openpyxl import Workbook

    from app.domain.banks import BankDefaults, read_bank
    from app.domain.workbooks import read_workbook, write_workbook
    mixed = BANK + "  - {id: S-1, type: judge, stem: 对吗？, answer: true, explanation: 解析, source: 出处}\n"
    spec, problems = parse_bank(mixed, "mat.yaml")
    assert problems == []
    path = tmp_path / "mat.xlsx"
    path.write_bytes(write_workbook(spec))
    back, problems = read_bank(read_workbook(path, path.name))
    assert [q.id for q in back.questions] == ["S-1"]
    book = Workbook()
    sheet = book.active
    sheet.title = "题目"
    for row in [["序号", "类型", "题干", "正确答案", "来源", "解析"], [1, "材料分析题", "某支部……", "B", "出处", "解"]]:
        sheet.append(row)
    hand = tmp_path / "hand.xlsx"
    book.save(hand)
    _back, problems = read_bank(read_workbook(hand, hand.name), BankDefaults(slug="d", category="policy", title="d"))
    assert any(str(p).startswith("hand.xlsx:题目!2: [1] ") and "材料分析题" in str(p) and "YAML" in str(p)
               for p in problems), [str(p) for p in problems]


def test_moodle_gift_and_qti_leave_a_material_out_saying_so():
    from app.banks.formats import FORMATS, left_out
    from app.domain.interchange.gift import write_gift
    from app.domain.interchange.moodle import write_moodle
    spec = bank()
    assert "M-1（材料分析题）：Moodle 没有对应的题型，未导出" in write_moodle(spec).decode()
    assert "// M-1（材料分析题）：GIFT 没有对应的题型，未导出" in write_gift(spec).decode()
    for name in ("xlsx", "moodle", "gift", "qti"):
        assert left_out(spec, FORMATS[name]) == [
            f"mat/M-1（材料分析题）：{name} 格式不支持该题型，未导出（YAML 导出保留全部题目）"]
    assert left_out(spec, FORMATS["yaml"]) == []
