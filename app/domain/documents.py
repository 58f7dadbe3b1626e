"""Word (.docx) and plain-text (.txt) banks in the layout they are commonly typed in, read into the bank YAML's shape
(so the same validation applies): section headings (一、单选题) give the type; each question starts with its number
(`1.` `1．` `1、` `1<TAB>` `（1）`), then its stem, its options (`A．…`, one or several a paragraph), and its
fields on their own paragraphs (`答案：B`, `正确答案：`, `【答案】`, `解析：`, `出处：`/`来源：`, `难度：`, `标签：`,
`评分要点：`), or the answer in the stem's parentheses (`（ D ）`, `（√）`) or a `【答案：B】` tag anywhere in the
question.

A document carries no bank metadata (`--bank/--category/--title` give it) and no ids: a question's id is its type
and its place among the questions of that type (`single-0003`), so importing the same file again changes nothing.
Locations: a .docx paragraph's number among all the document's paragraphs, labelled `段落 34`; a .txt line's number,
printed as a YAML line is. Text before the first question is a warning; a paragraph inside a question that cannot be
placed is an error that leaves the question out (with `--partial`, a warning).
"""
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from app.domain import yamlmarks
from app.domain.banks import FIELD_LABELS, BankDocument
from app.domain.inputs import BAD_TEXT, text_ok
from app.domain.problems import Locate, Problem, Report
from app.domain.questions import LETTERS, QuestionType, question_type
from app.domain.text import EMPTY_PARENS
from app.domain.workbooks import (
    DIFFICULTY_WORDS,
    blank_answer,
    heading_type,
    marked,
    marked_list,
    option_letter,
    rubric_points,
    step_answer,
    truth_fields,
)

MAX_BYTES = 20_000_000      # uncompressed text read from a file: a bank of several thousand questions is far below
DOCUMENT_XML = "word/document.xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = {f"{_W}pPr", f"{_W}rPr", f"{_W}p", f"{_W}delText", f"{_W}instrText"}   # not text, or another paragraph's
_ENTITIES = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)

_CHINESE_NUMBER = "[一二三四五六七八九十]+"
_SECTION_NUMBER = re.compile(rf"^\s*{_CHINESE_NUMBER}\s*[、.．]\s*")
_SUBHEADING = re.compile(rf"^(?:{_CHINESE_NUMBER}\s*[、.．]|[（(]{_CHINESE_NUMBER}[)）]|第(?:{_CHINESE_NUMBER}|[0-9]+)"
                         r"(?:部分|章|节|单元))")
_NUMBER = re.compile(r"^(?:[（(]\s*(\d{1,4})\s*[)）]|(\d{1,4})\s*(?:[.．、)）](?![0-9])|\t))\s*(.*)$", re.S)
_OPTION = re.compile(r"^([A-HＡ-Ｈ])\s*[.．、:：]\s*")
_FIELDS = {"答案": "answer", "正确答案": "answer", "参考答案": "answer", "标准答案": "answer", "解析": "explanation",
           "答案解析": "explanation", "试题解析": "explanation", "出处": "source", "来源": "source", "依据": "source",
           "难度": "difficulty", "标签": "tags", "知识点": "tags", "评分要点": "rubric", "评分标准": "rubric",
           "误差": "tolerance", "允许误差": "tolerance"}
_LABELS = "|".join(sorted(_FIELDS, key=len, reverse=True))
_FIELD_LINE = re.compile(rf"^[【\[]\s*({_LABELS})\s*[】\]]\s*[:：]?\s*(.*)$|^({_LABELS})\s*[:：]\s*(.*)$", re.S)
# Possessive where spaces could go to either side, so no run of spaces is tried again at each of its characters (a
# lazy value before `\s*`, or a class that takes spaces before `\s*`, is quadratic in it, and with `\s*` before both,
# cubic). The value is its characters from the first to the last that is not a space.
_FIELD_TAG = re.compile(rf"[【\[]\s*+({_LABELS})\s*+[:：]\s*+((?:\s*+[^】\]\s])*+)\s*+[】\]]")
# After a space: a lookbehind, not `\s+`, which a run of spaces would start again at each of its characters. (The
# paragraph holds no line break: `.*` never stops short of the end.)
_TRAILING_ANSWER = re.compile(r"(?<=\s)(?:正确答案|参考答案|标准答案|答案)\s*[:：]\s*(\S.*)$")
_STEM_ANSWER = re.compile(r"[（(]\s*+([A-HＡ-Ｈa-h][A-HＡ-Ｈa-h,，、\s]*+|√|×|✓|✗|对|错|正确|错误)\s*[)）]")
# What `[（(]([^（）()]*\S[^（）()]*)[)）]` matched (quadratic in a long run without parentheses), no run read twice
# from one start: a run, a parenthesis (the \S), a run, then a closing one; else a run with something in it.
_WRAPPED = re.compile(r"[（(]([^（）()]*+[（）()][^（）()]*+|\s*+[^（）()\s][^（）()]*+)[)）]")
_BOOK_TITLE = re.compile(r"《[^《》]*》")
_UNDERLINES = re.compile(r"[_＿]{2,}")
_SPLIT_BLANKS = re.compile(r"[；;]")
_LOOSE_BLANKS = re.compile(r"[\s，,、]+")
_LETTERS_ONLY = re.compile(r"[\s,，、;；/]+")
_TAGS = re.compile(r"[,，、;；\s]+")
_RUNNING_FIELDS = ("explanation", "source", "rubric")    # text that may run over several paragraphs
_TRUTH_LETTERS = {"T": "对", "F": "错", "✔": "对", "✘": "错"}
CHOICE_SLOT = "（ ）"        # how the YAML banks write a choice stem's slot


# -- files to paragraphs ------------------------------------------------------------------------------------------

def read_docx(path: Path, name: str) -> BankDocument:
    """A Word document's paragraphs, read with the standard library from word/document.xml."""
    data, problem = _document_xml(path, name)
    if problem:
        return BankDocument(name, None, [problem])
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return BankDocument(name, None, [Problem(name, 1, f"Word 文档内容无法读取：{error}")])
    paragraphs = [(number, _paragraph_text(p)) for number, p in enumerate(root.iter(f"{_W}p"), start=1)]
    return read_paragraphs(paragraphs, name, lambda line: f"段落 {line}")


def _document_xml(path: Path, name: str) -> tuple[bytes, Problem | None]:
    """The document part, within MAX_BYTES however the archive claims its size, and without a DTD (no entities to
    expand)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(DOCUMENT_XML) as stream:
            data = stream.read(MAX_BYTES + 1)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        return b"", Problem(name, 1, f"不是可读取的 Word 文档（.docx）：{error}")
    if len(data) > MAX_BYTES:
        return b"", Problem(name, 1, f"Word 文档过大：内容超过 {MAX_BYTES // 1_000_000} MB")
    if _ENTITIES.search(data):
        return b"", Problem(name, 1, "Word 文档含有 DOCTYPE 或 ENTITY 声明，不予读取")
    return data, None


def _paragraph_text(paragraph: ElementTree.Element) -> str:
    return "".join(_texts(paragraph))


def _texts(element: ElementTree.Element) -> Iterator[str]:
    """A paragraph's text in order: runs' text, tabs and breaks; a run of underlined spaces is a blank (___), as
    Word users type one."""
    for child in element:
        if child.tag == f"{_W}t":
            yield child.text or ""
        elif child.tag == f"{_W}tab":
            yield "\t"
        elif child.tag in (f"{_W}br", f"{_W}cr"):
            yield "\n"
        elif child.tag == f"{_W}r" and _underlined_space(child):
            yield "___"
        elif child.tag not in _SKIPPED:
            yield from _texts(child)


def _underlined_space(run: ElementTree.Element) -> bool:
    underline = run.find(f"{_W}rPr/{_W}u")
    if underline is None or underline.get(f"{_W}val") == "none":
        return False
    text = "".join(t.text or "" for t in run.iter(f"{_W}t"))
    return bool(text) and not text.strip()


def read_plain_text(path: Path, name: str) -> BankDocument:
    """A text file's lines: UTF-8 (with or without BOM), UTF-16 with its BOM, or else GB18030 (which reads GBK)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return BankDocument(name, None, [Problem(name, 1, f"文本文件过大：超过 {MAX_BYTES // 1_000_000} MB")])
        data = path.read_bytes()
    except OSError as error:
        return BankDocument(name, None, [Problem(name, 1, f"文件无法读取：{error}")])
    text = _decoded(data)
    if text is None:
        return BankDocument(name, None, [Problem(name, 1, "文件编码无法识别：应为 UTF-8 或 GBK（GB18030）")])
    return read_paragraphs(list(enumerate(text.splitlines(), start=1)), name)


def _decoded(data: bytes) -> str | None:
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# -- paragraphs to questions --------------------------------------------------------------------------------------

@dataclass
class _Draft:
    """One question as its paragraphs are read: where each part stood, and what a following paragraph continues."""

    line: int
    kind: QuestionType | None
    type_word: str                       # the section's word when it names no type of ours (计算题)
    parenthesised: bool = False          # numbered （1）, not 1.
    stem: list[str] = field(default_factory=list)
    options: dict[str, tuple[str, int]] = field(default_factory=dict)
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    last: str = "stem"                   # stem | options | a field's key: what an unmarked paragraph continues
    unplaced: list[tuple[int, str]] = field(default_factory=list)     # (line, why): the question is left out

    @property
    def in_prose(self) -> bool:
        """Whether the question is at text that runs over paragraphs with its own numbering: a short answer's stem
        or reference answer, or an explanation."""
        return self.written or self.last in _RUNNING_FIELDS

    @property
    def written(self) -> bool:
        """Whether the answer is prose (a short answer's), which may run over several paragraphs."""
        return self.kind is not None and self.kind.input == "text"

    def parts_numbered(self, parenthesised: bool) -> bool:
        """Whether a paragraph numbered the other way than this question (（1） in a question numbered 1.) is one of
        its parts."""
        return self.in_prose and parenthesised != self.parenthesised

    def set_field(self, key: str, text: str, line: int, *, continued: bool = True) -> None:
        """A field's paragraph (or tag); one written twice is a problem, as a key written twice is in YAML. A tag is
        whole (`continued=False`): what follows it continues what came before."""
        if key in self.fields:
            self.unplaced.append((line, f"{FIELD_LABELS[key]}写了两次（前面已有：{_excerpt(self.fields[key][0])}）"))
        self.fields[key] = (text, line)
        if continued:
            self.last = key

    def extend_field(self, text: str) -> None:
        value, line = self.fields[self.last]
        self.fields[self.last] = (f"{value}\n{text}" if value else text, line)


def read_paragraphs(paragraphs: list[tuple[int, str]], name: str, locate: Locate | None = None) -> BankDocument:
    """Numbered paragraphs (a document's, or a text file's lines) as a bank document."""
    reader = _Reader(name, locate)
    for line, text in paragraphs:
        for part in text.split("\n"):      # a line break within a paragraph (Shift+Enter) parts it as Enter would
            reader.paragraph(line, part.strip())
    reader.finish()
    document = marked(paragraphs[0][0] if paragraphs else 1, {})
    if reader.items:
        document["questions"] = reader.items
    return BankDocument(name, document, reader.report.problems, locate, unread=reader.unread)


class _Reader:
    def __init__(self, name: str, locate: Locate | None):
        self.report = Report(name, locate)
        self.kind: QuestionType | None = None
        self.type_word = ""
        self.draft: _Draft | None = None
        self.items = marked_list(1)
        self.unread: list[Problem] = []
        self.counts: dict[str, int] = {}

    def paragraph(self, line: int, text: str) -> None:
        if not text:
            return
        if not text_ok(text):
            self.report.error(line, f"段落文字{BAD_TEXT}")
            return
        heading = _heading(text)
        numbered = _NUMBER.match(text)
        if numbered and self.draft is not None and self.draft.parts_numbered(bool(numbered.group(1))):
            numbered = None
        if heading is not None:
            self.section(heading, text)
        elif _SUBHEADING.match(text) and len(text) <= 30 and not (self.draft and self.draft.in_prose):
            self.finish()      # （一）党章部分: a part of a section, which keeps its type
            self.report.warn(line, f"小节标题，已忽略：{text}")
        elif numbered:
            self.finish()
            self.draft = _Draft(line, self.kind, self.type_word, parenthesised=bool(numbered.group(1)))
            self.content(line, numbered.group(3))
        elif self.draft is None:
            self.report.warn(line, f"题目之前或分节标题下的文字，已忽略：{_excerpt(text)}")
        else:
            self.content(line, text)

    def section(self, heading: str, text: str) -> None:
        self.finish()
        self.kind = question_type(heading) if heading else None
        self.type_word = "" if heading else _section_word(text)

    def content(self, line: int, text: str) -> None:
        """A paragraph inside the current question: its fields (tags first), options, or more of what came before."""
        draft = self.draft
        for tag in _FIELD_TAG.finditer(text):
            draft.set_field(_FIELDS[tag.group(1)], tag.group(2), line, continued=False)
        text = _FIELD_TAG.sub("", text).strip()
        if not text:
            return
        field_line = _FIELD_LINE.match(text)
        if field_line:
            label, value = (field_line.group(1), field_line.group(2)) if field_line.group(1) else field_line.group(3, 4)
            draft.set_field(_FIELDS[label], value.strip(), line)
            return
        trailing = _TRAILING_ANSWER.search(text)
        if trailing:
            text = text[: trailing.start()].strip()
        self.body(line, text)
        if trailing:
            draft.set_field("answer", trailing.group(1).strip(), line)

    def body(self, line: int, text: str) -> None:
        """Stem, options, or the continuation of a field written over several paragraphs."""
        draft = self.draft
        if draft.last in ("stem", "options") and _OPTION.match(text) and _next_letter(draft) == _letter_at(text):
            self.options(line, text)
        elif draft.last == "stem":
            stem, options = _split_inline_options(text)
            draft.stem.append(stem)
            if options:
                self.options(line, options)
        elif draft.last in _RUNNING_FIELDS or (draft.last == "answer" and draft.written):
            draft.extend_field(text)
        else:
            draft.unplaced.append((line, f"无法识别的段落（不是选项、答案或解析）：{_excerpt(text)}"))

    def options(self, line: int, text: str) -> None:
        draft = self.draft
        for letter, option in _split_options(text, _next_letter(draft)):
            draft.options[letter] = (option, line)
        draft.last = "options"

    def finish(self) -> None:
        """The current question, built, into the document; or, when a paragraph of it could not be placed or its
        type is unknown, into `unread` with the reason."""
        draft, self.draft = self.draft, None
        if draft is None:
            return
        kind = draft.kind or (None if draft.type_word else _inferred_kind(draft))
        prefix = kind.name if kind else "item"
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        qid = f"{prefix}-{self.counts[prefix]:04d}"
        item = _question(draft, kind, qid) if kind or draft.type_word else None
        for line, message in draft.unplaced:
            self.left_out(line, message, qid)
        if item is None:
            self.left_out(draft.line, "无法判断题型：请在题目前加分节标题，如 一、单选题", qid)
        elif not draft.unplaced:
            self.items.append(item)
            self.items.item_lines.append(draft.line)

    def left_out(self, line: int, message: str, qid: str) -> None:
        self.unread.append(Problem(self.report.file, line, message, qid, place=self.report.place(line)))


def _question(draft: _Draft, kind: QuestionType | None, qid: str) -> yamlmarks.MarkedMap:
    stem = "\n\n".join(part for part in draft.stem if part)
    fields = dict(draft.fields)
    if kind is not None and kind.has_blanks:
        stem, wrapped = _blank_stem(stem, "answer" not in fields)
        if wrapped:
            fields["answer"] = ("|".join(wrapped), draft.line)
    elif kind is None or kind.has_options or kind.input == "truth":
        stem = _stem_answer(stem, kind, fields, draft)
    item = marked(draft.line, {"id": qid, "type": kind.name if kind else draft.type_word, "stem": stem})
    if draft.options:
        options = {letter: text for letter, (text, _line) in draft.options.items()}
        _put(item, "options", marked(draft.line, options), min(line for _text, line in draft.options.values()))
        item["options"].key_lines = {letter: line for letter, (_text, line) in draft.options.items()}
    for key, (text, line) in fields.items():
        _put_field(item, kind, key, text, line)
    return item


def _put(item: yamlmarks.MarkedMap, key: str, value: Any, line: int) -> None:
    item[key], item.key_lines[key] = value, line


def _put_field(item: yamlmarks.MarkedMap, kind: QuestionType | None, key: str, text: str, line: int) -> None:
    if key == "answer":
        for answer_key, value in _answer(kind, text, item, line).items():
            _put(item, answer_key, value, line)
    elif key == "difficulty":
        _put(item, key, DIFFICULTY_WORDS.get(text, int(text) if text.isdigit() else text), line)
    elif key == "tags":
        _put(item, key, marked_list(line, [tag for tag in _TAGS.split(text) if tag]), line)
    elif key == "rubric":
        _put(item, key, rubric_points(text, line), line)
    elif text:
        _put(item, key, text, line)


def _answer(kind: QuestionType | None, text: str, item: yamlmarks.MarkedMap, line: int) -> dict[str, Any]:
    """The answer paragraph read the way the type's input takes it."""
    if kind is None or kind.input == "letter":
        return {"answer": option_letter(text)}
    if kind.input == "letters":
        letters = unicodedata.normalize("NFKC", _LETTERS_ONLY.sub("", text)).upper()
        return {"answer": marked_list(line, list(letters)) if re.fullmatch(r"[A-H]+", letters) else text}
    if kind.input == "truth":
        options = item.pop("options", {})
        found = truth_fields(_TRUTH_LETTERS.get(text.strip().upper(), text), dict(options))
        if "options" in found:
            item["options"] = options
        return {key: value for key, value in found.items() if key == "answer"}
    if kind.input == "blanks":
        return {"answer": blank_answer(_blank_parts(text, item["stem"]), line)}
    if kind.input == "numbers":
        return {"answer": step_answer(_blank_parts(text, item["stem"]), line)}
    if kind.input == "order":
        return {"answer": text.strip().rstrip("。．.")}     # CABD, C,A,B,D, C→A→B→D: the type reads them
    return {"reference_answer": text}


def _blank_parts(text: str, stem: str) -> str:
    """Blanks' answers split by | (or ；), the form blank_answer reads; written with spaces or 、 when that alone
    gives one answer per blank."""
    text = _SPLIT_BLANKS.sub("|", text)
    blanks = stem.count("___")
    if blanks > 1 and "|" not in text:
        loose = [part for part in _LOOSE_BLANKS.split(text) if part]
        if len(loose) == blanks:
            return "|".join(loose)
    return text


def _blank_stem(stem: str, unanswered: bool) -> tuple[str, list[str]]:
    """A fill-in stem with every blank as ___: underlines as they were typed, empty parentheses, and — when no
    answer paragraph follows — answers written in parentheses in the stem (outside 《》), which are taken out."""
    stem = EMPTY_PARENS.sub("___", _UNDERLINES.sub("___", stem))
    if not unanswered or "___" in stem:
        return stem, []
    titles = [match.span() for match in _BOOK_TITLE.finditer(stem)]
    wrapped = [match for match in _WRAPPED.finditer(stem)
               if not any(start < match.start() < end for start, end in titles)]
    for match in reversed(wrapped):
        stem = f"{stem[: match.start()]}___{stem[match.end():]}"
    return stem, [match.group(1).strip() for match in wrapped]


def _stem_answer(stem: str, kind: QuestionType | None, fields: dict[str, tuple[str, int]], draft: _Draft) -> str:
    """A choice or judge stem whose parentheses hold the answer (（ D ）, （√）): the answer taken, the parentheses
    left as the slot the YAML banks write; an answer paragraph too must agree with it."""
    found = [match for match in _STEM_ANSWER.finditer(stem) if _answers_kind(match.group(1), kind)]
    if not found:
        return EMPTY_PARENS.sub(CHOICE_SLOT, stem)
    match = found[-1]
    given = unicodedata.normalize("NFKC", match.group(1)).strip()
    if "answer" in fields and _folded(fields["answer"][0]) != _folded(given):
        draft.unplaced.append((fields["answer"][1], f"答案 {fields['answer'][0]} 与题干括号中的 {given} 不一致"))
    fields.setdefault("answer", (given, draft.line))
    return EMPTY_PARENS.sub(CHOICE_SLOT, f"{stem[: match.start()]}{CHOICE_SLOT}{stem[match.end():]}")


def _answers_kind(text: str, kind: QuestionType | None) -> bool:
    letters = re.fullmatch(r"[A-H]+", _LETTERS_ONLY.sub("", unicodedata.normalize("NFKC", text)).upper()) is not None
    return kind is None or (letters if kind.has_options else not letters)


def _folded(text: str) -> str:
    return _LETTERS_ONLY.sub("", unicodedata.normalize("NFKC", text)).upper()


def _inferred_kind(draft: _Draft) -> QuestionType | None:
    """The type of a question under no section heading, from its shape: options and one letter or several, a judge
    word, or blanks in the stem."""
    answer = draft.fields.get("answer", ("", 0))[0]
    in_stem = [match.group(1) for match in _STEM_ANSWER.finditer(" ".join(draft.stem))]
    if draft.options:
        letters = _folded(answer or (in_stem[-1] if in_stem else ""))
        return question_type("multiple" if len(letters) > 1 else "single")
    judge = question_type("judge")
    if judge.parse_key(unicodedata.normalize("NFKC", answer or (in_stem[-1] if in_stem else ""))) is not None:
        return judge
    return question_type("blank") if _UNDERLINES.search(" ".join(draft.stem)) and answer else None


def _next_letter(draft: _Draft) -> str:
    return LETTERS[len(draft.options)] if len(draft.options) < len(LETTERS) else ""


def _letter_at(text: str) -> str:
    match = _OPTION.match(text)
    return unicodedata.normalize("NFKC", match.group(1)) if match else ""


def _split_options(text: str, first: str) -> Iterator[tuple[str, str]]:
    """Options written together (`A．三  B．五`, or `A.三B.五`): each letter's marker, in order, ends the one before."""
    start = LETTERS.index(first)
    marks = []
    position = 0
    for letter in LETTERS[start:]:
        found = _marker(letter).search(text, position)
        if found is None:
            break
        marks.append((letter, found.start(), found.end()))
        position = found.end()
    for index, (letter, _start, end) in enumerate(marks):
        stop = marks[index + 1][1] if index + 1 < len(marks) else len(text)
        yield letter, text[end:stop].strip()


@cache
def _marker(letter: str) -> re.Pattern[str]:
    wide = chr(ord(letter) - ord("A") + ord("Ａ"))
    return re.compile(rf"(?<![A-Za-z])[{letter}{wide}]\s*[.．、:：]\s*")


def _split_inline_options(text: str) -> tuple[str, str]:
    """A stem with its options on the same paragraph (`题干（ ）。A．三 B．五`): the options start at an A marker,
    and only when a B marker follows."""
    found = _marker("A").search(text)
    if found and _marker("B").search(text, found.end()):
        return text[: found.start()].strip(), text[found.start():]
    return text, ""


def _heading(text: str) -> str | None:
    """The type a section heading names (一、单选题（每题1分）), "" for one this project lacks (四、计算题), which must
    then be numbered as a section; None for any other paragraph."""
    if len(text) > 40 or _OPTION.match(text):
        return None
    heading = heading_type(text)
    return None if heading == "" and not _SECTION_NUMBER.match(text) else heading


def _section_word(text: str) -> str:
    """The type a heading names when it is not one of ours (计算题), for the message that says so."""
    word = _SECTION_NUMBER.sub("", text)
    return re.sub(r"[（(][^（）()]*[)）]", "", word).strip()


def _excerpt(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"

