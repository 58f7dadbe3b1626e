"""Bank workbooks (.xlsx): reading one — ours, or one made by another system or by hand — into the bank YAML's
shape (so the same validation applies), writing a bank as one, and the empty template with its instructions.

The layout: a sheet 题库 with rows 标识, 名称, 类别, 说明, 练习 (label in column A, value in B), optional; a sheet 题目
(or else the first other sheet) whose header names its columns by meaning (COLUMNS: 编号/序号, 题型/类型, …), each
row a question. A row's line is its sheet's number × ROWS_PER_SHEET + its row, labelled `题目!12` in problems.

openpyxl is imported where a workbook is opened or made, not with this module: its import would cost every command and
worker a sixth of a second of start-up, and most of them never touch a workbook.
"""
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from app.domain import yamlmarks
from app.domain.banks import CATEGORIES, CATEGORY_WORDS, BankDocument, BankSpec, QuestionSpec
from app.domain.cells import cell_text, runs_as_formula
from app.domain.inputs import BAD_TEXT, text_ok
from app.domain.problems import Problem, Report
from app.domain.questions import LETTERS, QUESTION_TYPES, QuestionType, question_type
from app.domain.questions.matching import read_letters
from app.domain.text import rubric_parts

BANK_SHEET, QUESTION_SHEET, HELP_SHEET = "题库", "题目", "说明"
ROWS_PER_SHEET = 10_000_000     # past Excel's 1,048,576 rows, so lines sort by sheet, then row
MAX_BYTES = 20_000_000          # a bank of several thousand questions is well under a tenth of this
# What the workbook's parts inflate to, however small it is zipped: openpyxl parses all of it, and keeps the shared
# strings whole even read-only. The sample banks' questions take ~1.5 KB of XML each (their export), so a bank of
# MAX_ROWS questions is ~77 MB: this is twice that, and refuses bombs (a 70 KB upload holding 22 MB of rows is past it
# at 300 KB).
MAX_UNPACKED_BYTES = 150_000_000
MAX_ROWS = 50_000
MAX_COLUMNS = 64                # through column BL; a bank sheet has 22, a list of accounts or scores a handful
HEADER_ROWS = 10                # the header is looked for this far down (a title row may come first)

# Column headers by meaning, as other systems write them, to the bank YAML's keys; 选项A … 选项H (or A … H) are
# options one per column, 选项 all in one cell.
COLUMNS = {
    "id": ("编号", "序号", "题号", "试题编号", "题目编号", "id"),
    "type": ("题型", "类型", "试题类型", "题目类型", "type"),
    "stem": ("题干", "题目", "题目内容", "试题内容", "试题", "题目描述", "stem"),
    "options": ("选项", "全部选项", "options"),
    "answer": ("答案", "正确答案", "标准答案", "参考答案", "answer", "reference_answer"),
    "explanation": ("解析", "题目解析", "答案解析", "试题解析", "explanation"),
    "source": ("出处", "来源", "依据", "答案出处", "source"),
    "difficulty": ("难度", "难易程度", "难易度", "difficulty"),
    "tags": ("标签", "知识点", "tags"),
    "blank_order": ("填空顺序", "blank_order"),
    "rubric": ("评分要点", "评分标准", "rubric"),
    "tolerance": ("误差", "允许误差", "容差", "误差范围", "tolerance"),
    "prompts": ("左项", "匹配项", "prompts"),
}
_HEADER_KEYS = {word: key for key, words in COLUMNS.items() for word in words}
_OPTION_HEADER = re.compile(r"^(?:选项)?([A-H])$")
BANK_ROWS = {"标识": "bank", "名称": "title", "类别": "category", "说明": "description", "描述": "description",
             "练习": "practice", **{key: key for key in ("bank", "title", "category", "description", "practice")}}
BANK_LABELS = ("标识", "名称", "类别", "说明", "练习")
HEADER = ["编号", "题型", "题干", *(f"选项{letter}" for letter in LETTERS), "答案", "解析", "出处", "难度", "标签",
          "填空顺序", "评分要点", "误差", "左项"]

_YES = {"是": True, "否": False, "true": True, "false": False, "开放": True, "关闭": False, "1": True, "0": False}
DIFFICULTY_WORDS = {"易": 1, "简单": 1, "容易": 1, "较易": 2, "中": 3, "中等": 3, "一般": 3, "较难": 4, "难": 5,
                     "困难": 5}
_ORDER_WORDS = {"固定": "fixed", "顺序固定": "fixed", "fixed": "fixed", "任意": "any", "不限": "any",
                "不限顺序": "any", "any": "any"}
# How people name a type beyond its label (单选题) and the label's stem (单选).
_TYPE_WORDS = {"单项选择": "单选", "多项选择": "多选", "不定项选择": "多选", "不定项": "多选", "是非": "判断",
               "判断正误": "判断", "问答": "简答"}
_LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")
_PROMPT_LINES = re.compile(r"[\n|]")   # each item stripped: `\s*[\n|]\s*` is quadratic in spaces
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_BLANKS, _VARIANTS = re.compile(r"[|｜]"), re.compile(r"[/／]")
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+|[0-9]+)\s*[、.．:：)）]\s*")
_NOTE = re.compile(r"[（(][^（）()]*[)）]")
_OPTION_PREFIX = re.compile(r"^\s*([A-Ha-h])\s*[.．、:：)）]?\s*")


# -- reading ------------------------------------------------------------------------------------------------------

def read_workbook(path: Path, name: str) -> BankDocument:
    """A bank workbook as a bank document; problems the rows have beyond validation (a header missing, unknown
    columns, a list that does not read) come with it."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return BankDocument(name, None, [Problem(name, 1, f"工作簿过大：超过 {MAX_BYTES // 1_000_000} MB")])
        book = _open(path)
    except OSError as error:
        return BankDocument(name, None, [Problem(name, 1, f"不是可读取的 Excel 工作簿（.xlsx）：{error}")])
    except ValueError as error:
        return BankDocument(name, None, [Problem(name, 1, str(error))])
    try:
        return _Reader(book, name).document()
    except zipfile.BadZipFile as error:     # a part longer than the archive says: cut off there, and its CRC fails
        return BankDocument(name, None, [Problem(name, 1, f"不是可读取的 Excel 工作簿（.xlsx）：{error}")])
    finally:
        book.close()


def sheet_rows(data: bytes) -> list[list[str]]:
    """The first sheet of a workbook (a score sheet, say) as rows of text, within MAX_ROWS; ValueError saying why it
    cannot be read."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"工作簿过大：超过 {MAX_BYTES // 1_000_000} MB")
    book = _open(io.BytesIO(data))
    try:
        rows = [[_cell_value(value) for value in row] for row in islice(_values(book.worksheets[0]), MAX_ROWS + 1)]
    except zipfile.BadZipFile as error:     # a part longer than the archive says: cut off there, and its CRC fails
        raise ValueError(f"不是可读取的 Excel 工作簿（.xlsx）：{error}") from None
    finally:
        book.close()
    if len(rows) > MAX_ROWS:
        raise ValueError(f"行数过多：超过 {MAX_ROWS} 行")
    return rows


def _open(source: Path | io.BytesIO):
    """The workbook, opened read-only once its parts are known to inflate to at most MAX_UNPACKED_BYTES; ValueError
    saying why it cannot be read. The parts' sizes the archive declares are believed because zipfile, which openpyxl
    reads them with, inflates a part no further than that (past it the part's CRC fails), as the .docx reader does."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
        if unpacked <= MAX_UNPACKED_BYTES:
            return load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ValueError(f"不是可读取的 Excel 工作簿（.xlsx）：{error}") from None
    raise ValueError(f"工作簿解压后过大：超过 {MAX_UNPACKED_BYTES // 1_000_000} MB，不是正常的题库、名单或成绩表")


def _values(sheet) -> Iterator[tuple[Any, ...]]:
    """A sheet's rows of values, each MAX_COLUMNS wide at most: openpyxl pads every row to the width the sheet
    claims (its <dimension>), so a few KB claiming A1:XFD50000 would make 800 million cells. Cells past it are not
    read."""
    return sheet.iter_rows(max_col=min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS), values_only=True)


class _Reader:
    """One workbook being read: its sheets' rows as lines, and the report of what they lack."""

    def __init__(self, book, name: str):
        self.book, self.name = book, name
        self.sheets = list(book.sheetnames)
        self.report = Report(name, self.locate)

    def locate(self, line: int) -> str:
        number, row = divmod(line, ROWS_PER_SHEET)
        return f"{self.sheets[number - 1]}!{row}" if 0 < number <= len(self.sheets) else f"第 {line} 行"

    def line(self, sheet: str, row: int) -> int:
        return (self.sheets.index(sheet) + 1) * ROWS_PER_SHEET + row

    def rows(self, sheet: str):
        """(line, cells as text) for each row, within MAX_ROWS."""
        for row, values in enumerate(_values(self.book[sheet]), start=1):
            if row > MAX_ROWS:
                self.report.error(self.line(sheet, row), f"行数过多：超过 {MAX_ROWS} 行")
                return
            yield self.line(sheet, row), [self.text(value, self.line(sheet, row)) for value in values]

    def text(self, value: Any, line: int) -> str:
        text = _cell_value(value)
        if not text_ok(text):
            self.report.error(line, f"单元格文字{BAD_TEXT}")
            return ""
        return text

    def document(self) -> BankDocument:
        question_sheet = _question_sheet(self.sheets)
        if question_sheet is None:
            self.report.error(ROWS_PER_SHEET + 1, f"工作簿中没有题目表（{QUESTION_SHEET}）")
            return BankDocument(self.name, None, self.report.problems, self.locate)
        document = (self.bank_rows() if BANK_SHEET in self.sheets else None) or marked(
            self.line(question_sheet, 1), {})
        questions = self.questions(question_sheet)
        if questions is not None:
            document["questions"] = questions
            document.key_lines["questions"] = questions.line
        return BankDocument(self.name, document, self.report.problems, self.locate)

    def bank_rows(self) -> yamlmarks.MarkedMap | None:
        """The 题库 sheet's filled rows as the bank's keys, each on its row; None when it has none."""
        document = None
        for line, cells in self.rows(BANK_SHEET):
            label, value = (cells + ["", ""])[:2]
            if not label and not value:
                continue
            document = document if document is not None else marked(line, {})
            key = BANK_ROWS.get(_header_word(label))
            if key is None:
                known = "、".join(BANK_LABELS)
                self.report.warn(line, f"{BANK_SHEET}表中未识别的行 {label!r}，已忽略（可用：{known}）")
            elif value:
                document[key], document.key_lines[key] = _bank_value(key, value), line
        return document

    def questions(self, sheet: str) -> yamlmarks.MarkedList | None:
        rows = list(self.rows(sheet))
        found = _find_header(rows)
        if found is None:
            self.report.error(self.line(sheet, 1), "找不到表头：应有一行列名，至少包括 题干 和 答案（或 题型）")
            return None
        header_at, header = found
        columns = self.columns(rows[header_at][0], header)
        items = marked_list(rows[header_at][0])
        current_type = ""
        numbering = {index for index, key in columns.items() if key == "id"}
        for line, cells in rows[header_at + 1:]:
            filled = {index: cell for index, cell in enumerate(cells) if cell}
            if filled.keys() <= numbering and all(cell.isdigit() for cell in filled.values()):
                continue   # blank, or numbered in advance and not yet written
            heading = heading_type(next(iter(filled.values()))) if len(filled) == 1 else None
            if heading is not None:
                current_type = heading
                continue
            item = self.question(line, cells, columns, current_type, len(items) + 1)
            items.append(item)
            items.item_lines.append(line)
        return items

    def columns(self, line: int, header: list[str]) -> dict[int, str]:
        """Column index → key (or `option:X`); unknown and repeated columns are warned about and ignored."""
        columns: dict[int, str] = {}
        for index, title in enumerate(header):
            key = _column_key(title)
            if not title:
                continue
            if key is None:
                self.report.warn(line, f"未识别的列 {title!r}，已忽略")
            elif key in columns.values():
                self.report.warn(line, f"列 {title!r} 与前面的列含义相同，已忽略")
            else:
                columns[index] = key
        return columns

    def question(self, line: int, cells: list[str], columns: dict[int, str], current_type: str,
                 number: int) -> yamlmarks.MarkedMap:
        row = {key: cells[index] for index, key in columns.items() if index < len(cells)}
        values: dict[str, Any] = {}
        if "id" in columns.values():
            if row.get("id"):
                values["id"] = row["id"]
        else:
            values["id"] = str(number)   # no id column: the question's place, as 序号 would say
        word = row.get("type") or current_type
        kind = _kind_of(word)
        values["type"] = kind.name if kind else word or None
        if row.get("stem"):
            values["stem"] = row["stem"]
        options = _options(row)
        if kind is not None and kind.input == "truth":
            values.update(truth_fields(row.get("answer", ""), options))
        else:
            if options:
                values["options"] = marked(line, options)
            values.update(self.answer_fields(kind, row.get("answer", ""), line))
        values.update(self.common_fields(row, line))
        return marked(line, {key: value for key, value in values.items() if value is not None})

    def answer_fields(self, kind: QuestionType | None, text: str, line: int) -> dict[str, Any]:
        """The answer cell read the way the type's input takes it."""
        if not text:
            return {}
        if kind is None or kind.input == "letter":
            return {"answer": option_letter(text)}
        if kind.input == "letters":
            letters = _LETTER_SEPARATORS.sub("", text).upper()
            return {"answer": marked_list(line, list(letters)) if re.fullmatch(r"[A-H]+", letters) else text}
        if kind.input == "blanks":
            return {"answer": self.structured(text, line) if text.startswith("[") else blank_answer(text, line)}
        if kind.input == "text":
            return {"reference_answer": text}
        if kind.input == "numbers":
            return {"answer": step_answer(text, line)}
        if kind.input == "pairs":
            letters = read_letters(text)
            return {"answer": marked_list(line, letters) if letters else text}
        return {"answer": text}

    def common_fields(self, row: dict[str, str], line: int) -> dict[str, Any]:
        values: dict[str, Any] = {key: row[key] for key in ("explanation", "source") if row.get(key)}
        if row.get("difficulty"):
            difficulty = row["difficulty"]
            values["difficulty"] = DIFFICULTY_WORDS.get(difficulty, int(difficulty) if difficulty.isdigit()
                                                         else difficulty)
        if row.get("tags"):
            tags = row["tags"]
            values["tags"] = (self.structured(tags, line) if tags.startswith("[")
                              else marked_list(line, [t.strip() for t in _LIST_SEPARATORS.split(tags) if t.strip()]))
        if row.get("blank_order"):
            values["blank_order"] = _ORDER_WORDS.get(row["blank_order"], row["blank_order"])
        if row.get("tolerance"):
            steps = [part.strip() for part in _BLANKS.split(row["tolerance"])]
            values["tolerance"] = steps[0] if len(steps) == 1 else marked_list(line, steps)
        if row.get("prompts"):   # a matching question's left items, one per line (or split by |)
            values["prompts"] = marked_list(line, [p.strip() for p in _PROMPT_LINES.split(row["prompts"]) if p.strip()])
        if row.get("rubric"):
            rubric = row["rubric"]
            values["rubric"] = self.structured(rubric, line) if rubric.startswith("[") else rubric_points(rubric, line)
        return values

    def structured(self, text: str, line: int) -> Any:
        """A cell written as a JSON/YAML list (what export writes when the plain form would lose something)."""
        try:
            return _relined(yamlmarks.load(text), line)
        except yamlmarks.YamlSyntaxError as error:
            self.report.error(line, f"单元格中的列表无法读取：{error.message}")
            return None


def _cell_value(value: Any) -> str:
    """A cell as text: whole numbers without `.0`, booleans as true/false, text trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _question_sheet(sheets: list[str]) -> str | None:
    if QUESTION_SHEET in sheets:
        return QUESTION_SHEET
    return next((sheet for sheet in sheets if sheet not in (BANK_SHEET, HELP_SHEET)), None)


def _header_word(title: str) -> str:
    """A header as compared: width-folded, without spaces, required-marks (*) or notes in brackets."""
    word = _NOTE.sub("", unicodedata.normalize("NFKC", title))
    return re.sub(r"[\s*]+", "", word).lower()


def _column_key(title: str) -> str | None:
    word = _header_word(title)
    option = _OPTION_HEADER.match(word.upper())
    return f"option:{option.group(1)}" if option else _HEADER_KEYS.get(word)


def _find_header(rows: list[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    for index, (_line, cells) in enumerate(rows[:HEADER_ROWS]):
        keys = {_column_key(cell) for cell in cells if cell}
        if "stem" in keys and keys & {"answer", "type"}:
            return index, cells
    return None


def _kind_of(word: str) -> QuestionType | None:
    """The type a cell names: 单选题, 单选, 单项选择题, single …; None for anything else."""
    word = _header_word(word)
    stem = word.removesuffix("题")
    stem = _TYPE_WORDS.get(stem, stem)
    for kind in QUESTION_TYPES:
        if word in (kind.name, kind.label) or stem == kind.label.removesuffix("题"):
            return kind
    return None


def heading_type(text: str) -> str | None:
    """For a row holding only a section heading (一、单选题（每题1分）): the type it names ("" for a type this
    project lacks); None when the text is not a heading."""
    word = _NUMBERING.sub("", _NOTE.sub("", text)).strip()
    kind = _kind_of(word)
    if kind is not None:
        return kind.name
    return "" if re.fullmatch(r"[\u4e00-\u9fff]{1,8}题", word) else None


def _options(row: dict[str, str]) -> dict[str, str]:
    """Options one per column (选项A …) or all in one cell split by `/` (or by lines), up to the last filled."""
    if any(key.startswith("option:") for key in row):
        options = {letter: row.get(f"option:{letter}", "") for letter in LETTERS}
    else:
        parts = [part.strip() for part in re.split(r"[/／\n]", row.get("options", "")) if part.strip()]
        options = dict(zip(LETTERS, _without_letters(parts), strict=False))
    filled = [letter for letter, text in options.items() if text]
    return {letter: options[letter] or None for letter in LETTERS[: LETTERS.index(filled[-1]) + 1]} if filled else {}


def _without_letters(parts: list[str]) -> list[str]:
    """One-cell options lose their `A.` `B、` prefixes when every part has its own letter, in order."""
    prefixes = [_OPTION_PREFIX.match(part) for part in parts]
    if all(match and match.group(1).upper() == LETTERS[index] for index, match in enumerate(prefixes)):
        return [part[match.end():].strip() for part, match in zip(parts, prefixes, strict=True) if match]
    return parts


def option_letter(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().upper()
    return folded[0] if re.fullmatch(r"[A-H][.、]?", folded) else text


def truth_fields(text: str, options: dict[str, str | None]) -> dict[str, Any]:
    """A judge answer: its word, or the letter of an option that is one (A 正确 / B 错误); such options go."""
    judge_words = [option for option in options.values() if option and question_type("judge").parse_key(option)
                   is not None]
    letter = option_letter(text)
    fields: dict[str, Any] = {}
    if options and len(judge_words) != len(options):
        fields["options"] = options   # options that are not 正确/错误: validation says a judge takes none
    if letter in options and options[letter]:
        text = options[letter] or text
    if text:
        fields["answer"] = text
    return fields


def blank_answer(text: str, line: int) -> yamlmarks.MarkedList:
    blanks = []
    for blank in _BLANKS.split(text):
        variants = [variant.strip() for variant in _VARIANTS.split(blank)]
        blanks.append(variants[0] if len(variants) == 1 else marked_list(line, variants))
    return marked_list(line, blanks)


def step_answer(text: str, line: int) -> Any:
    """A calculation's answer cell: its steps split by | (`40 元|480 元`), each a number and maybe its unit."""
    steps = [part.strip() for part in _BLANKS.split(text)]
    return steps[0] if len(steps) == 1 else marked_list(line, steps)


def rubric_points(text: str, line: int) -> yamlmarks.MarkedList:
    points = []
    for entry in filter(None, (part.strip() for part in text.splitlines())):
        point, digits = rubric_parts(entry) or (entry, None)
        score = (float(digits) if "." in digits else int(digits)) if digits else None
        points.append(marked(line, {"point": point, "score": score}))
    return marked_list(line, points)


def _bank_value(key: str, text: str) -> Any:
    if key == "practice":
        return _YES.get(text.lower(), text)
    if key == "category":
        return CATEGORY_WORDS.get(text, text)
    return text


def marked(line: int, values: dict[str, Any]) -> yamlmarks.MarkedMap:
    mapping = yamlmarks.MarkedMap(values)
    mapping.line, mapping.key_lines, mapping.repeated = line, dict.fromkeys(values, line), []
    return mapping


def marked_list(line: int, values: list[Any] | None = None) -> yamlmarks.MarkedList:
    sequence = yamlmarks.MarkedList(values or [])
    sequence.line, sequence.item_lines = line, [line] * len(sequence)
    return sequence


def _relined(value: Any, line: int) -> Any:
    """Parsed cell content placed on its row: every nested line becomes the row's."""
    if isinstance(value, dict):
        return marked(line, {key: _relined(item, line) for key, item in value.items()})
    if isinstance(value, list):
        return marked_list(line, [_relined(item, line) for item in value])
    return value


# -- writing ------------------------------------------------------------------------------------------------------

def write_workbook(bank: BankSpec) -> bytes:
    """The bank as a workbook that reads back to the same specs."""
    return _book(bank, [_question_row(question) for question in bank.questions
                        if not question_type(question.type).has_parts])   # a row holds no parts: left out


def template() -> bytes:
    """An empty bank workbook: the 题库 rows to fill in, the 题目 header, and the instructions."""
    return _book(BankSpec(slug="", title="", category="", file=""), [])


def _book(bank: BankSpec, rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    about = book.active
    about.title = BANK_SHEET
    for label, value in (("标识", bank.slug), ("名称", bank.title), ("类别", CATEGORIES.get(bank.category, "")),
                         ("说明", bank.description), ("练习", "是" if bank.practice else "否")):
        _append(about, [label, value])
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 10, 40
    questions = book.create_sheet(QUESTION_SHEET)
    for row in [HEADER, *rows]:
        _append(questions, row)
    for cell in questions[1]:
        cell.font = Font(bold=True)
    questions.freeze_panes = "A2"
    questions.column_dimensions["C"].width = 50
    help_sheet = book.create_sheet(HELP_SHEET)
    for line in INSTRUCTIONS:
        _append(help_sheet, [line])
    help_sheet.column_dimensions["A"].width = 110
    for cell in help_sheet["A"]:
        cell.alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet, row: list[Any]) -> None:
    """Text as a cell holds it; text a spreadsheet would run as a formula is kept as text (domain.cells). Such a
    cell is made before the row is appended: finding the row afterwards (`sheet.max_row`) reads every cell of the
    sheet, which made writing a bank quadratic in its questions."""
    sheet.append([_written(sheet, value) for value in row])


def _written(sheet, value: Any) -> Any:
    from openpyxl.cell import Cell

    if not isinstance(value, str):
        return value
    text = cell_text(value)
    if not runs_as_formula(text):
        return text
    cell = Cell(sheet, value=text)
    cell.data_type, cell.quotePrefix = "s", True
    return cell


def _question_row(question: QuestionSpec) -> list[Any]:
    kind = question_type(question.type)
    fields = kind.yaml_fields(question.content())
    options = fields.get("options", {})
    answer = _ANSWER_CELLS.get(kind.input, _described)(kind, fields)
    return [question.id, kind.label.removesuffix("题"), question.stem, *(options.get(letter, "") for letter in LETTERS),
            answer, question.explanation, question.source, question.difficulty, _tags_cell(question.tags),
            "任意" if fields.get("blank_order") == "any" else "", _rubric_cell(fields.get("rubric", [])),
            _tolerance_cell(question.content()), "\n".join(question.prompts)]


def _described(kind: QuestionType, fields: dict[str, Any]) -> str:
    return kind.describe_answer(fields["answer"])


def _blanks_cell(kind: QuestionType, fields: dict[str, Any]) -> str:
    """Blanks split by |, a blank's variants by /; a JSON list when the plain form would not read back the same."""
    variants = [entry if isinstance(entry, list) else [entry] for entry in fields["answer"]]
    plain = "|".join("/".join(entry) for entry in variants)
    if all(_plain(text) and not re.search(r"[|｜/／]", text) for entry in variants for text in entry):
        return plain
    return json.dumps(fields["answer"], ensure_ascii=False)


def _steps_cell(kind: QuestionType, fields: dict[str, Any]) -> str:
    """A calculation's steps split by |, each its number and unit: `1500 元`, `40 元|480 元`."""
    units = fields.get("unit", "")
    values = fields["answer"] if isinstance(fields["answer"], list) else [fields["answer"]]
    units = units if isinstance(units, list) else [units] * len(values)
    return "|".join(f"{value} {unit}".strip() for value, unit in zip(values, units, strict=True))


def _tolerance_cell(content: dict[str, Any]) -> str:
    steps = content.get("answer") if isinstance(content.get("answer"), list) else []
    tolerances = [step.get("tolerance", "") for step in steps if isinstance(step, dict)]
    if not any(tolerances):
        return ""
    return tolerances[0] if len(set(tolerances)) == 1 else "|".join(tolerances)


_ANSWER_CELLS: dict[str, Callable[[QuestionType, dict[str, Any]], str]] = {
    "letters": lambda kind, fields: "".join(fields["answer"]),
    "blanks": _blanks_cell,
    "numbers": _steps_cell,
    "pairs": lambda kind, fields: "".join(fields["answer"]),
    "text": lambda kind, fields: fields["reference_answer"],
    "order": lambda kind, fields: kind.key_text(fields["answer"]),
}


def _tags_cell(tags: list[str]) -> str:
    if all(_plain(tag) and not _LIST_SEPARATORS.search(tag) for tag in tags):
        return "、".join(tags)
    return json.dumps(tags, ensure_ascii=False)


def _rubric_cell(rubric: list[dict[str, Any]]) -> str:
    if all(_plain(point["point"]) and "\n" not in point["point"] for point in rubric):
        return "\n".join(f"{point['point']}（{point['score']}分）" for point in rubric)
    return json.dumps(rubric, ensure_ascii=False)


def _plain(text: str) -> bool:
    """Text that reads back as itself from a plain cell: trimmed, not empty, not looking like a list."""
    return bool(text) and text == text.strip() and not text.startswith("[")


INSTRUCTIONS = (
    "题库工作簿填写说明（flask bank import 导入；flask bank export --format xlsx 导出的也是这种格式）",
    "",
    "一、“题库”表：A 列写项目，B 列写内容。",
    "标识：题库的唯一标识，只用小写字母、数字、- 和 _，如 party-affairs。留空时导入可用 --bank 指定（默认取文件名）。",
    "名称：题库名称，如 党务业务知识。留空时可用 --title 指定（默认取文件名）。",
    "类别：理论、政策 或 党务（也可写 theory、policy、party_affairs）。留空时可用 --category 指定。",
    "说明：可不填。练习：是（开放给百日练兵）或 否。",
    "",
    ("二、“题目”表：第一行是列名，以后每行一道题。列名按含义识别（序号、类型、题目内容、正确答案、来源 等也可以），"
     "不认识的列会提示并忽略。只写了题型名称的行（如“一、单选题”）是分节标题，其下没写题型的题目按它的题型读取。"),
    "编号：题目在本题库中的唯一编号，如 PA-0001；导入后不要改，也不要重复使用（改了编号算作新题）。",
    "题型：单选、多选、判断、填空、简答、计算、排序、匹配（也可写 单选题、单项选择题 等）。",
    "题干：题目正文，可用 Markdown。填空题用三个或更多下划线 ___ 表示一个空。",
    ("选项A … 选项H：单选、多选题的选项，从 A 起连续填写，2 到 8 个；"
     "排序题的各项也写在选项A起的各列，3 到 8 项，顺序随意（考生看到的总是打乱后的顺序）。"
     "也可以只用一列“选项”，把全部选项写在一个单元格里，用 / 分隔（如 A.三/B.五/C.七）。"),
    ("答案：单选写一个字母（B）；多选写两个以上字母，任何写法都行（ABD、A,B,D、A、B、D、A B D）；"
     "判断写 对/错、正确/错误、√/×（选项为“正确/错误”时也可写其字母）；"
     "填空按空的顺序写，空与空之间用 | 分隔，同一空的多种可接受写法用 / 分隔（如 中央委员会/党中央|五）；"
     "排序题按正确顺序写出全部选项字母（CABD，也可写 C,A,B,D 或 C→A→B→D）；"
     "计算题按步骤写数值，可带单位（如 1500 或 1500 元；题干每个 ___ 一步，多步用 | 分隔，如 40 元|480 元）；"
     "简答写参考答案。答案本身含有 | 或 / 时，可写成列表：[[\"1/3\", \"三分之一\"], \"五\"]。"),
    "解析、出处：建议填写，缺少时导入会给出警告。",
    "难度：1（易）到 5（难）的整数，不填为 3。",
    "标签：用逗号或顿号分隔，如 党章、组织原则。",
    "填空顺序：填空题可填“任意”（各空答案可以互换顺序），不填为固定顺序。",
    ("左项：匹配题的左项，每行一个（或用 | 分隔），2 到 8 个，按题目顺序排列；右项写在 选项A … 选项H，"
     "个数不少于左项，可以多出（干扰项）；答案按左项顺序每项写一个右项字母，如 BAD（也可写 1-B，2-A，3-D）。"),
    "误差：计算题允许的误差，写数值为绝对误差（0.5），写百分数为相对误差（1%），不填须完全相等。",
    "评分要点：简答题必填，每行一个要点，末尾用括号写分值，如 宣传和执行党的路线方针政策（2分）。",
    "",
    ("三、导入：flask bank import 文件.xlsx（先加 --dry-run 看会改变什么）。有错误时整个文件都不导入，"
     "每个问题都写明位置，如 文件.xlsx:题目!12: [PA-0003] …；加 --partial 则导入能读懂的题目，逐条列出未导入的。"),
)
