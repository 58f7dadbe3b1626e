"""Ordering questions (排序题): 3 to 8 items lettered like options, to be put in their right order.

The key is the list of every option letter in the right order (`["C", "A", "B", "D"]`); a response is the same: every
letter the candidate saw, once each, in the order they gave. Marking is the paper's `ordering_scoring`: `strict`
(all or nothing) or `position` (points × the share of items in their right place). Authors often write the items in
the right order, so the items are always shown shuffled (`always_shuffled`), whatever the paper's shuffle.options.
"""
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from app.domain.problems import Report, text_value
from app.domain.questions.choice import _Choice
from app.domain.scores import rounded

ORDERING_SCORING = ("strict", "position")
# Between letters of an order as people write it: CABD, C,A,B,D, C→A→B→D, C、A、B、D, C-A-B-D, C > A > B > D.
_BETWEEN = re.compile(r"[\s,，、;；/|→➝⟶\->＞]+")


def read_order(text: str) -> list[str]:
    """The letters of an order as typed (NFKC, any case and separators above), without judging them."""
    return list(_BETWEEN.sub("", unicodedata.normalize("NFKC", text)).upper())


def in_place(key: list[str], response: list[str]) -> int:
    """How many items of a response stand where the key puts them."""
    return sum(given == right for given, right in zip(key, response, strict=False))


class Ordering(_Choice):
    name, label, input = "ordering", "排序题", "order"
    part_refusal = "排序题的各项在小题中不打乱，而题库的顺序往往就是答案，不能作小题"
    always_shuffled = True
    fewest_options = 3
    prompt = "排出正确顺序"
    moodle, qti = "ordering", "orderInteraction"
    key_hint = "按正确顺序写出全部选项字母，如 CABD（也可写 C,A,B,D 或 C→A→B→D）。"

    def _parse_answer(self, answer: Any, options: dict[str, str], line: int, qid: str,
                      report: Report) -> dict[str, Any]:
        if isinstance(answer, list):
            letters = [text_value(value) or "" for value in answer]
        elif isinstance(answer, str):
            letters = read_order(answer)
        else:
            report.error(line, "排序题的 answer 应是全部选项字母的正确顺序，如 [C, A, B, D] 或 CABD", qid)
            return {}
        for problem in order_problems(letters, tuple(options)):
            report.error(line, problem, qid)
        return {"answer": letters}

    def choices(self, options: dict[str, str]) -> list[Any]:
        return []       # every item is in every answer: no share by option to analyse

    def in_letters(self, value: Any, letter: Callable[[str], str]) -> Any:
        return [letter(each) for each in value]

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        if (isinstance(response, list) and all(isinstance(r, str) for r in response)
                and sorted(response) == sorted(letters)):
            return ""
        return f"应是全部 {len(letters)} 个选项字母（{'、'.join(letters)}，每个一次）排成的顺序列表"

    def mark(self, key: Any, response: Any, points: float, *, multiple_scoring: str, blank_order: str,
             ordering_scoring: str = "strict") -> float:
        right = in_place(key, response)
        if right == len(key) == len(response):
            return float(points)
        if ordering_scoring == "position":
            return rounded(points * right / len(key))
        if ordering_scoring == "strict":
            return 0.0
        raise ValueError(f"unknown ordering scoring rule {ordering_scoring!r}")

    def form_response(self, given: list[str]) -> Any:
        """A plain form sends one `response` per place, the letter put there ('' for none yet)."""
        letters = [text.strip().upper() for text in given]
        return letters if any(letters) else None

    def sheet_response(self, written: list[str]) -> Any:
        # Repeated letters are kept, so that 'CABB' is refused as a slip rather than read as something else.
        return read_order("".join(written)) or None

    def describe_response(self, response: Any) -> str:
        return "→".join(response)

    def parse_key(self, text: str) -> Any:
        return read_order(text)

    def key_text(self, key: Any) -> str:
        return "".join(key)

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        if isinstance(key, list) and not order_problems(key, letters):
            return ""
        return f"排序题答案应是全部 {len(letters)} 个选项字母（{'、'.join(letters)}）各一次排成的顺序，如 CABD"


def order_problems(letters: list[str], options: tuple[str, ...]) -> list[str]:
    """Why a key is not an order of every option (each a message); empty when it is."""
    problems = []
    unknown = [letter for letter in letters if letter not in options]
    if unknown:
        problems.append(f"答案 {', '.join(unknown)} 不在选项 {', '.join(options)} 中")
    repeated = sorted({letter for letter in letters if letters.count(letter) > 1})
    if repeated:
        problems.append(f"排序题答案中 {', '.join(repeated)} 重复出现")
    missing = [letter for letter in options if letter not in letters]
    if missing:
        problems.append(f"排序题答案缺少 {', '.join(missing)}：应把全部 {len(options)} 项排出顺序")
    return problems
