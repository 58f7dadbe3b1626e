"""Fill-in-the-blank questions (填空题): one answer per ___ run in the stem, each with its accepted variants."""
import re
from collections.abc import Iterable
from typing import Any

from app.domain import yamlmarks
from app.domain.problems import Report, text_value
from app.domain.questions.base import QuestionType, text_problem
from app.domain.scores import rounded
from app.domain.text import BLANK_RUN, count_blanks, normalise

MAX_BLANK_TEXT = 500   # characters in one blank: a phrase
BLANK_ORDERS = ("fixed", "any")
_VARIANT_BAR = re.compile(r"[|｜]")


class Blank(QuestionType):
    name, label, input = "blank", "填空题", "blanks"
    fields = frozenset({"answer", "blank_order"})
    has_blanks = True
    prompt = "填写每个空"
    moodle, qti = "shortanswer", "textEntryInteraction"    # several blanks: Moodle's cloze, one entry per blank
    key_hint = "每空一行；同一空的多种写法用 | 分隔，如：义务 | 党员义务。"

    def parse(self, item: yamlmarks.MarkedMap, qid: str, stem: str, report: Report) -> dict[str, Any]:
        answer = item.get("answer")
        line = item.line_of("answer")
        entries = answer if isinstance(answer, list) else [answer]
        blanks = count_blanks(stem)
        if answer is None:
            report.error(line, "缺少 answer（填空答案）", qid)
            return {}
        if blanks == 0:
            report.error(item.line_of("stem"), "填空题的题干中没有 ___（三个或更多下划线表示一个空）", qid)
        elif len(entries) != blanks:
            report.error(line, f"题干有 {blanks} 个空，answer 却有 {len(entries)} 项", qid)
        canonical = []
        for number, entry in enumerate(entries, start=1):
            variants = entry if isinstance(entry, list) else [entry]
            texts = [text_value(variant) for variant in variants]
            if not texts or any(not text for text in texts):
                report.error(line, f"第 {number} 空的答案为空或不是文字", qid)
            canonical.append([text for text in texts if text])
        order = text_value(item.get("blank_order", "fixed"))
        if order not in BLANK_ORDERS:
            report.error(item.line_of("blank_order"), f"blank_order 应为 any 或 fixed，而不是 {order!r}", qid)
        return {"answer": canonical, "blank_order": order or "fixed"}

    def yaml_fields(self, content: dict[str, Any]) -> dict[str, Any]:
        fields = {"answer": [variants[0] if len(variants) == 1 else variants for variants in content["answer"]]}
        if content["blank_order"] != "fixed":
            fields["blank_order"] = content["blank_order"]
        return fields

    def stated_fact(self, stem: str, options: dict[str, str], key: Any) -> str:
        answers = iter(variants[0] for variants in key)
        return BLANK_RUN.sub(lambda _: next(answers, ""), stem)

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        if not (isinstance(response, list) and len(response) == blanks and all(isinstance(r, str) for r in response)):
            return f"应是 {blanks} 个空的文字列表"
        problems = [text_problem(given, MAX_BLANK_TEXT, "每空") for given in response]
        return next((problem for problem in problems if problem), "")

    def mark(self, key: Any, response: Any, points: float, *, multiple_scoring: str, blank_order: str,
             ordering_scoring: str = "strict") -> float:
        share = points / len(key)
        if blank_order == "any":
            return rounded(share * _max_matching(key, response))
        right = sum(blank_matches(variants, given) for variants, given in zip(key, response, strict=False))
        return rounded(share * right)

    def form_response(self, given: list[str]) -> Any:
        return given

    def describe_response(self, response: Any) -> str:
        return _numbered(text or "未填" for text in response)

    def describe_answer(self, key: Any) -> str:
        return _numbered(" / ".join(variants) for variants in key)

    def parse_key(self, text: str) -> Any:
        lines = [line for line in text.splitlines() if line.strip()]
        return [[variant.strip() for variant in _VARIANT_BAR.split(line) if variant.strip()] for line in lines]

    def key_text(self, key: Any) -> str:
        return "\n".join(" | ".join(variants) for variants in key)

    def key_rows(self, key: Any) -> int:
        return len(key)

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        if isinstance(key, list) and len(key) == blanks and all(
                isinstance(v, list) and v and all(isinstance(t, str) and t.strip() for t in v) for v in key):
            return ""
        return f"填空题答案应有 {blanks} 个空，每空至少一个可接受的写法"


def _numbered(parts: Iterable[str]) -> str:
    return "；".join(f"（{n}）{part}" for n, part in enumerate(parts, start=1))


def blank_matches(variants: list[str], given: str) -> bool:
    """Whether a candidate's text is one of a blank's variants, ignoring width, spacing, case and final stops."""
    wanted = normalise(given).casefold()
    return bool(wanted) and any(normalise(v).casefold() == wanted for v in variants)


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
