"""Automatic marking of objective items (DESIGN §2) and the shapes a response may take (DESIGN §3.4).

Responses here are in the bank's letters: the caller maps shown letters back before marking.
"""
from typing import Any

from app.domain.inputs import BAD_TEXT, text_ok
from app.domain.scores import rounded
from app.domain.text import normalise

MAX_TEXT = 20_000      # characters in one short answer: a long essay, not a file
MAX_BLANK_TEXT = 500   # characters in one blank: a phrase


def shape_ok(qtype: str, response: Any, letters: tuple[str, ...] = (), blanks: int = 0) -> bool:
    """Whether a response has the shape its item type takes; None (an answer cleared) always does."""
    return not response_problem(qtype, response, letters, blanks)


def response_problem(qtype: str, response: Any, letters: tuple[str, ...] = (), blanks: int = 0) -> str:
    """Why a response cannot be stored for its item type (empty when it can): the wrong shape, text too long, or
    text that cannot be stored (domain.inputs.text_ok)."""
    if response is None:
        return ""
    if qtype == "single":
        return "" if isinstance(response, str) and response in letters else f"应是 {'/'.join(letters)} 中的一个字母"
    if qtype == "multiple":
        return "" if (isinstance(response, list) and all(isinstance(r, str) and r in letters for r in response)
                      and len(set(response)) == len(response)) else "应是不重复的选项字母列表"
    if qtype == "judge":
        return "" if isinstance(response, bool) else "应是 true 或 false"
    if qtype == "blank":
        if not (isinstance(response, list) and len(response) == blanks and all(isinstance(r, str) for r in response)):
            return f"应是 {blanks} 个空的文字列表"
        problems = [_text_problem(given, MAX_BLANK_TEXT, "每空") for given in response]
        return next((problem for problem in problems if problem), "")
    if qtype == "short":
        return _text_problem(response, MAX_TEXT, "简答") if isinstance(response, str) else "应是一段文字"
    raise ValueError(f"unknown item type {qtype!r}")


def _text_problem(text: str, limit: int, what: str) -> str:
    if len(text) > limit:
        return f"{what}不超过 {limit} 个字符"
    return "" if text_ok(text) else BAD_TEXT


def is_answered(response: Any) -> bool:
    if response is None:
        return False
    if isinstance(response, list):
        return any(str(r).strip() for r in response)
    if isinstance(response, str):
        return bool(response.strip())
    return True


def mark(qtype: str, key: Any, response: Any, points: float, *,
         multiple_scoring: str = "strict", blank_order: str = "fixed") -> float | None:
    """Score of one objective item, rounded to hundredths; None for `short`, which a judge marks."""
    if qtype == "short":
        return None
    if not is_answered(response):
        return 0.0
    if qtype == "single" or qtype == "judge":
        return float(points) if response == key else 0.0
    if qtype == "multiple":
        return rounded(_multiple(set(key), set(response), points, multiple_scoring))
    if qtype == "blank":
        return rounded(_blanks(key, response, points, blank_order))
    raise ValueError(f"unknown item type {qtype!r}")


def _multiple(key: set[str], chosen: set[str], points: float, rule: str) -> float:
    if not chosen <= key:
        return 0.0
    if chosen == key:
        return float(points)
    if rule == "half":
        return points / 2
    if rule == "proportional":
        return points * len(chosen) / len(key)
    if rule == "strict":
        return 0.0
    raise ValueError(f"unknown multiple scoring rule {rule!r}")


def blank_matches(variants: list[str], given: str) -> bool:
    wanted = normalise(given).casefold()
    return bool(wanted) and any(normalise(v).casefold() == wanted for v in variants)


def _blanks(key: list[list[str]], response: list[str], points: float, order: str) -> float:
    share = points / len(key)
    if order == "any":
        return share * _max_matching(key, response)
    return share * sum(blank_matches(variants, given) for variants, given in zip(key, response))


def _max_matching(key: list[list[str]], response: list[str]) -> int:
    """Most blanks that can be right at once when order is free: each answer fills one key blank."""
    owner: dict[int, int] = {}

    def place(answer: int, seen: set[int]) -> bool:
        for blank, variants in enumerate(key):
            if blank in seen or not blank_matches(variants, response[answer]):
                continue
            seen.add(blank)
            if blank not in owner or place(owner[blank], seen):
                owner[blank] = answer
                return True
        return False

    return sum(place(answer, set()) for answer in range(len(response)))


def key_problem(qtype: str, letters: tuple[str, ...], blanks: int, key: Any) -> str:
    """Why a corrected answer key cannot stand for an item (empty when it can)."""
    if qtype == "single" and not (isinstance(key, str) and key in letters):
        return f"单选题答案应是 {'/'.join(letters)} 中的一个字母"
    if qtype == "multiple" and not (isinstance(key, list) and len(set(key)) >= 2 and set(key) <= set(letters)):
        return "多选题答案应是至少两个选项字母"
    if qtype == "judge" and not isinstance(key, bool):
        return "判断题答案应是 正确 或 错误"
    if qtype == "blank" and not (isinstance(key, list) and len(key) == blanks
                                 and all(isinstance(v, list) and v and all(isinstance(t, str) and t.strip() for t in v)
                                         for v in key)):
        return f"填空题答案应有 {blanks} 个空，每空至少一个可接受的写法"
    if qtype == "short":
        return "简答题由评委评分，没有可更正的答案"
    return ""
