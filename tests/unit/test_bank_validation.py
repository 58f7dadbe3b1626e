"""Every bank validation rule (DESIGN §3.1), each with a malformed file, through the domain module."""
import gc

import pytest

from app.domain.banks import dump_bank, parse_bank, validate_texts
from app.domain.contests import parse_contest
from app.domain.papers import parse_blueprint
from plugins.banks import DEEP, TAGS, VALID, line_of
from plugins.contests import CANDIDATES, CONTEST
from plugins.exams import BLUEPRINT


def check(text: str, file: str = "bank.yaml"):
    bank, problems = parse_bank(text, file)
    return bank, [str(p) for p in problems]


def replace(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_valid_bank_parses_to_canonical_form():
    bank, problems = check(VALID)
    assert problems == []
    assert bank.slug == "party-affairs" and len(bank.questions) == 5
    single, multiple, judge, blank, short = bank.questions
    assert single.answer == "A" and single.difficulty == 2
    assert multiple.answer == ["A", "B", "C"] and multiple.difficulty == 3
    assert judge.answer is True
    assert blank.answer == [["义务", "党员义务"], ["纪律"]]
    assert short.answer is None and short.rubric[1] == {"point": "组织党员学习", "score": 3}


@pytest.mark.parametrize("old, new, fragment, message", [
    ("    answer: A\n", "    anwser: A\n", "anwser", "未知字段 'anwser'"),
    ("title: 党务业务知识\n", "title: 党务业务知识\ncolour: red\n", "colour", "未知字段 'colour'"),
    ("    type: single\n", "    type: choice\n", "type: choice", "未知题型 'choice'"),
    ("    answer: A\n", "    answer: E\n", "answer: E", "答案 E 不在选项 A, B, C, D 中"),
    ("    answer: [A, B, C]\n", "    answer: [A]\n", "answer: [A]", "多选题至少要有两个正确选项"),
    ("    answer: [A, B, C]\n", "    answer: [A, F]\n", "answer: [A, F]", "答案 F 不在选项"),
    ("    answer: 对\n", "    answer: 也许\n", "answer: 也许", "判断题的 answer 应是 true/false"),
    ("    answer: [[义务, 党员义务], 纪律]\n", "    answer: [义务]\n", "answer: [义务]",
     "题干有 2 个空，answer 却有 1 项"),
    ("    stem: 党员必须履行___，遵守___。\n", "    stem: 党员必须履行义务。\n", "党员必须履行义务", "没有 ___"),
    ("    difficulty: 2\n", "    difficulty: 6\n", "difficulty: 6", "difficulty 应为 1 到 5 的整数"),
    ("    difficulty: 2\n", "    difficulty: 0\n", "difficulty: 0", "difficulty 应为 1 到 5 的整数"),
    ("    stem: 有正式党员（ ）人以上的，应当成立党支部。\n", "    stem: ''\n", "stem: ''", "题干 stem 为空或缺失"),
    ("{A: 三, B: 五, C: 七, D: 十}", "{A: 三, B: '', C: 七, D: 十}", "B: ''", "选项 B 为空"),
    ("{A: 三, B: 五, C: 七, D: 十}", "{A: 三}", "{A: 三}", "选项应有 2 到 8 个"),
    ("{A: 三, B: 五, C: 七, D: 十}", "{A: 三, C: 五}", "{A: 三, C: 五}", "选项字母应从 A 起依次排列"),
    ("    blank_order: fixed\n", "    blank_order: random\n", "blank_order: random", "blank_order 应为 any 或 fixed"),
    ("    reference_answer: 宣传和执行党的路线方针政策……\n", "", "id: PA-0005", "缺少 reference_answer"),
    ("      - {point: 组织党员学习, score: 3}\n", "      - {point: 组织党员学习, score: -1}\n", "score: -1",
     "score 应为正数"),
    ("      - {point: 组织党员学习, score: 3}\n", "      - {pont: 组织党员学习, score: 3}\n", "pont",
     "评分要点中未知字段 'pont'"),
    ("    answer: 对\n", "    answer: 对\n    options: {A: 对, B: 错}\n", "options: {A: 对",
     "判断题不使用字段 'options'"),
    ("  - id: PA-0002\n", "  - id: PA-0001  # again\n", "# again", "题目 id 重复"),
    ("    answer: A\n", "    answer: A\n    answer: B\n", "answer: B", "字段 'answer' 重复出现"),
    ("category: party_affairs\n", "category: ideology\n", "category: ideology", "category 应为"),
    ("bank: party-affairs\n", "bank: Party Affairs\n", "bank: Party Affairs", "只能用小写字母"),
    ("    tags: [支部工作条例, 组织设置]\n", "    tags: 组织设置\n", "tags: 组织设置", "tags 应是非空文字的列表"),
])
def test_each_rule_names_file_line_and_question(old, new, fragment, message):
    text = replace(old, new)
    bank, problems = check(text)
    assert bank is None, "a bank with errors must not be returned"
    matching = [p for p in problems if message in p]
    assert matching, problems
    line = line_of(text, fragment)
    assert any(p.startswith(f"bank.yaml:{line}:") for p in matching), (line, matching)


def test_problem_format_carries_question_id():
    _, problems = check(replace("    answer: A\n", "    anwser: A\n"))
    assert problems[0].startswith("bank.yaml:10: [PA-0001] 未知字段 'anwser'")


@pytest.mark.parametrize("old, new, expected", [
    ("    answer: A\n", "    answer: A: B\n", "bank.yaml:10: YAML 语法错误：mapping values are not allowed"),
    ("title: 党务业务知识\n", "\ttitle: 党务业务知识\n", "bank.yaml:2: YAML 语法错误"),
])
def test_yaml_syntax_error_names_its_line(old, new, expected):
    _, problems = check(replace(old, new))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_missing_top_level_fields():
    _, problems = check("questions: []\n")
    text = "\n".join(problems)
    assert "缺少 bank" in text and "缺少 title" in text and "category 应为" in text and "questions" in text


def test_judge_accepts_every_written_form():
    for word, value in [("true", True), ("false", False), ("对", True), ("错", False),
                        ("正确", True), ("错误", False), ("√", True), ("×", False)]:
        bank, problems = check(replace("    answer: 对\n", f"    answer: {word}\n"))
        assert problems == [] and bank.questions[2].answer is value, word


def test_all_problems_of_all_files_in_one_run():
    bad_one = replace("    answer: A\n", "    anwser: A\n")
    bad_two = replace("    difficulty: 2\n", "    difficulty: 9\n").replace("bank: party-affairs", "bank: other")
    banks, problems = validate_texts([("one.yaml", bad_one), ("two.yaml", bad_two)])
    assert banks == []
    files = {str(p).split(":")[0] for p in problems if not p.warning}
    assert files == {"one.yaml", "two.yaml"}


def test_duplicate_bank_slugs_across_files():
    banks, problems = validate_texts([("one.yaml", VALID), ("two.yaml", VALID)])
    errors = [str(p) for p in problems if not p.warning]
    assert errors == ["two.yaml:1: 题库标识 bank: party-affairs 与 one.yaml 重复"]
    assert [b.file for b in banks] == ["one.yaml"]


def test_warnings_do_not_fail_a_bank():
    text = replace("    explanation: 支部工作条例第五条。\n", "").replace(
        "    stem: 简述党支部的基本任务。", "    stem: “三会一课”包括哪些")
    bank, problems = check(text)
    assert bank is not None
    assert any("警告：缺少 explanation" in p and "[PA-0001]" in p for p in problems)
    _, cross = validate_texts([("bank.yaml", text)])
    assert any(p.warning and "题干与 party-affairs/PA-0002 重复" in p.message for p in cross)


def test_dump_round_trips_to_the_same_content():
    bank, _ = check(VALID.replace("    blank_order: fixed\n", "    blank_order: any\n"))
    again, problems = check(dump_bank(bank))
    assert [p for p in problems if "警告" not in p] == []
    assert [q.content_hash() for q in again.questions] == [q.content_hash() for q in bank.questions]


def test_multiline_text_round_trips():
    text = VALID.replace("    stem: 简述党支部的基本任务。\n",
                         "    stem: |\n      简述党支部的基本任务。\n\n      **要点**：三条。\n")
    bank, _ = check(text)
    again, _ = check(dump_bank(bank))
    assert again.questions[4].stem == bank.questions[4].stem == "简述党支部的基本任务。\n\n**要点**：三条。"


def test_a_bank_is_closed_to_practice_unless_it_says_practice_true():
    assert check(VALID)[0].practice is True
    closed, problems = check(VALID.replace("practice: true\n", ""))
    assert closed.practice is False and not [p for p in problems if "警告" not in p]
    assert check(VALID.replace("practice: true", "practice: false"))[0].practice is False
    assert "practice: true" in dump_bank(check(VALID)[0]) and "practice" not in dump_bank(closed)


@pytest.mark.parametrize("value", ["yes please", "1", "'true'", "[true]"])
def test_practice_must_be_true_or_false(value):
    bank, problems = check(VALID.replace("practice: true", f"practice: {value}"))
    assert bank is None and any(p.startswith("bank.yaml:4: ") and "practice 应为 true" in p for p in problems)


# -- files too deep, too large, or holding text that cannot be stored (issue 9): a problem with its line ---------

SHORT_STEM = "stem: 简述党支部的基本任务。"
BAD_TEXT = "文字含有无法保存的字符"
LAUGHS = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10) if n else ', '.join(['x'] * 10)}]\n" for n in range(8))


@pytest.mark.parametrize("text, line, message", [
    (VALID.replace(TAGS, f"tags: {DEEP}"), line_of(VALID, TAGS), "YAML 嵌套超过 20 层"),
    (VALID + "extra:\n" + "".join("  " * depth + "- \n" for depth in range(1, 40)), None, "YAML 嵌套超过 20 层"),
    (VALID + LAUGHS, None, "YAML 内容过多：展开别名后超过 1000000 个值"),
    (VALID + "loop: &loop [*loop]\n", None, "YAML 别名引用了包含它自己的内容"),
    (VALID.replace(SHORT_STEM, 'stem: "简述\\0"'), line_of(VALID, SHORT_STEM), BAD_TEXT),
    (VALID.replace(SHORT_STEM, 'stem: "简述\\ud800"'), line_of(VALID, SHORT_STEM), BAD_TEXT),
    (VALID.replace(SHORT_STEM, 'stem: "简述\\e[31m"'), line_of(VALID, SHORT_STEM), BAD_TEXT),
    ("# " + "x" * 5_000_000 + "\n" + VALID, 1, "文件过大：超过 5000000 个字符"),
])
def test_a_bank_too_deep_too_large_or_with_unstorable_text_is_a_problem_with_its_line(text, line, message):
    bank, problems = check(text)
    assert bank is None and len(problems) == 1, problems
    found_line = int(problems[0].split(":")[1])
    assert problems[0].startswith(f"bank.yaml:{found_line}: ") and message in problems[0], problems
    assert line is None or found_line == line, problems


def test_loading_leaves_the_cycle_collector_as_it_found_it():
    # Paused while a document loads (it makes no garbage, and a large one would be walked many times over).
    for text in (VALID, VALID + LAUGHS, VALID + "loop: &loop [*loop]\n"):
        check(text)
        assert gc.isenabled()
    gc.disable()
    try:
        check(VALID)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_paper_or_contest_too_deep_is_a_problem_with_its_line():
    spec, problems = parse_blueprint(BLUEPRINT.replace("duration: 30", f"duration: {DEEP}"), "papers/five.yaml")
    assert spec is None and [str(p) for p in problems] == ["papers/five.yaml:3: YAML 嵌套超过 20 层"]
    spec, problems = parse_contest(CONTEST.replace("title: 测试比武", f"title: {DEEP}"), "contest.yaml",
                                   lambda name: CANDIDATES)
    assert spec is None and [str(p) for p in problems] == ["contest.yaml:2: YAML 嵌套超过 20 层"]
    spec, problems = parse_contest(CONTEST, "contest.yaml", lambda name: CANDIDATES + "bad,坏\x00人,c01\n")
    assert spec is None and [str(p) for p in problems] == [
        "candidates.csv:9: 本行含有无法保存的字符（空字符、控制字符或不成对的代理项）"]


def test_a_family_is_text_kept_in_the_content_and_round_trips():
    bank, problems = check(replace("    tags: [支部工作条例, 组织设置]\n",
                                   "    tags: [支部工作条例, 组织设置]\n    family: 024\n"))
    assert problems == []
    first = bank.questions[0]
    assert first.family == "024" and first.content()["family"] == "024"
    assert "family" not in bank.questions[1].content()
    again, _ = check(dump_bank(bank))
    assert again.questions[0].family == "024"
    assert [q.content_hash() for q in again.questions] == [q.content_hash() for q in bank.questions]


@pytest.mark.parametrize("family", ['""', "[a, b]", "x" * 65])
def test_a_family_is_one_short_line_of_text(family):
    tags = "    tags: [支部工作条例, 组织设置]\n"
    text = replace(tags, f"{tags}    family: {family}\n")
    bank, problems = check(text)
    assert bank is None
    where = f"bank.yaml:{line_of(text, 'family:')}: [PA-0001] family 应是一行"
    assert any(p.startswith(where) for p in problems), problems


@pytest.mark.parametrize("explanation", ["故选B。", "B项错误。", "答案为C。", "答案：A，见第五条。"])
def test_an_explanation_naming_an_option_by_its_letter_is_a_warning_at_its_line(explanation):
    text = replace("    explanation: 支部工作条例第五条。\n", f"    explanation: {explanation}\n")
    bank, problems = check(text)
    assert bank is not None
    where = f"bank.yaml:{line_of(text, explanation)}: [PA-0001] 警告："
    assert problems == [where + "解析按字母指称选项（如“选B”“B项”），而考生看到的选项顺序是打乱的：请引用选项原文"]


@pytest.mark.parametrize("explanation", ["PDCA 循环、ABC 分类。", "选举产生。", "A级项目。"])
def test_letters_that_name_no_option_are_not_flagged(explanation):
    bank, problems = check(replace("    explanation: 支部工作条例第五条。\n", f"    explanation: {explanation}\n"))
    assert bank is not None and problems == []
