"""Matching questions (匹配题): left items (`prompts`, kept in bank order) each paired with one right item (an option,
lettered from A and shuffled per candidate); the right side may hold extras that pair with nothing. Authors usually
write the right item of prompt k as option k, so the right items are always shown shuffled (`always_shuffled`),
whatever the paper's shuffle.options, and never so that the answer reads A, B, C, ….

The key is a list of option letters, one per prompt (`["B", "A", "D"]`), each letter used at most once; a response is
a list of the same length holding the letter the candidate paired with each prompt, or None for a prompt not yet
paired (all None is no answer). Each right pair earns an equal share of the points.
"""
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from app.domain import yamlmarks
from app.domain.problems import Report, text_value
from app.domain.questions.base import UnreadableAnswer
from app.domain.questions.choice import LETTERS, _Choice
from app.domain.scores import rounded

MIN_PROMPTS, MAX_PROMPTS = 2, 8
_PAIR = re.compile(r"(?<!\d)(\d+)\s*[-－—–:：.．、=]\s*([A-Za-z])")   # from a number's first digit only: linear
_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


def read_letters(text: str) -> list[str] | None:
    """A key or a sheet as people write it: '1-B，2-A，3-D', 'BAD', 'B,A,D' (any case, full-width or not); a pair
    written '2-A' places A at prompt 2 whatever order the pairs come in. None when it reads as neither."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    pairs = _PAIR.findall(text)
    if pairs:
        if _PAIR.sub("", _SEPARATORS.sub("", text)):
            return None
        numbers = [int(number) for number, _ in pairs]
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            return None
        return [letter.upper() for _, letter in sorted(pairs, key=lambda pair: int(pair[0]))]
    letters = _SEPARATORS.sub("", text).upper()
    return list(letters) if letters.isascii() and letters.isalpha() else None


def pairs_text(letters: list[Any]) -> str:
    """'1-B，2-A，3-D', with 未配 for a prompt left unpaired."""
    return "，".join(f"{number}-{letter or '未配'}" for number, letter in enumerate(letters, start=1))


class Matching(_Choice):
    name, label, input = "matching", "匹配题", "pairs"
    part_refusal = "匹配题不能作小题（小题不带左项）"
    fields = frozenset({"prompts", "options", "answer"})
    has_prompts = True
    always_shuffled = True
    prompt = "为每个左项选出对应的右项"
    moodle, qti = "matching", "matchInteraction"
    key_hint = "按左项的顺序每项填一个字母，如 BAD，或写成 1-B，2-A，3-D。"

    # -- YAML -----------------------------------------------------------------------------------------------------

    def parse(self, item: yamlmarks.MarkedMap, qid: str, stem: str, report: Report) -> dict[str, Any]:
        prompts = self._prompts(item, qid, report)
        parsed = super().parse(item, qid, stem, report)
        options = parsed.get("options", {})
        if prompts and options and len(options) < len(prompts):
            report.error(item.line_of("options"),
                         f"右项（options）不能少于左项：左项 {len(prompts)} 个，右项只有 {len(options)} 个", qid)
        answer = parsed.get("answer")
        if prompts and isinstance(answer, list) and len(answer) != len(prompts):
            report.error(item.line_of("answer"), f"左项有 {len(prompts)} 个，answer 却有 {len(answer)} 个字母", qid)
        return {**parsed, "prompts": prompts}

    @staticmethod
    def _prompts(item: yamlmarks.MarkedMap, qid: str, report: Report) -> list[str]:
        prompts = item.get("prompts")
        line = item.line_of("prompts")
        if not isinstance(prompts, list):
            report.error(line, "匹配题缺少 prompts（左项列表），如 [党的全国代表大会, 党的基层委员会]", qid)
            return []
        if not MIN_PROMPTS <= len(prompts) <= MAX_PROMPTS:
            report.error(line, f"左项应有 {MIN_PROMPTS} 到 {MAX_PROMPTS} 个，现有 {len(prompts)} 个", qid)
        texts = [text_value(prompt) or "" for prompt in prompts]
        for number, text in enumerate(texts, start=1):
            if not text:
                report.error(prompts.line_of(number - 1) if hasattr(prompts, "line_of") else line,
                             f"第 {number} 个左项为空", qid)
        if len(set(filter(None, texts))) != len(list(filter(None, texts))):
            report.error(line, "左项有重复", qid)
        return texts

    def _parse_answer(self, answer: Any, options: dict[str, str], line: int, qid: str,
                      report: Report) -> dict[str, Any]:
        if isinstance(answer, list):
            letters = [(text_value(letter) or "").upper() for letter in answer]
        else:
            letters = read_letters(text_value(answer) or "") or []
        if not letters or any(len(letter) != 1 for letter in letters):
            report.error(line, "匹配题的 answer 应按左项顺序每项一个字母，如 [B, A, D] 或 BAD", qid)
            return {}
        missing = [letter for letter in letters if letter not in options]
        if missing:
            report.error(line, f"答案 {', '.join(missing)} 不在右项 {', '.join(options)} 中", qid)
        repeated = sorted({letter for letter in letters if letters.count(letter) > 1})
        if repeated:
            report.error(line, f"每个右项最多配一个左项，{', '.join(repeated)} 用了不止一次", qid)
        return {"answer": letters}

    def yaml_fields(self, content: dict[str, Any]) -> dict[str, Any]:
        return {"prompts": content["prompts"], "options": content["options"], "answer": content["answer"]}

    # -- responses and marking ------------------------------------------------------------------------------------

    def in_letters(self, value: Any, letter: Callable[[str], str]) -> Any:
        return [None if chosen is None else letter(chosen) for chosen in value]

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        shape = f"应是 {blanks} 项的列表，每项是 {'/'.join(letters)} 中的一个字母或 null（未配）"
        if not (isinstance(response, list) and len(response) == blanks
                and all(chosen is None or (isinstance(chosen, str) and chosen in letters) for chosen in response)):
            return shape
        paired = [chosen for chosen in response if chosen is not None]
        return "" if len(set(paired)) == len(paired) else "每个右项最多配一个左项"

    def mark(self, key: Any, response: Any, points: float, *, multiple_scoring: str, blank_order: str,
             ordering_scoring: str = "strict") -> float:
        right = sum(given is not None and given == wanted for wanted, given in zip(key, response, strict=False))
        return float(points) if right == len(key) else rounded(points * right / len(key))

    def form_response(self, given: list[str]) -> Any:
        letters = [text.strip().upper() or None for text in given]
        return letters if any(letters) else None

    def sheet_response(self, written: list[str]) -> Any:
        texts = [unicodedata.normalize("NFKC", text).strip() for text in written]
        if not any(texts):
            return None
        if sum(bool(text) for text in texts) == 1 and len(texts) > 1 and texts[0] and len(texts[0]) > 1:
            letters = read_letters(texts[0])     # the whole answer typed into the first box: 'BAD', '1-B，2-A'
            if letters is None:
                raise UnreadableAnswer("应按左项顺序每项一个字母，如 BAD")
            return letters + [None] * (len(texts) - len(letters)) if len(letters) <= len(texts) else letters
        if any(len(text) > 1 or (text and not text.isascii()) for text in texts):
            raise UnreadableAnswer("每个方框填一个字母（未配的留空），或在第一个方框填全部字母，如 BAD")
        return [text.upper() or None for text in texts]

    def choices(self, options: dict[str, str]) -> list[Any]:
        return list(options)

    def picks(self, value: Any, option: Any) -> bool:
        return isinstance(value, list) and option in value

    def describe_response(self, response: Any) -> str:
        return pairs_text(response)

    # -- correcting a key -----------------------------------------------------------------------------------------

    def parse_key(self, text: str) -> Any:
        return read_letters(text)

    def key_text(self, key: Any) -> str:
        return pairs_text(key)

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        if (isinstance(key, list) and len(key) == blanks and all(letter in letters for letter in key)
                and len(set(key)) == len(key)):
            return ""
        return (f"匹配题答案应按 {blanks} 个左项的顺序各填一个 {'/'.join(letters)} 中的字母，且不重复，"
                "如 BAD 或 1-B，2-A，3-D")


__all__ = ["LETTERS", "Matching", "pairs_text", "read_letters"]
