"""Printed papers for a session, the fallback when a hall's network fails: a variant of the session's paper to print
(with its key, for markers), and an answer sheet typed in by a marker, entered as an attempt through the same
service as an online one (app/domain/printed.py has the rules: variants and reading a sheet)."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.attempts.letters import shown_key
from app.attempts.presenters import inline_html, markdown_html, stem_html
from app.attempts.service import enter_paper, layout, paper_items
from app.domain.printed import SheetItem, SheetProblem, read_sheet, variant_code, variant_seed
from app.domain.questions import LETTERS, QuestionType
from app.errors import AppError
from app.extensions import db
from app.models import Attempt, ExamSession, Paper, PaperItem, SessionCandidate, User, record
from app.papers.content import paper_content


class PaperRefused(AppError):
    """A print or an entry the session or the sheet does not allow; nothing is written."""

    status, code = 422, "paper_refused"


NOT_PRINTABLE = ("本场每人单独抽题（模拟考试或按人抽题的试卷），没有全场统一的试卷，不能打印纸质试卷或录入纸质答卷。"
                 "断网备用的纸笔考试请安排按场抽题（draw: per_session）的试卷。")


@dataclass
class PrintedItem:
    """One numbered question of a variant as printed; `answer` and `reference_html` only on the key sheet."""

    sheet: SheetItem
    stem_html: str
    points: float
    options: list[tuple[str, str]] = field(default_factory=list)   # (letter shown, option as HTML)
    prompts: list[str] = field(default_factory=list)              # a matching's left items as HTML, bank order
    answer: str = ""
    reference_html: str = ""
    # A material's parts: number, label, points, stem and options (bank order) as printed, and the key when printed
    parts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PrintedSection:
    title: str
    items: list[PrintedItem]


@dataclass
class Variant:
    code: str
    paper: Paper
    sections: list[PrintedSection]

    @property
    def items(self) -> list[PrintedItem]:
        return [item for section in self.sections for item in section.items]

    @property
    def sheet(self) -> list[SheetItem]:
        return [item.sheet for item in self.items]


def printable_paper(session: ExamSession) -> Paper:
    """The session's one paper; a session drawing per candidate has none to print (PaperRefused)."""
    if session.paper is None:
        raise PaperRefused(NOT_PRINTABLE, status=409)
    return session.paper


def variant(session: ExamSession, code: str, *, with_key: bool = False) -> Variant:
    """Variant `code` of the session's paper, laid out exactly as an attempt entered from it will be."""
    paper = printable_paper(session)
    items = paper_items(paper)
    sections = []
    for arranged in layout(paper_content(paper.id), variant_seed(session.id, paper.seed, code)):
        printed = [_printed(arranged_item.key, items[arranged_item.index], arranged_item.option_order, with_key)
                   for arranged_item in arranged]
        sections.append(PrintedSection(items[arranged[0].index].section_title, printed))
    return Variant(code, paper, sections)


def _printed(number: str, item: PaperItem, option_order: tuple[str, ...], with_key: bool) -> PrintedItem:
    revision = item.revision
    kind = revision.kind
    printed = PrintedItem(
        sheet=SheetItem(number, kind, len(option_order),
                        revision.slots if kind.has_blanks or kind.has_prompts else 0),
        stem_html=stem_html(revision.stem), points=item.points,
        options=[(LETTERS[shown], inline_html(revision.options[letter])) for shown, letter in enumerate(option_order)],
        prompts=[inline_html(prompt) for prompt in revision.prompts or []])
    if kind.parts:
        printed.parts = _printed_parts(kind, item, with_key)
    if with_key:
        if kind.objective:
            printed.answer = kind.describe_answer(shown_key(option_order, item.key, kind))
        else:
            printed.reference_html = markdown_html(revision.reference_answer)
    return printed


def _printed_parts(kind: QuestionType, item: PaperItem, with_key: bool) -> list[dict[str, Any]]:
    return [{"number": number, "label": part.kind.label, "points": share, "stem_html": stem_html(part.stem),
             "options": [(letter, inline_html(text)) for letter, text in part.options.items()],
             "answer": part.kind.describe_answer(key) if with_key else ""}
            for number, (part, key, share) in enumerate(zip(kind.parts, item.key, kind.shares(item.points),
                                                            strict=True), start=1)]


# -- entering a sheet ---------------------------------------------------------------------------------------------

@dataclass
class ReadSheet:
    """A sheet read against its variant, before it is entered: what the marker is asked to confirm."""

    candidate: User
    variant: Variant
    responses: dict[str, Any]

    def described(self) -> list[tuple[SheetItem, str]]:
        return [(item, item.kind.describe_response(self.responses[item.key]) if item.key in self.responses else "")
                for item in self.variant.sheet]


def candidates_without_attempt(session: ExamSession) -> list[User]:
    """Who may still have a sheet entered: the session's candidates with no attempt, online or on paper."""
    sitting = select(Attempt.user_id).where(Attempt.session_id == session.id)
    return list(db.session.scalars(
        select(User).join(SessionCandidate, SessionCandidate.user_id == User.id)
        .where(SessionCandidate.session_id == session.id, User.id.not_in(sitting)).order_by(User.username)))


def read(session: ExamSession, username: str, code_text: str, written: dict[str, list[str]]) -> ReadSheet:
    """`username`'s sheet on variant `code_text`, read against that variant; PaperRefused says what does not fit."""
    printable_paper(session)
    candidate = db.session.scalar(
        select(User).join(SessionCandidate, SessionCandidate.user_id == User.id)
        .where(SessionCandidate.session_id == session.id, User.username == username))
    if candidate is None:
        raise PaperRefused("请选择本场的考生。")
    code = variant_code(code_text)
    if code is None:
        raise PaperRefused(f"变体码应是 {'、'.join(LETTERS)} 中的一个字母（印在试卷和答题卡右上角）。")
    chosen = variant(session, code)
    try:
        return ReadSheet(candidate, chosen, read_sheet(chosen.sheet, written))
    except SheetProblem as problem:
        raise PaperRefused(f"{problem} 没有录入任何内容，请核对答题卡后重填。") from None


def enter(session: ExamSession, sheet: ReadSheet, marker: User, now: datetime) -> Attempt:
    """Enter a read sheet as the candidate's attempt, marked like an online one, and record who entered it."""
    paper = sheet.variant.paper
    attempt = enter_paper(session.id, sheet.candidate, variant_seed(session.id, paper.seed, sheet.variant.code),
                          sheet.responses, marker, now, variant=sheet.variant.code)
    record("exam.paper_entered", f"attempt:{attempt.id}", actor=marker, channel="paper", session=session.id,
           candidate=sheet.candidate.username, variant=sheet.variant.code, score=attempt.score)
    return attempt
