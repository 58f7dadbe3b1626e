"""Automatic marking of objective items (DESIGN §2) and the shapes a response may take (DESIGN §3.4).

What every type shares lives here (None clears an answer, an unanswered item scores 0, a judge marks the rest);
what differs, app/domain/questions. Responses here are in the bank's letters: the caller maps shown letters back.
"""
from typing import Any

from app.domain.questions import QuestionType, question_type
from app.domain.questions.base import is_answered  # noqa: F401  (callers import it from here)

Kind = str | QuestionType   # a type's name, or a revision's `kind` (which knows a material's parts: pass that one)


def _kind(qtype: Kind) -> QuestionType:
    return qtype if isinstance(qtype, QuestionType) else question_type(qtype)


def shape_ok(qtype: Kind, response: Any, letters: tuple[str, ...] = (), blanks: int = 0) -> bool:
    """Whether a response has the shape its item type takes; None (an answer cleared) always does."""
    return not response_problem(qtype, response, letters, blanks)


def response_problem(qtype: Kind, response: Any, letters: tuple[str, ...] = (), blanks: int = 0) -> str:
    """Why a response cannot be stored for its item type (empty when it can): the wrong shape, text too long, or
    text that cannot be stored (domain.inputs.text_ok)."""
    if response is None:
        return ""
    return _kind(qtype).response_problem(response, letters, blanks)


def mark(qtype: Kind, key: Any, response: Any, points: float, *,
         multiple_scoring: str = "strict", blank_order: str = "fixed",
         ordering_scoring: str = "strict") -> float | None:
    """Score of one objective item, rounded to hundredths; None for a type a judge marks."""
    kind = _kind(qtype)
    if not kind.objective:
        return None
    if not is_answered(response):
        return 0.0
    return kind.mark(key, response, points, multiple_scoring=multiple_scoring, blank_order=blank_order,
                     ordering_scoring=ordering_scoring)


def key_problem(qtype: Kind, letters: tuple[str, ...], blanks: int, key: Any) -> str:
    """Why a corrected answer key cannot stand for an item (empty when it can)."""
    return _kind(qtype).key_problem(key, letters, blanks)
