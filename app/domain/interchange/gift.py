"""GIFT, Moodle's plain-text question format: a bank written as one, and one read back as a bank document.

Written: `$CATEGORY:` with the bank (its slug and description in comments), then each question on its own block:
`// [id:…] [tag:…]`, `::id::[markdown]stem{…####feedback}` with the bank's Markdown as it is and GIFT's special
characters (~ = # { } : and \\) escaped, line breaks as \\n. A blank's ___ is where its `{=answer =variant}` goes,
so an item of several blanks cannot be written (GIFT has one answer part per question): it is left out with a
comment. An essay's reference answer and rubric, which GIFT cannot hold, go in comments that import reads back.

Read: multiple choice (`=` right: single; `%weight%` only: multiple), true/false, short answer (→ blank), essay
(→ short), numerical `{#1500:0.5}` (→ calculation: a relative tolerance and the unit come back from their tags),
each at the line its block starts; matching and description blocks are problems there.
"""
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.domain.banks import BankDocument, BankSpec, QuestionSpec
from app.domain.interchange import shared
from app.domain.interchange.htmltext import to_markdown
from app.domain.problems import Problem, Report
from app.domain.questions import QuestionType, question_type
from app.domain.questions.calculation import number_text
from app.domain.sources import read_text
from app.domain.text import BLANK_RUN

_SPECIAL = re.compile(r"([\\~=#{}:])")
# Escapes read as private-use characters while the structure is parsed, then put back as the characters they stand for.
_ESCAPES = {"\\\\": "\ue000", "\\:": "\ue001", "\\#": "\ue002", "\\=": "\ue003", "\\{": "\ue004", "\\}": "\ue005",
            "\\~": "\ue006", "\\n": "\ue007"}
_UNESCAPED = dict(zip(_ESCAPES.values(), ("\\", ":", "#", "=", "{", "}", "~", "\n"), strict=True))
_ID = re.compile(r"\[id:((?:\\\]|[^\]])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]])+)\]")
_FORMAT = re.compile(r"^\[(html|markdown|plain|moodle)\]")
_WEIGHT = re.compile(r"^%(-?[0-9]+(?:\.[0-9]*)?)%")
_TRUTH = {"T": "true", "TRUE": "true", "F": "false", "FALSE": "false"}
REFERENCE_MARK = "参考答案："
DESCRIPTION_MARK = "说明："


# -- writing ------------------------------------------------------------------------------------------------------

def escape(text: str) -> str:
    """Text as GIFT holds it: each special character after a backslash, line breaks as \\n."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r", "").replace("\n", "\\n")


# The Moodle types GIFT can write (it has no ordering).
_GIFT_TYPES = {"multichoice", "truefalse", "shortanswer", "numerical", "essay", "matching"}


def carries(kind: QuestionType) -> bool:
    """Whether GIFT has a type for this one (a blank with more than one blank is still left out, question by
    question)."""
    return kind.moodle in _GIFT_TYPES


def write_gift(bank: BankSpec) -> bytes:
    path = "/".join(["$course$", "top", *shared.category_path(bank.title, bank.category)])
    head = [f"// 题库 {bank.slug}：由 flask bank export --format gift 导出", f"// [id:{bank.slug}]"]
    if bank.description:
        head.append(f"// {DESCRIPTION_MARK}{escape(bank.description)}")
    blocks = ["\n".join([*head, f"$CATEGORY: {path}"])]
    blocks.extend(_block(question) for question in bank.questions)
    return ("\n\n".join(blocks) + "\n").encode()


def _block(question: QuestionSpec) -> str:
    kind = question_type(question.type)
    runs = BLANK_RUN.findall(question.stem)
    if not carries(kind) or len(runs) > 1:
        why = f"有 {len(runs)} 个空，GIFT 每题只能有一组答案" if runs else "GIFT 没有对应的题型"
        return f"// {question.id}（{kind.label}）：{why}，未导出"
    tags = " ".join(f"[tag:{tag.replace(']', chr(92) + ']')}]" for tag in shared.tags_of(question))
    comments = [f"// [id:{question.id}] {tags}"]
    feedback = shared.feedback_markdown(question)
    answers = _answers(question, kind) + (f"####{escape(feedback)}" if feedback else "")
    if kind.moodle == "essay":
        comments.append(f"// {REFERENCE_MARK}{escape(question.reference_answer)}")
        comments.extend(f"// {shared.RUBRIC_HEADING}{escape(shared.rubric_line(point))}" for point in question.rubric)
    stem = escape(question.stem)
    text = BLANK_RUN.sub(lambda _run: "{" + answers + "}", stem) if runs else f"{stem}{{{answers}}}"
    return "\n".join([*comments, f"::{escape(question.id)}::[markdown]{text}"])


def _answers(question: QuestionSpec, kind: Any) -> str:
    if kind.moodle == "multichoice":
        right = [letter for letter in question.options if kind.picks(question.answer, letter)]
        share = f"%{100 / len(right):.7g}%"
        marks = {letter: ("=" if not kind.many_choices else f"~{share}") if letter in right
                 else ("~%-100%" if kind.many_choices else "~") for letter in question.options}
        return "".join(f"\n\t{marks[letter]}{escape(text)}" for letter, text in question.options.items()) + "\n\t"
    if kind.moodle == "truefalse":
        return "TRUE" if question.answer else "FALSE"
    if kind.moodle == "shortanswer":
        return " ".join(f"={escape(variant)}" for variant in question.answer[0])
    if kind.moodle == "matching":
        # Each prompt -> its right item; an extra right item has no prompt (`= -> …`), Moodle's distractor.
        pairs = [(prompt, question.options[letter]) for prompt, letter in zip(question.prompts, question.answer,
                                                                             strict=True)]
        pairs += [("", text) for letter, text in question.options.items() if letter not in question.answer]
        return "".join(f"\n\t={escape(prompt)} -> {escape(text)}" for prompt, text in pairs) + "\n\t"
    if kind.moodle == "numerical":
        step = question.answer[0]
        return f"#{step['value']}:{shared.absolute_tolerance(step)}"
    return ""


# -- reading ------------------------------------------------------------------------------------------------------

def read_gift(path: Path, name: str) -> BankDocument:
    text, problem = read_text(path, name)
    return BankDocument(name, None, [problem]) if problem else parse_gift(text, name)


def parse_gift(text: str, name: str) -> BankDocument:
    """A GIFT file as a bank document: the questions that map, and a problem for each block that does not."""
    report = Report(name)
    if len(text) > shared.MAX_CHARS:
        report.error(1, f"文件过大：超过 {shared.MAX_CHARS} 个字符")
        return BankDocument(name, None, report.problems)
    reader = _GiftReader(report)
    for block in _blocks(text):
        reader.block(block)
    bank_lines = dict.fromkeys(reader.bank, reader.bank_line)
    document = shared.marked(1, {**reader.bank, "questions": shared.marked_list(1, reader.questions)},
                             {**bank_lines, "questions": 1})
    return BankDocument(name, document, report.problems, unread=reader.unread)


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """The file's blocks (questions are separated by blank lines), each line with its number."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            blocks[-1].append((number, line.rstrip()))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _protect(text: str) -> str:
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def _restore(text: str) -> str:
    return "".join(_UNESCAPED.get(char, char) for char in text)


class _Block:
    """One block's text, escapes protected, and the file line of any place in it."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.comments = [line.strip()[2:].strip() for _number, line in lines if line.strip().startswith("//")]
        body = [(number, line) for number, line in lines if not line.strip().startswith("//")]
        self.numbers = [number for number, _line in body]
        self.text = _protect("\n".join(line for _number, line in body))
        self.line = self.numbers[0] if self.numbers else lines[0][0]    # where the question starts, past comments

    def line_at(self, position: int) -> int:
        return self.numbers[min(self.text.count("\n", 0, max(position, 0)), len(self.numbers) - 1)]


class _GiftReader:
    """The file being read: the bank from its first category, a document per question, a problem per unmapped one."""

    def __init__(self, report: Report):
        self.report = report
        self.bank: dict[str, Any] = {}
        self.bank_line = 1
        self.questions: list[Any] = []
        self.unread: list[Problem] = []
        self.number = 0     # of the question among the file's questions, for one without an id

    def block(self, lines: list[tuple[int, str]]) -> None:
        block = _Block(lines)
        start = len(block.text) - len(block.text.lstrip())
        text = block.text[start:].rstrip()
        if not text:
            return
        if text.startswith("$CATEGORY:"):
            self._category(block, text)
            return
        self.number += 1
        given = _comment_id(block.comments)
        name_end = text.find("::", 2) if text.startswith("::") else -1
        if name_end > 0:
            given = given or _restore(text[2:name_end]).strip()
            rest = text[name_end + 2:]
            start += name_end + 2 + len(rest) - len(rest.lstrip())
            text = rest.lstrip()
        qid = shared.question_id(given, self.number)
        opening, closing = text.find("{"), text.find("}")
        if opening < 0 and closing < 0:
            self._unmapped(block, "description", qid)
        elif opening < 0 or closing < opening:
            self.unread.append(Problem(self.report.file, block.line_at(start + max(opening, closing)),
                                       "GIFT 的答案部分应写在一对 { } 中（字面的花括号写作 \\{ \\}）", qid))
        else:
            self._question(block, qid, text, (opening, closing), start)

    def _category(self, block: _Block, text: str) -> None:
        if self.questions or self.bank:
            self.report.warn(block.line, "文件中有多个 $CATEGORY：全部题目导入同一个题库，以第一个类别为准")
            return
        parts = [_restore(part).strip() for part in text.removeprefix("$CATEGORY:").strip().split("/")]
        self.bank.update(shared.read_category_path(parts))
        slug = _comment_id(block.comments)
        description = next((_restore(_protect(comment.removeprefix(DESCRIPTION_MARK))) for comment in block.comments
                            if comment.startswith(DESCRIPTION_MARK)), "")
        self.bank.update({key: value for key, value in (("bank", slug), ("description", description)) if value})
        self.bank_line = block.line

    def _unmapped(self, block: _Block, moodle_type: str, qid: str) -> None:
        self.unread.append(Problem(self.report.file, block.line, shared.unmapped("GIFT", moodle_type), qid))

    def _question(self, block: _Block, qid: str, text: str, braces: tuple[int, int], offset: int) -> None:
        opening, closing = braces
        answers = text[opening + 1: closing]
        after = text[closing + 1:]
        markup = _FORMAT.match(text)
        before = text[markup.end() if markup else 0: opening]
        stem = before + ("___" if after.strip() else "") + after
        answers, _sep, feedback = answers.rpartition("####") if "####" in answers else (answers, "", "")
        answers = answers.strip()
        html = bool(markup) and markup.group(1) == "html"
        values: dict[str, Any] = {"id": qid}
        lines = {"stem": block.line_at(offset), "answer": block.line_at(offset + opening)}
        lines["options"] = lines["answer"]
        lines["explanation"] = lines["source"] = block.line_at(offset + opening + len(answers))
        explanation, source = shared.split_feedback(_text(feedback, html))
        values.update({key: value for key, value in (("explanation", explanation), ("source", source)) if value})
        shared.read_tags([tag.replace("\\]", "]").strip() for comment in block.comments
                          for tag in _TAG.findall(comment)], values)
        fields = self._fields(block, answers, html, qid, _text(stem, html), lines["answer"], values.get("answer"))
        if fields is not None:
            lines.update(dict.fromkeys(("reference_answer", "rubric"), block.line))
            # A tag says what GIFT cannot (a relative tolerance, a unit): it wins over the answer part.
            fields = {key: value for key, value in fields.items() if key not in values}
            self.questions.append(shared.marked(block.line, {**values, **fields}, lines))

    def _fields(self, block: _Block, answers: str, html: bool, qid: str, stem: str, line: int,
                tagged: Any = None) -> dict | None:
        """The type and its fields, the way Moodle tells GIFT's types apart; None for a type none of ours is."""
        truth = answers.split("#", 1)[0].strip()
        if not answers:
            return {"type": shared.moodle_kinds("essay")[0].name, "stem": stem, **_essay(block.comments, line)}
        if answers.startswith("#"):
            stem = stem if BLANK_RUN.search(stem) else f"{stem}___"
            return {"type": shared.moodle_kinds("numerical")[0].name, "stem": stem, **_numerical(answers[1:])}
        if "~" in answers:
            return {"stem": stem, **_choices(answers, html, line)}
        if "=" in answers and "->" in answers:
            kind = shared.moodle_kinds("matching")[0]
            return {"type": kind.name, "stem": stem, **_pairs(answers, html, line, tagged)}
        if truth in _TRUTH:
            return {"type": shared.moodle_kinds("truefalse")[0].name, "stem": stem, "answer": _TRUTH[truth]}
        variants = [_text(answer, html) for answer, weight in _weighted(answers, "=") if weight >= 100]
        stem = stem if BLANK_RUN.search(stem) else f"{stem}___"
        return {"type": shared.moodle_kinds("shortanswer")[0].name, "stem": stem,
                "answer": shared.marked_list(line, [shared.marked_list(line, variants)])}
        return None


def _pairs(answers: str, html: bool, line: int, tagged: Any) -> dict[str, Any]:
    """`=prompt -> right item` each; one without a prompt is an extra right item. The key letters a tag kept
    (匹配答案:) give each right item its letter back."""
    prompts, right, extras = [], [], []
    for part in re.split(r"(?<!\\)=", answers):
        if "->" not in part:
            continue
        prompt, _arrow, text = part.partition("->")
        prompt, text = _text(prompt, html), _text(text, html)
        if prompt:
            prompts.append(prompt)
            right.append(text)
        elif text:
            extras.append(text)
    options, key = shared.pair_options(right, extras, tagged)
    return {"prompts": shared.marked_list(line, prompts), "options": shared.marked(line, options),
            "answer": shared.marked_list(line, key)}


def _numerical(answers: str) -> dict[str, Any]:
    """A numerical answer part, `1500:0.5`, `1400..1600` or `=1500:0 =%50%1400` (the first at full marks)."""
    body = answers.strip()
    if body.startswith("="):
        right = [answer for answer, weight in _weighted(body, "=") if weight >= 100]
        body = right[0] if right else ""
    body = _restore(body.split("#", 1)[0]).strip()
    if ".." in body:
        low, _dots, high = body.partition("..")
        try:
            lowest, highest = Decimal(low.strip()), Decimal(high.strip())
        except InvalidOperation:
            return {"answer": body}
        return {"answer": number_text((lowest + highest) / 2), "tolerance": number_text((highest - lowest) / 2)}
    value, _colon, tolerance = body.partition(":")
    fields: dict[str, Any] = {"answer": value.strip()}
    if tolerance.strip():
        fields["tolerance"] = tolerance.strip()
    return fields


def _comment_id(comments: list[str]) -> str:
    found = next((match for comment in comments if (match := _ID.search(comment))), None)
    return found.group(1).replace("\\]", "]").strip() if found else ""


def _text(text: str, html: bool) -> str:
    restored = _restore(text).strip()
    return to_markdown(restored) if html else restored


def _weighted(answers: str, full: str) -> list[tuple[str, float]]:
    """Each answer of `~a =b ~%50%c #feedback` with its weight: 100 after `full` (=), else 0 or its %weight%."""
    found = []
    for part in re.split(r"(?=[~=])", answers):
        part = part.strip()
        if not part:
            continue
        weight = 100.0 if part.startswith(full) else 0.0
        body = part[1:].strip() if part[0] in "~=" else part
        marked_weight = _WEIGHT.match(body)
        if marked_weight:
            weight, body = float(marked_weight.group(1)), body[marked_weight.end():]
        found.append((body.split("#", 1)[0].strip(), weight))
    return found


def _choices(answers: str, html: bool, line: int) -> dict[str, Any]:
    many = "=" not in answers
    kind = next(kind for kind in shared.moodle_kinds("multichoice") if kind.many_choices == many)
    weighted = _weighted(answers, "=")
    letters = [chr(ord("A") + index) for index in range(len(weighted))]
    right = [letter for letter, (_text_, weight) in zip(letters, weighted, strict=True)
             if (weight > 0 if many else weight >= 100)]
    options = shared.marked(line, {letter: _text(text, html) for letter, (text, _weight) in zip(letters, weighted,
                                                                                              strict=True)})
    fields: dict[str, Any] = {"type": kind.name, "options": options}
    if right:
        fields["answer"] = right if many else right[0]
    return fields


def _essay(comments: list[str], line: int) -> dict[str, Any]:
    """A short answer's reference answer and rubric, from the comments our export writes; Moodle's GIFT has none."""
    reference = next((_restore(_protect(comment.removeprefix(REFERENCE_MARK))) for comment in comments
                      if comment.startswith(REFERENCE_MARK)), "")
    points = [_restore(_protect(comment.removeprefix(shared.RUBRIC_HEADING))) for comment in comments
              if comment.startswith(shared.RUBRIC_HEADING)]
    rubric = [shared.marked(line, shared.read_rubric_line(point) or {"point": point}) for point in points]
    fields: dict[str, Any] = {"reference_answer": reference}
    if rubric:
        fields["rubric"] = shared.marked_list(line, rubric)
    return {key: value for key, value in fields.items() if value}
