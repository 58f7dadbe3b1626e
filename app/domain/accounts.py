"""A list of accounts as organisers keep it (CSV or Excel, English or Chinese headers) read into rows, with every
problem named by its line; and the template to fill in. Which rows are new accounts, and which organisation a row
names, is the database's question (app/users/service.py).

Columns by meaning: `username,name,role,org` as `flask users import` documents them, or 账号/姓名/角色/组织 as the
template writes them; a role is its value or its Chinese label (考生/评委/组织者); an organisation its code or name."""
import csv
import io
import re
from dataclasses import dataclass
from pathlib import PurePath

from app.domain.inputs import BAD_TEXT, text_ok
from app.domain.workbooks import sheet_rows

COLUMNS = {
    "username": ("username", "账号", "用户名", "登录名", "登录账号"),
    "name": ("name", "姓名"),
    "role": ("role", "角色"),
    "org": ("org", "组织", "组织编码", "单位", "所在组织", "所在单位"),
}
_MEANING = {word: meaning for meaning, words in COLUMNS.items() for word in words}
ROLES = {"candidate": ("candidate", "考生", "参赛选手", "选手"), "judge": ("judge", "评委"),
         "organiser": ("organiser", "组织者")}
_ROLE_OF = {word: role for role, words in ROLES.items() for word in words}
TEMPLATE_HEADER = ["账号", "姓名", "角色", "组织"]
MAX_ROWS = 5000                 # a year's competition has about 500 people
USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
NAME_MAX = 100
_HEADER_HINT = "表头应为 账号,姓名,角色,组织（或 username,name,role,org）"


@dataclass(frozen=True)
class AccountRow:
    line: int
    username: str
    name: str
    role: str                   # its value: candidate, judge or organiser
    org: str                    # an organisation's code or name as written; "" for none


Problem = tuple[int, str]       # (line or row as a person counts it, message)


def username_problem(username: str) -> str | None:
    if not username:
        return "账号为空"
    if not USERNAME.fullmatch(username):
        return f"账号 {username} 只能用 1–64 个字母、数字、点、下划线或连字符"
    return None


def name_problem(name: str) -> str | None:
    if not name:
        return "姓名为空"
    if len(name) > NAME_MAX:
        return f"姓名超过 {NAME_MAX} 个字符"
    return None


def role_of(word: str) -> str | None:
    """The role a cell names (candidate or 考生 …), or None."""
    return _ROLE_OF.get(word.strip().lower() if word.isascii() else word.strip())


def role_problem(word: str) -> str | None:
    if role_of(word):
        return None
    return f"角色 {word or '（空）'} 不认识：应为 考生、评委 或 组织者（candidate、judge、organiser）"


def read_accounts(filename: str, data: bytes) -> tuple[list[AccountRow], list[Problem]]:
    """The rows of an uploaded list (.xlsx by its name, else CSV in UTF-8 or GBK) and everything wrong with it, in
    line order. The rows are fit to import only if there are no problems."""
    if PurePath(filename).suffix.lower() == ".xlsx":
        try:
            lines = list(enumerate(sheet_rows(data), start=1))
        except ValueError as error:
            return [], [(1, str(error))]
    else:
        lines, problem = _csv_lines(data)
        if problem:
            return [], [problem]
    return parse_lines(lines)


def _csv_lines(data: bytes) -> tuple[list[tuple[int, list[str]]], Problem | None]:
    text = decoded(data)
    if text is None:
        return [], (1, "不是可以读取的文本：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或直接上传 .xlsx")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [(reader.line_num, cells) for cells in reader], None
    except csv.Error as error:   # a field past csv's limit: not a list of accounts
        return [], (reader.line_num, f"不是可以读取的 CSV 文件（{error}）")


def decoded(data: bytes) -> str | None:
    """UTF-8 (with or without the BOM Excel writes), else GB18030 (GBK's superset, what Excel on a Chinese Windows
    saves a plain “CSV” in); None when neither reads."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def parse_lines(lines: list[tuple[int, list[str]]]) -> tuple[list[AccountRow], list[Problem]]:
    """Rows from (line, cells), the first non-empty one the header; blank lines are skipped."""
    filled = [(line, [cell.strip() for cell in cells]) for line, cells in lines if any(c.strip() for c in cells)]
    if not filled:
        return [], [(1, f"文件是空的：第一行应是表头。{_HEADER_HINT}")]
    (header_line, header), body = filled[0], filled[1:]
    meanings, problems = header_meanings(header_line, header)
    if problems:
        return [], problems
    if len(body) > MAX_ROWS:
        return [], [(body[MAX_ROWS][0], f"行数过多：一次最多导入 {MAX_ROWS} 个账号")]
    rows, seen = [], {}
    for line, cells in body:
        row, row_problems = _row(line, meanings, cells, seen)
        problems += row_problems
        if row:
            rows.append(row)
    return rows, sorted(problems, key=lambda problem: problem[0])


def header_meanings(line: int, header: list[str]) -> tuple[list[str], list[Problem]]:
    """Each header cell's meaning (username, name, role, org), and what is wrong with the header."""
    while header and not header[-1]:       # columns Excel keeps for their formatting alone
        header = header[:-1]
    meanings = [_MEANING.get(cell.lower() if cell.isascii() else cell, "") for cell in header]
    problems = [(line, f"第 {number} 列没有表头" if not cell else f"不认识的列“{cell}”")
                for number, (cell, meaning) in enumerate(zip(header, meanings, strict=True), start=1) if not meaning]
    problems += [(line, f"缺少“{COLUMNS[meaning][1]}”列") for meaning in COLUMNS if meaning not in meanings]
    problems += [(line, f"“{COLUMNS[meaning][1]}”列出现了不止一次") for meaning in COLUMNS
                 if meanings.count(meaning) > 1]
    if problems:
        problems.append((line, _HEADER_HINT))
    return meanings, problems


def _row(line: int, meanings: list[str], cells: list[str],
         seen: dict[str, int]) -> tuple[AccountRow | None, list[Problem]]:
    # Excel may leave empty cells after the last column; anything else out of place is an error.
    if len(cells) < len(meanings) or any(cells[len(meanings):]):
        return None, [(line, f"应有 {len(meanings)} 列，实有 {len(cells)} 列")]
    values = dict(zip(meanings, cells, strict=False))
    if not all(text_ok(value) for value in values.values()):
        return None, [(line, f"单元格文字{BAD_TEXT}")]
    row = AccountRow(line, values["username"], values["name"], role_of(values["role"]) or values["role"],
                     values["org"])
    checks = (username_problem(row.username), name_problem(row.name), role_problem(values["role"]))
    problems = [(line, problem) for problem in checks if problem]
    if row.username and row.username in seen:
        problems.append((line, f"账号 {row.username} 重复（第一次出现在第 {seen[row.username]} 行）"))
    seen.setdefault(row.username, line)
    return row, problems


def template_rows(org: str) -> tuple[list[str], list[list[str]]]:
    """The list to fill in: the Chinese header and one example row (under this organisation, if any)."""
    return TEMPLATE_HEADER, [["zhangsan", "张三", "考生", org]]
