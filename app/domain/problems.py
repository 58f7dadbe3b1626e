"""Problems found in bank, paper and contest files, and the report that collects them with their locations.

A location is a line number; files that are not YAML (a workbook, a document) also give each line a label,
`题目!12` or `段落 34`, printed in its place.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.domain import yamlmarks


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a file, printed as `FILE:LINE: [ID] message`, or `FILE:PLACE: …` when the file's
    locations are not lines (`FILE:题目!12: …`); `line` still orders the problems of a file."""

    file: str
    line: int
    message: str = field(compare=False)
    question_id: str | None = field(default=None, compare=False)
    warning: bool = field(default=False, compare=False)
    place: str = field(default="", compare=False)
    # What the message says without the particulars (another question's id), for a summary of many such warnings;
    # empty when the message says only that.
    kind: str = field(default="", compare=False)

    def __str__(self) -> str:
        qid = f" [{self.question_id}]" if self.question_id else ""
        kind = "警告：" if self.warning else ""
        return f"{self.file}:{self.place or self.line}:{qid} {kind}{self.message}"

    def short(self) -> str:
        """Where it is, without what: `FILE:LINE [ID]`."""
        return f"{self.file}:{self.place or self.line}" + (f" [{self.question_id}]" if self.question_id else "")


SUMMARY_ABOVE = 3     # a warning said of more places than this prints as one line, with its count
SUMMARY_SHOWS = 3     # and this many of its places


def summarised(problems: list[Problem], verbose: bool = False) -> list[str]:
    """The lines that report problems: one per problem, except that a warning repeated across many questions (a bank
    without explanations) is one line with its count and its first few places; `verbose` lists every one."""
    if verbose:
        return [str(problem) for problem in problems]
    kinds: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.warning:
            kinds.setdefault(problem.kind or problem.message, []).append(problem)
    repeated = {message: found for message, found in kinds.items() if len(found) > SUMMARY_ABOVE}
    lines = [str(problem) for problem in problems
             if not (problem.warning and (problem.kind or problem.message) in repeated)]
    for message, found in repeated.items():
        first = "、".join(problem.short() for problem in found[:SUMMARY_SHOWS])
        lines.append(f"警告 ×{len(found)}：{message}（如 {first} 等；--verbose 列出全部）")
    return lines


Locate = Callable[[int], str]   # a line's label in a file that has no lines: 10000012 → "题目!12"


class Report:
    """Collects the problems of one file; `locate` labels its lines when they are not YAML lines."""

    def __init__(self, file: str, locate: Locate | None = None):
        self.file = file
        self.locate = locate
        self.problems: list[Problem] = []

    def error(self, line: int, message: str, qid: str | None = None) -> None:
        self.problems.append(Problem(self.file, line, message, qid, place=self.place(line)))

    def warn(self, line: int, message: str, qid: str | None = None) -> None:
        self.problems.append(Problem(self.file, line, message, qid, warning=True, place=self.place(line)))

    def place(self, line: int) -> str:
        """A line's label, empty for a YAML line (printed as its number)."""
        return self.locate(line) if self.locate else ""

    def where(self, line: int) -> str:
        """A location as a message names it: 第 12 行, or the label."""
        return self.place(line) or f"第 {line} 行"

    def load_mapping(self, text: str, shape: str,
                     text_keys: frozenset[str] = frozenset()) -> yamlmarks.MarkedMap | None:
        """The YAML document when it parses to a mapping; otherwise the problem is reported and None returned.
        `shape` says what the file should hold, for the message; values under `text_keys` are read as written."""
        try:
            document = yamlmarks.load(text, text_keys)
        except yamlmarks.YamlSyntaxError as error:
            self.error(error.line, error.message)
            return None
        if not isinstance(document, yamlmarks.MarkedMap):
            self.error(1, shape)
            return None
        return document

    @property
    def has_errors(self) -> bool:
        return any(not p.warning for p in self.problems)

    def repeated_keys(self, mapping: yamlmarks.MarkedMap, qid: str | None = None) -> None:
        for key, line in mapping.repeated:
            self.error(line, f"字段 {key!r} 重复出现", qid)

    def unknown_keys(self, mapping: yamlmarks.MarkedMap, allowed: set[str], qid: str | None = None,
                     where: str = "") -> None:
        for key in mapping:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(mapping.line_of(key), f"{where}未知字段 {key!r}（可用字段：{known}）", qid)


def text_value(value: Any) -> str | None:
    """A scalar as text; numbers are accepted as text, booleans and collections are not."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return None
