"""A table as a download: CSV with a BOM (so Excel reads the Chinese as UTF-8) and XLSX via openpyxl."""
import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.domain.scores import points_text

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_STARTS = ("=", "+", "-", "@")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return points_text(value)
    text = str(value)
    # A name typed as "=HYPERLINK(…)" must stay text when Excel opens the file.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], rows: list[list[Any]], sheet: str = "成绩") -> bytes:
    """Numbers stay numbers, so the organiser can sort and sum in Excel; the header row is frozen."""
    book = Workbook()
    worksheet = book.active
    worksheet.title = sheet[:31]
    worksheet.append(header)
    for row in rows:
        worksheet.append(["" if value is None else value for value in row])
        for cell in worksheet[worksheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"   # text, never a formula
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for index, title in enumerate(header, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(title) + 2)
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
