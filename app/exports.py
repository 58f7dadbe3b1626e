"""A table as a download: CSV with a BOM (so Excel reads the Chinese as UTF-8) and XLSX via openpyxl. Every text
cell goes through domain.cells, so nothing in a file we write runs as a formula. openpyxl is imported by the download
that needs it, not at every start-up (app/domain/workbooks.py)."""
import csv
import io
import re
import unicodedata
from decimal import Decimal
from typing import Any

from app.domain.cells import cell_text, neutralised, runs_as_formula
from app.domain.scores import points_text

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters Excel refuses in a sheet's name (a round's title becomes one); nor may it start or end with "'".
_NOT_IN_SHEET_NAME = re.compile(r"[\\/*?:\[\]]")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return points_text(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    return neutralised(str(value))


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([_csv_cell(value) for value in row] for row in [header, *rows])
    return buffer.getvalue().encode("utf-8-sig")


def _display_width(value: Any) -> int:
    """Columns a value takes in Excel: a Chinese character is about two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def to_xlsx(header: list[str], rows: list[list[Any]], sheet: str = "成绩") -> bytes:
    """Numbers stay numbers, so the organiser can sort and sum in Excel; the header row is frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    worksheet = book.active
    worksheet.title = _NOT_IN_SHEET_NAME.sub("_", cell_text(sheet))[:31].strip("'") or "Sheet1"
    for row in [header, *rows]:
        worksheet.append(["" if value is None else cell_text(value) if isinstance(value, str) else value
                          for value in row])
        for cell in worksheet[worksheet.max_row]:
            if isinstance(cell.value, str) and runs_as_formula(cell.value):
                cell.data_type, cell.quotePrefix = "s", True   # text as typed, even after editing it in Excel
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(zip(*[header, *rows], strict=True), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, *map(_display_width, column)) + 2)
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
