"""Reading a list of accounts as organisers keep it (app/domain/accounts.py): CSV in UTF-8 or GBK, Excel workbooks,
English or Chinese headers and role words, every problem by its line."""
import io

import pytest
from openpyxl import Workbook

from app.domain.accounts import (
    MAX_ROWS,
    AccountRow,
    decoded,
    parse_lines,
    read_accounts,
    role_of,
    template_rows,
)

CHINESE = "账号,姓名,角色,组织\nzhangsan,张三,考生,c01\nlisi,李四,评委,市档案馆党委\n"
ROWS = [AccountRow(2, "zhangsan", "张三", "candidate", "c01"), AccountRow(3, "lisi", "李四", "judge", "市档案馆党委")]


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data", [CHINESE.encode(), CHINESE.encode("utf-8-sig"), CHINESE.encode("gbk"),
                                  CHINESE.encode("gb18030"), CHINESE.replace("\n", "\r\n").encode("gbk")])
def test_a_csv_reads_in_the_encodings_excel_saves(data):
    assert read_accounts("名单.csv", data) == (ROWS, [])


def test_text_that_is_neither_utf8_nor_gbk_is_refused_on_its_first_line():
    assert decoded(b"\x80\xff") is None
    assert read_accounts("名单.csv", b"username,name,role,org\n\x80\xff\n")[1][0][1].startswith("不是可以读取的文本")


def test_a_workbook_reads_its_first_sheet_numbers_and_blank_rows_included():
    data = workbook([["账号", "姓名", "角色", "组织"], ["zhangsan", "张三", "考生", "c01"], [None, None, None, None],
                     [20240001, "李四", "评委", None]])
    rows, problems = read_accounts("名单.XLSX", data)
    assert problems == []
    assert rows == [ROWS[0], AccountRow(4, "20240001", "李四", "judge", "")]


def test_a_file_that_is_not_a_workbook_says_so():
    rows, [(line, message)] = read_accounts("名单.xlsx", b"not a zip")
    assert rows == [] and line == 1 and message.startswith("不是可读取的 Excel 工作簿")


@pytest.mark.parametrize("header, row", [
    (["username", "name", "role", "org"], ["zhangsan", "张三", "candidate", ""]),
    (["Username", "Name", "ROLE", "Org"], ["zhangsan", "张三", "candidate", ""]),
    (["用户名", "姓名", "角色", "组织编码"], ["zhangsan", "张三", "考生", ""]),
    (["组织", "角色", "name", "账号"], ["", "考生", "张三", "zhangsan"]),
])
def test_headers_are_read_by_meaning_in_any_order(header, row):
    assert parse_lines([(1, header), (2, row)]) == ([AccountRow(2, "zhangsan", "张三", "candidate", "")], [])


@pytest.mark.parametrize("word, role", [("考生", "candidate"), ("参赛选手", "candidate"), ("Judge", "judge"),
                                        (" 组织者 ", "organiser"), ("organiser", "organiser"), ("校长", None),
                                        ("", None)])
def test_roles_are_their_values_or_their_chinese_words(word, role):
    assert role_of(word) == role


def test_every_problem_is_named_by_its_line_in_order():
    lines = [(1, ["账号", "姓名", "角色", "组织"]), (2, ["zhangsan", "张三", "考生", ""]), (3, ["", "", "", ""]),
             (4, ["张 三", "", "校长", ""]), (5, ["zhangsan", "张三", "考生", "c01", "多余"]),
             (6, ["zhangsan", "张" * 101, "考生", ""]), (7, ["lisi", "李\x00四", "考生", ""]), (8, ["wang", "王"])]
    rows, problems = parse_lines(lines)
    assert [line for line, _ in problems] == [4, 4, 4, 5, 6, 6, 7, 8]
    assert problems[3] == (5, "应有 4 列，实有 5 列")
    assert problems[4:6] == [(6, "姓名超过 100 个字符"), (6, "账号 zhangsan 重复（第一次出现在第 2 行）")]
    assert problems[-1] == (8, "应有 4 列，实有 2 列")
    assert [row.line for row in rows] == [2, 4, 6]


def test_empty_cells_excel_leaves_past_the_last_column_are_no_mistake():
    assert parse_lines([(1, ["账号", "姓名", "角色", "组织", ""]), (2, ["zhangsan", "张三", "考生", "", "", ""])]) == (
        [AccountRow(2, "zhangsan", "张三", "candidate", "")], [])


@pytest.mark.parametrize("header, said", [
    (["账号", "姓名", "角色"], "缺少“组织”列"),
    (["账号", "姓名", "角色", "组织", "电话"], "不认识的列“电话”"),
    (["账号", "username", "姓名", "角色", "组织"], "“账号”列出现了不止一次"),
    (["账号", "", "姓名", "角色", "组织"], "第 2 列没有表头"),
])
def test_a_wrong_header_is_named_with_what_it_should_be(header, said):
    rows, problems = parse_lines([(1, header), (2, ["zhangsan"] * len(header))])
    assert rows == [] and (1, said) in problems
    assert problems[-1] == (1, "表头应为 账号,姓名,角色,组织（或 username,name,role,org）")


def test_an_empty_file_and_a_list_too_long_are_refused():
    [(line, message)] = parse_lines([])[1]
    assert line == 1 and message.startswith("文件是空的：第一行应是表头。")
    lines = [(1, ["账号", "姓名", "角色", "组织"])] + [(n, [f"u{n}", "某", "考生", ""]) for n in range(2, MAX_ROWS + 3)]
    assert parse_lines(lines) == ([], [(MAX_ROWS + 2, f"行数过多：一次最多导入 {MAX_ROWS} 个账号")])


def test_the_template_reads_back_as_one_account():
    header, rows = template_rows("市档案馆党委")
    text = "\n".join(",".join(row) for row in [header, *rows])
    assert read_accounts("模板.csv", text.encode("utf-8-sig")) == (
        [AccountRow(2, "zhangsan", "张三", "candidate", "市档案馆党委")], [])
