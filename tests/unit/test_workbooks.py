"""Bank workbooks (domain/workbooks.py): our layout both ways, workbooks made elsewhere, and each rule's location."""
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.domain import workbooks
from app.domain.banks import BankDefaults, QuestionSpec, dump_bank, parse_bank, read_bank, validate_documents
from app.domain.sources import read_sources
from app.domain.workbooks import HEADER, read_workbook, template, write_workbook
from plugins.banks import BANKS, VALID, without_materials
from plugins.workbooks import ROW, many_rows, understated, unpacked

BANK_ROWS = [["标识", "dangwu"], ["名称", "党务题库"], ["类别", "党务"], ["练习", "是"]]


def book(path: Path, rows: list[list], bank_rows: list[list] | None = None, sheet: str = "题目") -> Path:
    """A workbook as someone typed it: an optional 题库 sheet, then the questions' sheet."""
    workbook = Workbook()
    questions = workbook.active
    questions.title = sheet
    for row in rows:
        questions.append(row)
    if bank_rows is not None:
        about = workbook.create_sheet("题库", 0)
        for row in bank_rows:
            about.append(row)
    workbook.save(path)
    return path


def read(path: Path, **options):
    bank, problems = read_bank(read_workbook(path, path.name), **options)
    return bank, [str(problem) for problem in problems]


def ours(*rows: list) -> list[list]:
    """Rows in our layout: 编号, 题型, 题干, 选项A–D, then 答案 onwards (E–H of the options left empty)."""
    return [HEADER, *[[*row[:7], "", "", "", "", *row[7:]] for row in rows]]


def test_sample_banks_go_to_workbooks_and_back_to_the_same_yaml(tmp_path):
    banks, _ = validate_documents(read_sources([BANKS]).banks)
    for bank in banks:
        path = tmp_path / f"{bank.slug}.xlsx"
        path.write_bytes(write_workbook(bank))
        back, problems = read(path)
        assert problems == [] and back is not None, problems
        bank = without_materials(bank)      # a row holds no parts: left out (test_material.py)
        assert dump_bank(back) == dump_bank(bank), bank.slug
        assert [q.id for q in back.questions] == [q.id for q in bank.questions]


def test_text_the_plain_cells_cannot_hold_still_round_trips(tmp_path):
    bank, _ = parse_bank(VALID, "pa.yaml")
    bank.description, bank.practice = "多行\n说明", False
    bank.questions[0].stem = "=HYPERLINK(\"x\")（ ）人以上"
    bank.questions[0].tags = ["党章, 总纲", "[方括号]"]
    bank.questions.append(QuestionSpec(
        id="PA-0100", type="blank", stem="比例是___，写作___。", answer=[["1/3", "三分之一"], ["a|b"]],
        blank_order="any", explanation="解析", source="出处", difficulty=5))
    bank.questions.append(QuestionSpec(
        id="PA-0101", type="short", stem="简述。", reference_answer="参考\n答案",
        rubric=[{"point": "两行\n要点", "score": 1.5}, {"point": "（每项1分）", "score": 2}]))
    path = tmp_path / "tricky.xlsx"
    path.write_bytes(write_workbook(bank))
    back, problems = read(path)
    assert back is not None, problems
    assert [q.content() for q in back.questions] == [q.content() for q in bank.questions]
    assert (back.description, back.practice) == ("多行\n说明", False)
    stem_cell = load_workbook(path)["题目"]["C2"]
    assert stem_cell.data_type == "s" and stem_cell.quotePrefix, "a stem that looks like a formula stays text"


def test_every_answer_form_our_layout_accepts(tmp_path):
    rows = ours(
        ["1", "单选", "甲___乙？", "三", "五", "", "", "b", "解", "出"],
        ["2", "多选题", "多？", "甲", "乙", "丙", "丁", "A、B、D", "解", "出"],
        ["3", "多选", "多？二", "甲", "乙", "丙", "丁", "a, c", "解", "出"],
        ["4", "多项选择题", "多？三", "甲", "乙", "丙", "丁", "A B D", "解", "出"],
        ["5", "判断", "判？一", "", "", "", "", "√", "解", "出"],
        ["6", "判断题", "判？二", "", "", "", "", "错误", "解", "出"],
        ["7", "填空", "填___和___。", "", "", "", "", "中央委员会/党中央|五", "解", "出",
         2, "党章，组织、 原则", "任意"],
        ["8", "简答", "简述。", "", "", "", "", "参考答案", "解", "出", "", "", "", "要点一（2分）\n要点二（3分）"],
    )
    bank, problems = read(book(tmp_path / "forms.xlsx", rows, BANK_ROWS))
    assert bank is not None, problems
    answers = {q.id: q.answer for q in bank.questions}
    assert answers == {"1": "B", "2": ["A", "B", "D"], "3": ["A", "C"], "4": ["A", "B", "D"], "5": True, "6": False,
                       "7": [["中央委员会", "党中央"], ["五"]], "8": None}
    blank, short = bank.questions[6], bank.questions[7]
    assert (blank.difficulty, blank.tags, blank.blank_order) == (2, ["党章", "组织", "原则"], "any")
    assert short.reference_answer == "参考答案"
    assert short.rubric == [{"point": "要点一", "score": 2}, {"point": "要点二", "score": 3}]
    assert (bank.slug, bank.title, bank.category, bank.practice) == ("dangwu", "党务题库", "party_affairs", True)


def test_a_workbook_from_another_system_with_numbered_rows_and_true_false_words(tmp_path):
    rows = [
        ["党务知识竞赛题库（第一批）"],
        ["序号", "类型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "来源", "分值"],
        ["一、单选题"],
        [1, "单选题", " 党的最高领导机关是（ ）。", "党的全国代表大会", "中央委员会", "政治局", "书记处", " A ", "党章",
         1],
        [2.0, "单项选择题", "预备期为（ ）。", "半年", "一年", "两年", "三年", "B", "党章第七条", 1],
        [],
        ["二、判断题"],
        [3, "判断题", "党员可以不参加组织生活。", "正确", "错误", "", "", "B", "党章", 1],
        [4, "判断题", "党支部是党的基础组织。", "", "", "", "", "正确", "党章", 1],
        [5, "", "入党誓词由党章规定。", "", "", "", "", "对", "党章", 1],
        ["  ", None, "", "", "", "", "", "", "", ""],
        [7],
        ["三、多选题"],
        [6, "多选题", "三会一课包括（ ）。", "支部党员大会", "支委会", "党小组会", "茶话会", "ABC", "条例", 2],
    ]
    bank, problems = read(book(tmp_path / "dangwu-2024.xlsx", rows, sheet="Sheet1"),
                          defaults=BankDefaults(category="party_affairs"))
    assert bank is not None, problems
    assert {q.id: q.answer for q in bank.questions} == {"1": "A", "2": "B", "3": False, "4": True, "5": True,
                                                        "6": ["A", "B", "C"]}
    assert [q.type for q in bank.questions] == ["single", "single", "judge", "judge", "judge", "multiple"]
    assert bank.questions[0].stem == "党的最高领导机关是（ ）。" and bank.questions[0].source == "党章"
    assert (bank.slug, bank.title) == ("dangwu-2024", "dangwu-2024")
    assert "dangwu-2024.xlsx:Sheet1!2: 警告：未识别的列 '分值'，已忽略" in problems
    assert not any("警告" not in problem for problem in problems), problems


def test_options_all_in_one_cell(tmp_path):
    rows = [
        ["题号", "试题类型", "题目内容", "选项", "正确答案", "题目解析", "出处"],
        ["D-1", "单选", "有正式党员（ ）人以上的，应当成立党支部。", "A.三/B.五/C.七/D.十", "A", "条例第五条", "条例"],
        ["D-2", "多选", "“三会一课”包括（ ）。", "A、支部党员大会／B、支委会／C、党小组会／D、茶话会", "A,B,C", "",
         "条例"],
        ["D-3", "单选", "选项里没有字母前缀。", "甲/乙/丙", "c", "解", "出"],
    ]
    bank, problems = read(book(tmp_path / "cells.xlsx", rows, BANK_ROWS))
    assert bank is not None, problems
    assert [q.options for q in bank.questions] == [
        {"A": "三", "B": "五", "C": "七", "D": "十"},
        {"A": "支部党员大会", "B": "支委会", "C": "党小组会", "D": "茶话会"},
        {"A": "甲", "B": "乙", "C": "丙"},
    ]
    assert [q.answer for q in bank.questions] == ["A", ["A", "B", "C"], "C"]
    assert problems == ["cells.xlsx:题目!3: [D-2] 警告：缺少 explanation（答案解析）"]


@pytest.mark.parametrize(("row", "expected"), [
    (["Q-1", "作图题", "党费是多少？", "", "", "", "", "12.5", "解", "出"],
     "[Q-1] 未知题型 '作图题'，应为 single（单选题）"),
    (["Q-1", "单选", "题？", "甲", "乙", "", "", "", "解", "出"], "[Q-1] 缺少 answer（答案）"),
    (["Q-1", "单选", "题？", "甲", "乙", "", "", "D", "解", "出"], "[Q-1] 答案 D 不在选项 A, B 中"),
    (["Q-1", "单选", "题？", "甲", "", "丙", "", "A", "解", "出"], "[Q-1] 选项 B 为空"),
    (["Q-1", "多选", "题？", "甲", "乙", "", "", "A", "解", "出"], "[Q-1] 多选题至少要有两个正确选项"),
    (["Q-1", "多选", "题？", "甲", "乙", "", "", "甲乙", "解", "出"], "[Q-1] 多选题的 answer 应是字母列表"),
    (["Q-1", "判断", "题？", "", "", "", "", "也许", "解", "出"], "[Q-1] 判断题的 answer 应是 true/false"),
    (["Q-1", "判断", "题？", "甲", "乙", "", "", "对", "解", "出"], "[Q-1] 判断题不使用字段 'options'"),
    (["Q-1", "填空", "题___和___？", "", "", "", "", "一", "解", "出"], "[Q-1] 题干有 2 个空，answer 却有 1 项"),
    (["Q-1", "填空", "题___？", "", "", "", "", "[1, ", "解", "出"], "单元格中的列表无法读取"),
    (["Q-1", "简答", "题？", "", "", "", "", "参考", "解", "出", "", "", "", "要点没有分值"],
     "[Q-1] 评分要点的 score 应为正数，而不是 None"),
    (["Q-1", "单选", "题？", "甲", "乙", "", "", "A", "解", "出", "很难"],
     "[Q-1] difficulty 应为 1 到 5 的整数，而不是 '很难'"),
    (["Q 1", "单选", "题？", "甲", "乙", "", "", "A", "解", "出"], "[Q 1] id 只能用字母、数字"),
    (["", "单选", "题？", "甲", "乙", "", "", "A", "解", "出"], "缺少题目 id"),
    (["Q-1", "单选", "", "甲", "乙", "", "", "A", "解", "出"], "[Q-1] 题干 stem 为空或缺失"),
])
def test_each_rule_names_the_row(tmp_path, row, expected):
    bank, problems = read(book(tmp_path / "bad.xlsx", ours(row), BANK_ROWS))
    assert bank is None
    assert any(problem.startswith(f"bad.xlsx:题目!2: {expected}") for problem in problems), problems


def test_problems_of_the_file_and_the_bank_sheet_name_their_place(tmp_path):
    fine = ["Q-1", "单选", "题？", "甲", "乙", "", "", "A", "解", "出"]
    rows = ours(fine, ["Q-1", "单选", "又一题？", "甲", "乙", "", "", "A", "解", "出"])
    bank_rows = [["标识", "Dang Wu"], ["名称", "题库"], ["类别", "组织"], ["练习", "也许"], ["负责人", "张三"]]
    _, problems = read(book(tmp_path / "bad.xlsx", rows, bank_rows))
    assert "bad.xlsx:题目!3: [Q-1] 题目 id 重复（题目!2已使用）" in problems
    assert "bad.xlsx:题库!1: bank 标识 'Dang Wu' 只能用小写字母、数字、- 和 _" in problems
    assert any(p.startswith("bad.xlsx:题库!3: category 应为") for p in problems), problems
    assert any(p.startswith("bad.xlsx:题库!4: practice 应为 true") for p in problems), problems
    assert any(p.startswith("bad.xlsx:题库!5: 警告：题库表中未识别的行 '负责人'") for p in problems), problems

    _, no_header = read(book(tmp_path / "plain.xlsx", [["甲", "乙"], ["丙", "丁"]], BANK_ROWS))
    assert no_header[0].startswith("plain.xlsx:题目!1: 找不到表头"), no_header
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")
    _, unreadable = read(broken)
    assert unreadable[0].startswith("broken.xlsx:1: 不是可读取的 Excel 工作簿"), unreadable


def test_a_file_without_bank_metadata_asks_for_it(tmp_path):
    rows = ours(["Q-1", "单选", "题？", "甲", "乙", "", "", "A", "解", "出"])
    path = book(tmp_path / "党务题库.xlsx", rows)
    _, problems = read(path)
    wanted = "党务题库.xlsx:题目!1: 缺少 bank（题库标识）；没有题库信息的文件可用 --bank、--category 指定"
    assert wanted in problems, problems
    _, named_badly = read(path, defaults=BankDefaults(category="policy"))
    assert any("（文件名不能作标识时请用 --bank 指定）" in p for p in named_badly), named_badly
    bank, problems = read(path, defaults=BankDefaults(slug="dangwu", category="policy"))
    assert bank is not None, problems
    assert (bank.slug, bank.title, bank.category) == ("dangwu", "党务题库", "policy")


def test_partial_takes_the_rows_that_read_and_lists_the_rest(tmp_path):
    rows = ours(["Q-1", "单选", "题一？", "甲", "乙", "", "", "A", "解", "出"],
                ["Q-2", "单选", "题二？", "甲", "乙", "", "", "E", "解", "出"],
                ["Q-3", "作图", "题三？", "", "", "", "", "ABC", "解", "出"],
                ["Q-4", "判断", "题四？", "", "", "", "", "错", "解", "出"])
    path = book(tmp_path / "some.xlsx", rows, BANK_ROWS)
    assert read(path)[0] is None
    bank, problems = read(path, partial=True)
    assert [q.id for q in bank.questions] == ["Q-1", "Q-4"] and bank.skipped == ["Q-2", "Q-3"]
    assert "some.xlsx:题目!3: [Q-2] 警告：未导入：答案 E 不在选项 A, B 中" in problems
    assert any(p.startswith("some.xlsx:题目!4: [Q-3] 警告：未导入：未知题型 '作图'") for p in problems), problems

    wrong = ["Q-2", "单选", "题？", "甲", "乙", "", "", "E", "解", "出"]
    nothing = book(tmp_path / "none.xlsx", ours(wrong), BANK_ROWS)
    bank, problems = read(nothing, partial=True)
    assert bank is None and "none.xlsx:题目!1: 没有一道题可以导入" in problems


def test_the_template_is_our_layout_with_instructions_and_reads_as_an_empty_bank(tmp_path):
    path = tmp_path / "template.xlsx"
    path.write_bytes(template())
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["题库", "题目", "说明"]
    assert [cell.value for cell in workbook["题目"][1]] == HEADER
    assert [row[0] for row in workbook["题库"].iter_rows(values_only=True)] == ["标识", "名称", "类别", "说明", "练习"]
    assert "选项A" in "".join(row[0] or "" for row in workbook["说明"].iter_rows(values_only=True))
    bank, problems = read(path, defaults=BankDefaults(slug="empty", category="theory"))
    assert bank is None and problems == ["template.xlsx:题目!1: 缺少 questions，或 questions 不是非空列表"]


def test_yaml_problems_still_print_their_line():
    _, problems = parse_bank(VALID.replace("    answer: A\n", "    answer: Z\n", 1), "pa.yaml")
    assert [str(p) for p in problems] == ["pa.yaml:10: [PA-0001] 答案 Z 不在选项 A, B, C, D 中"]


# -- hostile workbooks: what a few hundred KB can make the reader do is bounded ------------------------------------

def test_a_workbook_inflating_past_the_limit_is_refused_before_it_is_parsed(tmp_path):
    """Past MAX_UNPACKED_BYTES: 3 M rows zipped into 1 MB, within an upload (4 MB). Parsed, they would take half a
    minute and (through sheet_rows) gigabytes; refused from the archive's directory, they take nothing."""
    bomb = many_rows(workbooks.MAX_UNPACKED_BYTES // len(ROW) + 1)
    assert len(bomb) < 2_000_000 and unpacked(bomb) > workbooks.MAX_UNPACKED_BYTES
    with pytest.raises(ValueError, match="工作簿解压后过大：超过 150 MB"):
        workbooks.sheet_rows(bomb)
    path = tmp_path / "题库.xlsx"
    path.write_bytes(bomb)
    assert [problem.message for problem in read_workbook(path, path.name).problems] == [
        "工作簿解压后过大：超过 150 MB，不是正常的题库、名单或成绩表"]


def test_a_part_inflating_past_what_the_archive_says_is_refused_as_unreadable(tmp_path):
    """The limit believes the sizes the archive declares: zipfile inflates a part no further, and its CRC fails."""
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):   # 题库 (read on opening), 题目 (row by row)
        path = tmp_path / "题库.xlsx"
        path.write_bytes(understated(template(), part))
        [problem] = read_workbook(path, path.name).problems
        assert problem.message.startswith("不是可读取的 Excel 工作簿（.xlsx）：Bad CRC-32")
    with pytest.raises(ValueError, match="Bad CRC-32"):
        workbooks.sheet_rows(understated(template()))


def test_sheet_rows_stop_past_max_rows(monkeypatch):
    """A sheet of 3 M rows (within the size limit) is read no further than the first MAX_ROWS + 1."""
    monkeypatch.setattr(workbooks, "MAX_ROWS", 1000)
    assert len(workbooks.sheet_rows(many_rows(1000, dimension="A1:A1000"))) == 1000
    with pytest.raises(ValueError, match="行数过多：超过 1000 行"):
        workbooks.sheet_rows(many_rows(3_000_000, dimension="A1:A3000000"))


def test_rows_are_no_wider_than_max_columns_whatever_the_sheet_claims():
    """openpyxl pads each row to the width a sheet claims: A1:XFD2000 would be 33 million cells from 14 KB."""
    rows = workbooks.sheet_rows(many_rows(2000, dimension="A1:XFD2000"))
    assert len(rows) == 2000 and {len(row) for row in rows} == {workbooks.MAX_COLUMNS} and rows[0][0] == "x"


def test_cells_with_long_runs_of_spaces_are_read_in_linear_time(tmp_path):
    """A rubric point or a list of left items was split where spaces could go either side of the separator, and a run
    of them was tried again from each of its characters: a cell of 30,000 spaces took seconds, and a workbook holds
    50,000 rows; a Word paragraph of 200,000, minutes. Now no time, and split as before."""
    spaces = " " * 15_000    # twice in a cell, within its 32,767 characters
    rubric, prompts = f"要点一{spaces}（2分）\n要点二{spaces}x（1分）", f"左一{spaces}|{spaces}左二"
    rows = ours(["1", "简答", "简述。", "", "", "", "", "参考答案", "解", "出", "", "", "", rubric],
                ["2", "匹配", "匹配。", "甲", "乙", "", "", "BA", "解", "出", "", "", "", "", "", prompts])
    bank, problems = read(book(tmp_path / "forms.xlsx", rows, BANK_ROWS))
    assert bank is not None, problems
    short, matching = bank.questions
    assert short.rubric == [{"point": "要点一", "score": 2}, {"point": f"要点二{spaces}x", "score": 1}]
    assert matching.prompts == ["左一", "左二"]
    # A Word bank's 评分要点 paragraphs, read by the same function, have no cell's limit.
    long_point = f"要点{' ' * 200_000}x"
    assert workbooks.rubric_points(f"{long_point}（1分）", 1) == [{"point": long_point, "score": 1}]
