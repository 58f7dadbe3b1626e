"""Moodle XML (a `<quiz>` of `<question type=…>`): a bank written as one, and one read back as a bank document.

Written: a category question (理论/党的理论知识, idnumber the bank's slug, info its description), then each question
by the Moodle type its type names (`QuestionType.moodle`): multichoice (single true/false), truefalse, shortanswer
(several blanks: cloze, one SHORTANSWER per blank), essay (graderinfo: the reference answer and the rubric). Texts
are HTML from the bank's Markdown; the id is the name and the idnumber; the explanation and source are the general
feedback; tags carry difficulty and blank order (`shared`).

Read: those types (cloze only when every part is a SHORTANSWER), each question at its XML line; any other Moodle
type is a problem at its line. Documents with a DOCTYPE or entities are refused before parsing.
"""
import html
import re
import string
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from xml.parsers import expat

from app.domain.banks import BankDocument, BankSpec, QuestionSpec
from app.domain.interchange import shared
from app.domain.interchange.htmltext import to_html, to_markdown
from app.domain.problems import Problem, Report
from app.domain.questions import question_type
from app.domain.sources import read_text
from app.domain.text import BLANK_RUN, count_blanks

CLOZE = "cloze"
# A part's answers may hold `{` (Moodle's do, unescaped, and so do ours) but not another part's opening: otherwise
# each of many unclosed `{1:SA:` would be read to the end of the text, quadratic in them.
_CLOZE_PART = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|(?!\{\d*:[A-Z_]+:)[^\\}])*)\}")
_CLOZE_NUMBERS = {"NUMERICAL", "NM"}
_CLOZE_BLANKS = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}
_CLOZE_SPECIAL = re.compile(r'([\\}#~/"])')
_CATEGORY_SEPARATOR = re.compile(r"(?<!/)/(?!/)")
_DECLARATIONS = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


# -- writing ------------------------------------------------------------------------------------------------------

def write_moodle(bank: BankSpec) -> bytes:
    """The bank as a Moodle XML quiz file; a question whose type Moodle lacks is left out with a comment saying so."""
    quiz = ET.Element("quiz")
    quiz.append(_category(bank))
    for question in bank.questions:
        kind = question_type(question.type)
        writer = _WRITERS.get(_moodle_type(question))
        if writer is None:
            quiz.append(ET.Comment(f" {question.id}（{kind.label}）：Moodle 没有对应的题型，未导出 "))
        else:
            quiz.append(writer(question))
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8", xml_declaration=False) \
        + b"\n"


def _moodle_type(question: QuestionSpec) -> str:
    moodle = question_type(question.type).moodle
    return CLOZE if moodle in ("shortanswer", "numerical") and count_blanks(question.stem) > 1 else moodle


def _category(bank: BankSpec) -> ET.Element:
    element = ET.Element("question", type="category")
    path = "/".join(part.replace("/", "//") for part in ["$course$", "top", *shared.category_path(
        bank.title, bank.category)])
    _text(element, "category", path)
    _text(element, "info", html.escape(bank.description), format="html")
    ET.SubElement(element, "idnumber").text = bank.slug
    return element


def _question(question: QuestionSpec, moodle_type: str, text: str, grade: float = 1) -> ET.Element:
    element = ET.Element("question", type=moodle_type)
    _text(element, "name", question.id)
    _text(element, "questiontext", text, format="html")
    _text(element, "generalfeedback", to_html(shared.feedback_markdown(question)), format="html")
    for tag, value in (("defaultgrade", f"{grade:g}"), ("penalty", "0.3333333"), ("hidden", "0"),
                       ("idnumber", question.id)):
        ET.SubElement(element, tag).text = value
    return element


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "text").text = text
    return element


def _answer(parent: ET.Element, fraction: str, text: str, text_format: str = "html") -> None:
    answer = _text(parent, "answer", text, fraction=fraction, format=text_format)
    _text(answer, "feedback", "", format="html")


def _tags(element: ET.Element, question: QuestionSpec) -> ET.Element:
    tags = ET.SubElement(element, "tags")
    for tag in shared.tags_of(question):
        _text(tags, "tag", tag)
    return element


def _multichoice(question: QuestionSpec) -> ET.Element:
    kind = question_type(question.type)
    element = _question(question, "multichoice", to_html(question.stem))
    right = [letter for letter in question.options if kind.picks(question.answer, letter)]
    # Several right options share the mark; a wrong one takes it all away, as every scoring rule of ours does.
    share, wrong = (f"{100 / len(right):.7g}", "-100") if kind.many_choices else ("100", "0")
    ET.SubElement(element, "single").text = "false" if kind.many_choices else "true"
    ET.SubElement(element, "shuffleanswers").text = "true"
    ET.SubElement(element, "answernumbering").text = "ABCD"
    for letter, text in question.options.items():
        _answer(element, share if letter in right else wrong, to_html(text, inline=True))
    return _tags(element, question)


def _truefalse(question: QuestionSpec) -> ET.Element:
    element = _question(question, "truefalse", to_html(question.stem))
    for value in (True, False):
        _answer(element, "100" if question.answer is value else "0", str(value).lower(), "moodle_auto_format")
    return _tags(element, question)


def _shortanswer(question: QuestionSpec) -> ET.Element:
    element = _question(question, "shortanswer", to_html(question.stem))
    ET.SubElement(element, "usecase").text = "0"
    for variant in question.answer[0]:
        _answer(element, "100", variant, "moodle_auto_format")
    return _tags(element, question)


def _cloze(question: QuestionSpec) -> ET.Element:
    if question_type(question.type).moodle == "numerical":
        parts = [f"{{1:NUMERICAL:={step['value']}:{shared.absolute_tolerance(step)}}}" for step in question.answer]
    else:
        parts = [f"{{1:SHORTANSWER:{'~'.join('=' + _cloze_escape(v) for v in variants)}}}"
                 for variants in question.answer]
    return _tags(_question(question, CLOZE, to_html(question.stem, blanks=parts)), question)


def _numerical(question: QuestionSpec) -> ET.Element:
    """One number: Moodle's tolerance is absolute, so a relative one is written as its amount (and as a tag)."""
    element = _question(question, "numerical", to_html(question.stem))
    step = question.answer[0]
    answer = _text(element, "answer", step["value"], fraction="100", format="moodle_auto_format")
    _text(answer, "feedback", "", format="html")
    ET.SubElement(answer, "tolerance").text = shared.absolute_tolerance(step)
    if step["unit"]:
        units = ET.SubElement(element, "units")
        unit = ET.SubElement(units, "unit")
        ET.SubElement(unit, "multiplier").text = "1"
        ET.SubElement(unit, "unit_name").text = step["unit"]
    # The unit may be written or not (graded 0: no penalty), as our marking takes it; it shows after the box.
    for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0"), ("showunits", "3"), ("unitsleft", "0")):
        ET.SubElement(element, tag).text = value
    return _tags(element, question)


def _cloze_escape(variant: str) -> str:
    return html.escape(_CLOZE_SPECIAL.sub(r"\\\1", variant), quote=False)


def _essay(question: QuestionSpec) -> ET.Element:
    total = sum(point["score"] for point in question.rubric)
    element = _question(question, "essay", to_html(question.stem), grade=total)
    for tag, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "15"),
                       ("attachments", "0"), ("attachmentsrequired", "0")):
        ET.SubElement(element, tag).text = value
    rubric = "\n".join(f"- {shared.rubric_line(point)}" for point in question.rubric)
    grader = f"{question.reference_answer}\n\n{shared.RUBRIC_HEADING}\n\n{rubric}"
    _text(element, "graderinfo", to_html(grader), format="html")
    _text(element, "responsetemplate", "", format="html")
    return _tags(element, question)


def _ordering(question: QuestionSpec) -> ET.Element:
    """The qtype_ordering plugin's question (Moodle core has none): every item, in the right order, fraction its
    place; graded by absolute position, Moodle's nearest to our `position` rule (a paper may still choose strict)."""
    element = _question(question, "ordering", to_html(question.stem))
    for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", "0"),
                       ("gradingtype", "ABSOLUTE_POSITION"), ("showgrading", "SHOW"), ("numberingstyle", "none")):
        ET.SubElement(element, tag).text = value
    for place, letter in enumerate(question.answer, start=1):
        _answer(element, f"{place}.0000000", to_html(question.options[letter], inline=True))
    tags = _tags(element, question).find("tags")
    _text(tags, "tag", shared.ORDER_TAG + "".join(question.answer))
    return element


def _matching(question: QuestionSpec) -> ET.Element:
    """Each prompt a subquestion with its right item as the answer; an extra right item is a subquestion with no
    text, which is how Moodle offers a distractor. The key letters go in a tag, for reading back the same bank."""
    element = _question(question, "matching", to_html(question.stem))
    ET.SubElement(element, "shuffleanswers").text = "true"
    for prompt, letter in zip(question.prompts, question.answer, strict=True):
        sub = _text(element, "subquestion", to_html(prompt, inline=True), format="html")
        _text(sub, "answer", question.options[letter])
    for letter, text in question.options.items():
        if letter not in question.answer:
            sub = _text(element, "subquestion", "", format="html")
            _text(sub, "answer", text)
    return _tags(element, question)


_WRITERS: dict[str, Callable[[QuestionSpec], ET.Element]] = {
    "multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer, CLOZE: _cloze,
    "essay": _essay, "numerical": _numerical, "ordering": _ordering,
    "matching": _matching,
}


# -- reading ------------------------------------------------------------------------------------------------------

def read_moodle(path: Path, name: str) -> BankDocument:
    text, problem = read_text(path, name)
    return BankDocument(name, None, [problem]) if problem else parse_moodle(text, name)


def parse_moodle(text: str, name: str) -> BankDocument:
    """A Moodle XML quiz file as a bank document: the questions that map, and a problem for each that does not."""
    report = Report(name)
    root = _parse_xml(text, report)
    if root is None:
        return BankDocument(name, None, report.problems)
    reader = _QuizReader(report, root.lines)
    document = reader.document(root.element)
    return BankDocument(name, document, report.problems, unread=reader.unread)


class _Parsed(NamedTuple):
    element: ET.Element
    lines: dict[ET.Element, int]      # each element's line: ElementTree keeps none


def _parse_xml(text: str, report: Report) -> _Parsed | None:
    """The XML with each element's line; None (and the problem reported) when it is refused or not well-formed."""
    if len(text) > shared.MAX_CHARS:
        report.error(1, f"文件过大：超过 {shared.MAX_CHARS} 个字符")
        return None
    declaration = _DECLARATIONS.search(text)
    if declaration:
        # A DTD can define entities that expand without bound; no Moodle export has one.
        report.error(text.count("\n", 0, declaration.start()) + 1, "XML 中不得含有 DOCTYPE 或 ENTITY 声明，已拒绝读取")
        return None
    builder, lines = ET.TreeBuilder(), {}
    parser = expat.ParserCreate("utf-8")

    def start(tag: str, attributes: dict[str, str]) -> None:
        lines[builder.start(tag, attributes)] = parser.CurrentLineNumber

    parser.StartElementHandler, parser.EndElementHandler = start, builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as error:
        report.error(error.lineno, f"不是格式正确的 XML：{expat.ErrorString(error.code)}")
        return None
    return _Parsed(builder.close(), lines)


class _QuizReader:
    """One quiz being read: the bank from its category, a document per question, a problem per unmapped one."""

    def __init__(self, report: Report, lines: dict[ET.Element, int]):
        self.report, self.lines = report, lines
        self.unread: list[Problem] = []

    def line(self, element: ET.Element | None, default: int = 1) -> int:
        return self.lines.get(element, default) if element is not None else default

    def document(self, quiz: ET.Element):
        if quiz.tag != "quiz":
            self.report.error(1, f"Moodle XML 的根元素应是 <quiz>，而不是 <{quiz.tag}>")
            return None
        bank: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        questions = []
        number = 0      # of the question among the file's questions, for one without an id
        for element in quiz.findall("question"):
            moodle_type = element.get("type", "")
            if moodle_type == "category":
                self._category(element, bank, key_lines, bool(questions))
                continue
            number += 1
            reader = _READERS.get(moodle_type)
            if reader is None:
                self._unmapped(element, moodle_type, number)
                continue
            item = reader(self, element, number)
            if item is not None:
                questions.append(item)
        line = self.line(quiz)
        return shared.marked(line, {**bank, "questions": shared.marked_list(line, questions)},
                             {**key_lines, "questions": line})

    def _category(self, element: ET.Element, bank: dict[str, Any], key_lines: dict[str, int],
                  after_questions: bool) -> None:
        line = self.line(element)
        if after_questions:
            self.report.warn(line, "文件中有多个 Moodle 类别：全部题目导入同一个题库，以第一个类别为准")
            return
        bank.clear()
        path = [part.replace("//", "/").strip() for part in _CATEGORY_SEPARATOR.split(_field(element, "category"))]
        bank.update(shared.read_category_path(path))
        slug = (element.findtext("idnumber") or "").strip()
        description = to_markdown(_field(element, "info"))
        bank.update({key: value for key, value in (("bank", slug), ("description", description)) if value})
        key_lines.update(dict.fromkeys(bank, line))

    def _unmapped(self, element: ET.Element, moodle_type: str, number: int) -> None:
        qid = shared.question_id((element.findtext("idnumber") or _field(element, "name")).strip(), number)
        self.unread.append(Problem(self.report.file, self.line(element), shared.unmapped("Moodle", moodle_type), qid))

    def question(self, element: ET.Element, number: int, kind_name: str, stem: str,
                 fields: dict[str, Any], field_lines: dict[str, int]) -> Any:
        """A question document: the common fields from the element, the type's from the caller."""
        given = (element.findtext("idnumber") or "").strip() or _field(element, "name").strip()
        explanation, source = shared.split_feedback(to_markdown(_field(element, "generalfeedback")))
        values: dict[str, Any] = {"id": shared.question_id(given, number), "type": kind_name, "stem": stem}
        if element.find(".//file") is not None or any("<img" in (text.text or "") for text in element.iter("text")):
            self.report.warn(self.line(element), "题目中的图片和附件无法导入，已略去", values["id"])
        values.update({key: value for key, value in (("explanation", explanation), ("source", source)) if value})
        shared.read_tags([t.strip() for t in (tag.findtext("text") or "" for tag in element.iter("tag")) if t.strip()],
                         values)
        # A tag said what Moodle cannot (a relative tolerance, the units of several steps): it wins.
        values.update({key: value for key, value in fields.items() if key not in values})
        lines = {"stem": self.line(element.find("questiontext"), self.line(element)),
                 "explanation": self.line(element.find("generalfeedback"), self.line(element)),
                 "tags": self.line(element.find("tags"), self.line(element)), **field_lines}
        lines["source"] = lines["explanation"]
        return shared.marked(self.line(element), values, lines)


def _field(element: ET.Element, tag: str) -> str:
    """The text of a Moodle field (`<tag><text>…</text></tag>`), empty when absent."""
    return element.findtext(f"{tag}/text") or ""


def _fraction(answer: ET.Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return 0.0


def _answer_text(answer: ET.Element) -> str:
    text = answer.findtext("text") or ""
    return to_markdown(text) if answer.get("format", "html") == "html" else text.strip()


def _read_multichoice(reader: _QuizReader, element: ET.Element, number: int) -> Any:
    many = (element.findtext("single") or "true").strip().lower() in ("false", "0")
    kind = next(kind for kind in shared.moodle_kinds("multichoice") if kind.many_choices == many)
    answers = element.findall("answer")
    letters = string.ascii_uppercase        # past H too: validation says how many options a question may have
    options = {letters[index]: _answer_text(answer) for index, answer in enumerate(answers[: len(letters)])}
    right = [letters[index] for index, answer in enumerate(answers[: len(letters)])
             if (_fraction(answer) > 0 if many else _fraction(answer) >= 100)]
    fields: dict[str, Any] = {"options": shared.marked(reader.line(element.find("answer")), options)}
    if right:
        fields["answer"] = right if many else right[0]
    line = reader.line(element.find("answer"), reader.line(element))
    return reader.question(element, number, kind.name, _stem(element), fields, {"options": line, "answer": line})


def _read_truefalse(reader: _QuizReader, element: ET.Element, number: int) -> Any:
    kind = shared.moodle_kinds("truefalse")[0]
    right = [answer for answer in element.findall("answer") if _fraction(answer) >= 100]
    fields = {"answer": (right[0].findtext("text") or "").strip() if len(right) == 1 else None}
    line = reader.line(right[0] if right else element.find("answer"), reader.line(element))
    return reader.question(element, number, kind.name, _stem(element), fields, {"answer": line})


def _read_shortanswer(reader: _QuizReader, element: ET.Element, number: int) -> Any:
    kind = shared.moodle_kinds("shortanswer")[0]
    variants = [_answer_text(answer) for answer in element.findall("answer") if _fraction(answer) >= 100]
    stem = _stem(element)
    # Moodle shows the answer box after the text; a stem without a ___ gets one there.
    stem = stem if BLANK_RUN.search(stem) else f"{stem}___"
    line = reader.line(element.find("answer"), reader.line(element))
    answer = shared.marked_list(line, [shared.marked_list(line, variants)]) if variants else None
    return reader.question(element, number, kind.name, stem, {"answer": answer}, {"answer": line})


def _read_cloze(reader: _QuizReader, element: ET.Element, number: int) -> Any:
    kind = shared.moodle_kinds("shortanswer")[0]
    text = _field(element, "questiontext")
    parts = _CLOZE_PART.findall(text)
    if parts and all(part_kind in _CLOZE_NUMBERS for _weight, part_kind, _answers in parts):
        return _read_numerical_cloze(reader, element, number, text, parts)
    others = sorted({part_kind for _weight, part_kind, _answers in parts if part_kind not in _CLOZE_BLANKS})
    if others or not parts:
        qid = shared.question_id((element.findtext("idnumber") or _field(element, "name")).strip(), number)
        what = f"含有 {'、'.join(others)} 子题" if others else "没有子题"
        message = (f"Moodle cloze 题{what}，无法导入：只有各空都是 SHORTANSWER 的 cloze 可导入为填空题，"
                   f"各空都是 NUMERICAL 的可导入为计算题")
        reader.unread.append(Problem(reader.report.file, reader.line(element), message, qid))
        return None
    stem = to_markdown(_CLOZE_PART.sub("___", text))
    line = reader.line(element.find("questiontext"), reader.line(element))
    answer = shared.marked_list(line, [shared.marked_list(line, _cloze_answers(answers))
                                       for _weight, _kind, answers in parts])
    return reader.question(element, number, kind.name, stem, {"answer": answer}, {"answer": line})


def _read_numerical_cloze(reader: _QuizReader, element: ET.Element, number: int, text: str,
                          parts: list[tuple[str, str, str]]) -> Any:
    kind = shared.moodle_kinds("numerical")[0]
    stem = to_markdown(_CLOZE_PART.sub("___", text))
    line = reader.line(element.find("questiontext"), reader.line(element))
    read = [_numerical_part(answers) for _weight, _kind, answers in parts]
    fields: dict[str, Any] = {"answer": shared.marked_list(line, [value for value, _tolerance in read])}
    tolerances = [tolerance for _value, tolerance in read]
    if any(tolerances):
        fields["tolerance"] = shared.marked_list(line, tolerances)
    return reader.question(element, number, kind.name, stem, fields, {"answer": line, "tolerance": line})


def _numerical_part(text: str) -> tuple[str, str]:
    """The full-credit answer of a NUMERICAL cloze part (`=1500:0.5`, `%100%1500:0`): its number and tolerance."""
    for answer in re.split(r"(?<!\\)~", text):
        if answer.startswith(("=", "%100%")):
            value = re.split(r"(?<!\\)#", answer.removeprefix("=").removeprefix("%100%"), maxsplit=1)[0]
            number, _colon, tolerance = html.unescape(value).partition(":")
            return number.strip(), tolerance.strip()
    return text, ""


def _read_numerical(reader: _QuizReader, element: ET.Element, number: int) -> Any:
    kind = shared.moodle_kinds("numerical")[0]
    right = [answer for answer in element.findall("answer") if _fraction(answer) >= 100]
    stem = _stem(element)
    stem = stem if BLANK_RUN.search(stem) else f"{stem}___"
    line = reader.line(right[0] if right else element.find("answer"), reader.line(element))
    fields: dict[str, Any] = {"answer": (right[0].findtext("text") or "").strip() if len(right) == 1 else None}
    tolerance = (right[0].findtext("tolerance") or "").strip() if len(right) == 1 else ""
    if tolerance:
        fields["tolerance"] = tolerance
    units = [unit for unit in element.iter("unit") if (unit.findtext("multiplier") or "1").strip() in ("1", "1.0")]
    if units and (units[0].findtext("unit_name") or "").strip():
        fields["unit"] = units[0].findtext("unit_name").strip()
    return reader.question(element, number, kind.name, stem, fields,
                           {"answer": line, "tolerance": line, "unit": reader.line(element.find("units"), line)})


def _cloze_answers(text: str) -> list[str]:
    """The full-credit answers of a cloze part: `=a~%100%b~%50%c#feedback`, with \\ escapes."""
    variants = []
    for answer in re.split(r"(?<!\\)~", text):
        if answer.startswith(("=", "%100%")):
            value = re.split(r"(?<!\\)#", answer.removeprefix("=").removeprefix("%100%"), maxsplit=1)[0]
            variants.append(html.unescape(re.sub(r"\\(.)", r"\1", value)).strip())
    return variants


def _read_essay(reader: _QuizReader, element: ET.Element, number: int) -> Any:
    kind = shared.moodle_kinds("essay")[0]
    line = reader.line(element.find("graderinfo"), reader.line(element))
    grader = to_markdown(_field(element, "graderinfo"))
    reference, _heading, points = grader.rpartition(f"\n\n{shared.RUBRIC_HEADING}\n\n")
    if not _heading:
        reference, points = grader, ""
    rubric = [shared.read_rubric_line(point.removeprefix("- ")) or {"point": point.removeprefix("- ")}
              for point in points.splitlines() if point.strip()]
    if not rubric:
        # Moodle marks an essay out of its grade against the grader's information: one point, the whole grade.
        rubric = [{"point": "对照参考答案评分", "score": _grade(element)}]
    fields = {"reference_answer": reference.strip(),
              "rubric": shared.marked_list(line, [shared.marked(line, point) for point in rubric])}
    return reader.question(element, number, kind.name, _stem(element), fields,
                           {"reference_answer": line, "rubric": line})


def _grade(element: ET.Element) -> float | int:
    try:
        grade = float(element.findtext("defaultgrade") or 1)
    except ValueError:
        return 1
    return int(grade) if grade.is_integer() else grade


def _stem(element: ET.Element) -> str:
    """The question text as Markdown: converted from HTML, or as written in Moodle's plain and Markdown formats."""
    text = element.find("questiontext")
    html_text = text is None or text.get("format", "html") == "html"
    return to_markdown(_field(element, "questiontext")) if html_text else _field(element, "questiontext").strip()


def _read_ordering(reader: _QuizReader, element: ET.Element, number: int) -> Any:
    """The items in the right order (by fraction, the plugin's place, when each has its own; else as listed), lettered
    as our export's 排序答案 tag says, or A, B, … in that order."""
    answers = element.findall("answer")
    places = [_fraction(answer) for answer in answers]
    if len(set(places)) == len(places):
        answers = [answer for _, answer in sorted(zip(places, answers, strict=True), key=lambda pair: pair[0])]
    texts = [_answer_text(answer) for answer in answers]
    letters = list(string.ascii_uppercase[: len(texts)])
    told = next((text[len(shared.ORDER_TAG):] for text in (tag.findtext("text") or "" for tag in element.iter("tag"))
                 if text.startswith(shared.ORDER_TAG)), "")
    key = list(told) if sorted(told) == letters else letters
    options = dict(sorted(zip(key, texts, strict=True)))
    line = reader.line(element.find("answer"), reader.line(element))
    fields = {"options": shared.marked(line, options), "answer": key}
    return reader.question(element, number, shared.moodle_kinds("ordering")[0].name, _stem(element), fields,
                           {"options": line, "answer": line})


def _read_matching(reader: _QuizReader, element: ET.Element, number: int) -> Any:
    """Subquestions with text are the prompts, paired with their answers; those without text are extra right items."""
    kind = shared.moodle_kinds("matching")[0]
    prompts, right, extras = [], [], []
    for sub in element.findall("subquestion"):
        text = to_markdown(sub.findtext("text") or "")
        answer = (sub.findtext("answer/text") or "").strip()
        if text:
            prompts.append(text)
            right.append(answer)
        elif answer:
            extras.append(answer)
    line = reader.line(element.find("subquestion"), reader.line(element))
    tagged = [t.strip()[len(shared.PAIRS_TAG):] for t in (tag.findtext("text") or "" for tag in element.iter("tag"))
              if t.strip().startswith(shared.PAIRS_TAG)]
    options, key = shared.pair_options(right, extras, list(tagged[0]) if tagged else None)
    fields = {"prompts": shared.marked_list(line, prompts), "options": shared.marked(line, options),
              "answer": shared.marked_list(line, key)}
    question = reader.question(element, number, kind.name, _stem(element), fields,
                               {"prompts": line, "options": line, "answer": line})
    question["answer"] = fields["answer"]     # the letters as read win over the tag's, which only ordered them
    return question


_READERS: dict[str, Callable[[_QuizReader, ET.Element, int], Any]] = {
    "multichoice": _read_multichoice, "truefalse": _read_truefalse, "shortanswer": _read_shortanswer,
    CLOZE: _read_cloze, "essay": _read_essay, "numerical": _read_numerical, "ordering": _read_ordering,
    "matching": _read_matching,
}
