"""Issue 13: a bank reads what organisers write. Text fields keep their characters (never a YAML 1.1 number, date,
boolean or null), keys are read in the spellings organisers use, and a warning repeated across many questions is
reported once with its count."""
import textwrap

import pytest

from app.domain import yamlmarks
from app.domain.banks import TEXT_KEYS, dump_bank, parse_bank
from app.domain.problems import SUMMARY_ABOVE, SUMMARY_SHOWS, Problem, summarised
from plugins.banks import VALID

# Each one is something YAML 1.1 would have turned into another value: octal 8, hex 31, 10, sexagesimal 90, floats,
# a date, booleans, null.
QUIRKS = ["010", "0x1F", "1_0", "1:30", "1.50", "1e3", ".inf", "2024-01-01", "yes", "no", "on", "off", "null", "~",
          "true", "是", "0o17", "+12"]


def bank(body: str) -> str:
    return "bank: b\ntitle: t\ncategory: theory\nquestions:\n" + textwrap.indent(textwrap.dedent(body), "  ")


def only(text: str):
    spec, problems = parse_bank(text, "bank.yaml")
    assert spec is not None, [str(p) for p in problems]
    return spec.questions[0]


@pytest.mark.parametrize("written", QUIRKS)
def test_options_stems_explanations_sources_and_tags_keep_the_characters_written(written):
    question = only(bank(f"""\
        - id: Q1
          type: single
          stem: {written}
          options: {{A: {written}, B: 二}}
          answer: A
          explanation: {written}
          source: {written}
          tags: [{written}]
        """))
    assert question.stem == question.options["A"] == question.explanation == question.source == written
    assert question.tags == [written]


@pytest.mark.parametrize("written", ["024", "010", "1:30", "0x1F", "1_0", "3.10", "2024-01-01", "yes", "null"])
def test_a_blank_answer_and_its_variants_keep_the_characters_written(written):
    question = only(bank(f"""\
        - id: Q1
          type: blank
          stem: 答案是___和___。
          answer: [{written}, [{written}, 又一写法]]
          explanation: 解
          source: 出处
        """))
    assert question.answer == [[written], [written, "又一写法"]]


def test_ids_reference_answers_rubric_points_and_matching_prompts_are_text_too():
    question = only(bank("""\
        - id: 0010
          type: short
          stem: 简答
          reference_answer: 1:30
          rubric: [{point: 010, score: 2}, {point: yes, score: 1.5}]
          explanation: 解
          source: 出处
          difficulty: 4
        """))
    assert question.id == "0010" and question.reference_answer == "1:30"
    assert question.rubric == [{"point": "010", "score": 2}, {"point": "yes", "score": 1.5}]
    assert question.difficulty == 4     # numbers where a number belongs stay numbers


def test_numbers_and_flags_keep_their_yaml_types():
    document = yamlmarks.load("practice: yes\ndifficulty: 010\nanswer: 010\nnested: {stem: [1:30, {x: 0x1F}]}\n",
                              TEXT_KEYS)
    assert document["practice"] is True and document["difficulty"] == 8
    assert document["answer"] == "010" and document["nested"]["stem"] == ["1:30", {"x": "0x1F"}]
    assert yamlmarks.load("answer: 010\n")["answer"] == 8      # papers and contests read YAML as before


def test_an_empty_text_field_is_still_missing():
    _, problems = parse_bank(VALID.replace("stem: 预备党员的预备期为一年。", "stem:"), "bank.yaml")
    assert any("题干 stem 为空或缺失" in str(problem) for problem in problems)


def test_an_option_written_yes_is_kept_not_refused_as_empty():
    question = only(bank("""\
        - id: Q1
          type: single
          stem: 题
          options: {A: yes, B: no, C: on, D: off}
          answer: C
          explanation: 解
          source: 出处
        """))
    assert question.options == {"A": "yes", "B": "no", "C": "on", "D": "off"} and question.answer == "C"


@pytest.mark.parametrize("written", ["ABD", "A B D", "A,B,D", "A、B、D", "A，B，D", "[A, B, D]", "[D, B, A]"])
def test_multiple_answers_in_the_spellings_organisers_use(written):
    question = only(bank(f"""\
        - id: Q1
          type: multiple
          stem: 题
          options: {{A: 甲, B: 乙, C: 丙, D: 丁}}
          answer: {written}
          explanation: 解
          source: 出处
        """))
    assert question.answer == ["A", "B", "D"]


@pytest.mark.parametrize("written, value", [("是", True), ("否", False), ("对", True), ("错", False), ("正确", True),
                                            ("错误", False), ("√", True), ("×", False), ("true", True),
                                            ("false", False), ("yes", True), ("no", False)])
def test_judge_answers_in_the_words_organisers_use(written, value):
    question = only(bank(f"""\
        - id: Q1
          type: judge
          stem: 题
          answer: {written}
          explanation: 解
          source: 出处
        """))
    assert question.answer is value


def test_text_written_as_a_yaml_number_round_trips_through_the_export():
    text = bank("""\
        - id: Q1
          type: blank
          stem: 编号是___。
          answer: ['024']
          explanation: 010
          source: 1:30
        """)
    spec, _ = parse_bank(text, "bank.yaml")
    exported = dump_bank(spec)
    again, problems = parse_bank(exported, "bank.yaml")
    assert problems == [] and dump_bank(again) == exported
    assert [q.content() for q in again.questions] == [q.content() for q in spec.questions]
    assert again.questions[0].answer == [["024"]] and again.questions[0].explanation == "010"


# -- repeated warnings ------------------------------------------------------------------------------------------------

def warnings(count: int, message: str = "缺少 explanation（答案解析）") -> list[Problem]:
    return [Problem("bank.yaml", 10 * n, message, f"Q{n}", warning=True) for n in range(1, count + 1)]


def test_a_warning_repeated_across_many_questions_is_one_line_with_its_count_and_first_places():
    error = Problem("bank.yaml", 5, "题干 stem 为空或缺失", "Q0")
    few = warnings(SUMMARY_ABOVE, "缺少 source（答案出处）")
    problems = sorted([error, *warnings(50), *few])
    lines = summarised(problems)
    shown = "、".join(f"bank.yaml:{10 * n} [Q{n}]" for n in range(1, SUMMARY_SHOWS + 1))
    assert lines == [str(error), *map(str, few),
                     f"警告 ×50：缺少 explanation（答案解析）（如 {shown} 等；--verbose 列出全部）"]
    assert summarised(problems, verbose=True) == [str(problem) for problem in problems]
