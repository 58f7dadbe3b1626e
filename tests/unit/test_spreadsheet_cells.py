"""Spreadsheets we write never run a formula (DESIGN §5, issue 9), tested pure: text that Excel or WPS would
run (= + - @, tab, CR, and ＝ ＋ － ＠) is kept as text, numbers stay numbers, negative ones included. Every file the
project writes — the web downloads and `flask standings show --csv` — is in tests/integration/test_spreadsheets.py."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.domain.cells import cell_text, neutralised, runs_as_formula
from app.exports import to_csv, to_xlsx

RUNNABLE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1",
            "＝1+1", "＋1", "－1", "＠SUM(A1)"]
HARMLESS = ["张三", "a=b", "1+1", "3.5", "-3.5", "-40", "0", "", " =1"]


@pytest.mark.parametrize("text", RUNNABLE)
def test_text_a_spreadsheet_would_run_is_neutralised(text):
    assert runs_as_formula(text)
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_and_plain_numbers_are_left_alone(text):
    assert not runs_as_formula(text)
    assert neutralised(text) == text


def test_characters_no_sheet_can_hold_are_dropped_before_the_check():
    assert cell_text("a\x00b\x07c\x1b\ud800d\te\nf\rg") == "abcd\te\nf\rg"
    assert neutralised("\x01=1+1") == "'=1+1", "a control character cannot hide a formula"


def test_csv_keeps_runnable_names_as_text_and_numbers_as_numbers():
    rows = [[name, -2.5, Decimal("-7.25"), -3, None] for name in RUNNABLE]
    lines = list(csv.reader(io.StringIO(to_csv(["姓名", "得分", "总分", "名次", "空"], rows).decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["'" + name for name in RUNNABLE]
    assert {tuple(line[1:]) for line in lines[1:]} == {("-2.5", "-7.25", "-3", "")}


def test_xlsx_keeps_runnable_names_as_text_and_numbers_as_numbers():
    rows = [[name, -2.5, Decimal("-7.25"), "a\x00b"] for name in RUNNABLE]
    sheet = load_workbook(io.BytesIO(to_xlsx(["姓名", "得分", "总分", "备注"], rows, sheet="初赛/复赛:[1]*?"))).active
    assert sheet.title == "初赛_复赛__1___"
    for index, name in enumerate(RUNNABLE, start=2):
        cell = sheet.cell(index, 1)
        # XML reads a CR back as LF.
        assert (cell.value, cell.data_type, cell.quotePrefix) == (name.replace("\r", "\n"), "s", True), name
        assert (sheet.cell(index, 2).value, sheet.cell(index, 2).data_type) == (-2.5, "n")
        assert (sheet.cell(index, 3).value, sheet.cell(index, 3).data_type) == (-7.25, "n")
        assert sheet.cell(index, 4).value == "ab"
    assert not sheet.cell(1, 1).quotePrefix
