"""Printed papers, the fallback when a hall's network fails: variants of a session's paper and reading answer sheets.

A variant is one fixed order of the paper (questions within sections, options within questions), ordered by `arrange`
from a seed that the session, its paper and the variant's code decide; so a variant prints, keys and is entered in the
same order every time, and an entered sheet becomes an attempt laid out exactly as the candidate's paper was printed.
"""
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from app.domain.questions import LETTERS, QuestionType, UnreadableAnswer

VARIANT_CODES = "ABCDEFGH"
DEFAULT_VARIANTS = 4          # A–D: enough that neighbours in a hall hold different orders


def variant_code(text: str) -> str | None:
    """A variant code as a marker types it ('b', ' Ｂ '), or None when it names no variant."""
    code = unicodedata.normalize("NFKC", text or "").strip().upper()
    return code if len(code) == 1 and code in VARIANT_CODES else None


def variant_seed(session_id: int, paper_seed: int, code: str) -> int:
    """The seed a variant is arranged from: fixed by the session, its paper and the code, different between sessions
    so that a sheet entered against the wrong session does not silently fit; 31 bits, like an attempt's seed."""
    digest = hashlib.sha256(f"variant:{session_id}:{paper_seed}:{code}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class SheetItem:
    """One numbered item of a variant as its answer sheet holds it."""

    key: str                     # the number printed
    kind: QuestionType
    options: int = 0             # how many options it shows, lettered from A
    blanks: int = 0

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(LETTERS[: self.options])

    @property
    def fields(self) -> int:
        """How many entries a marker types for it: one per blank, else one (a material's: its parts')."""
        return self.kind.sheet_fields(self.blanks)

    @property
    def parts(self) -> list["SheetItem"]:
        """A material's parts as the sheet holds them, numbered 5（1）, 5（2）…: their entries, in order, are the
        item's. Part options are printed in the bank's order."""
        return [SheetItem(f"{self.key}（{number}）", part.kind, len(part.options), part.blanks)
                for number, part in enumerate(self.kind.parts, start=1)]


class SheetProblem(ValueError):
    """An answer sheet that does not fit its variant; the message names the item and what it takes."""


def read_sheet(items: list[SheetItem], written: dict[str, list[str]]) -> dict[str, Any]:
    """Every answered item's response, in the letters the variant shows, as the exam page would send it; the
    whole sheet is refused (SheetProblem) at the first entry that does not fit, so nothing is half-entered."""
    unknown = sorted(set(written) - {item.key for item in items}, key=_number)
    if unknown:
        raise SheetProblem(f"第 {unknown[0]} 题不在这份试卷上。")
    responses = {}
    for item in items:
        given = written.get(item.key, [])
        if len(given) > item.fields:
            raise SheetProblem(f"第 {item.key} 题只有 {item.fields} 个答案位置，却填了 {len(given)} 个。")
        response = _read(item, given + [""] * (item.fields - len(given)))
        if response is not None:
            responses[item.key] = response
    return responses


def _read(item: SheetItem, given: list[str]) -> Any:
    shown = "；".join(text.strip() for text in given if text.strip())
    try:
        response = item.kind.sheet_response(given)
    except UnreadableAnswer as problem:
        raise SheetProblem(f"第 {item.key} 题（{item.kind.label}）填的是“{shown}”：{problem}。") from None
    problem = "" if response is None else item.kind.response_problem(response, item.letters, item.blanks)
    if problem:
        raise SheetProblem(f"第 {item.key} 题（{item.kind.label}）填的是“{shown}”：{problem}。")
    return response


def _number(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdecimal() else (0, key)
