"""Material-analysis questions (材料分析题): a shared material (the stem, Markdown) and 2–6 parts, each a question
of another objective type, drawn, shown and shuffled as one item whose points its parts share by weight.

A revision keeps the parts without their keys in its `parts` column ({"type", "stem", "weight", and the part type's
other fields}) and the key of the whole item in `answer`: the list of the parts' keys, so that a key correction and
"no key before its time" work on one field as for every type. The registry's instance knows no parts; a revision's
`kind` is `bind`-ed to its parts and validates, marks and describes through each part's own type. Options inside a
part keep the bank's order (never shuffled), so its letters are the bank's.
"""
import re
from dataclasses import dataclass, field
from typing import Any

from app.domain import yamlmarks
from app.domain.problems import Report, text_value
from app.domain.questions.base import QuestionType, is_answered
from app.domain.questions.choice import option_letters
from app.domain.scores import rounded

MIN_PARTS, MAX_PARTS = 2, 6
PART_KEYS = frozenset({"type", "stem", "weight"})
# A corrected key: one block per part, each opened by 第N问 (the rest of that line, and the lines after, are the
# part's key as its own type reads it).
_PART_HEADING = re.compile(r"^\s*第\s*(\d+)\s*问\s*[:：]?\s*(.*)$")


@dataclass(frozen=True)
class Part:
    """One part of a material: its type, and its content as stored (without its key)."""

    kind: QuestionType
    content: dict[str, Any] = field(hash=False)

    @property
    def stem(self) -> str:
        return self.content.get("stem", "")

    @property
    def options(self) -> dict[str, str]:
        return self.content.get("options") or {}

    @property
    def letters(self) -> tuple[str, ...]:
        return option_letters(self.options)

    @property
    def blanks(self) -> int:
        """The answers the part takes: one per ___ run, or per prompt of a matching part."""
        return self.kind.slots(self.stem, self.content.get("prompts") or [])

    @property
    def blank_order(self) -> str:
        return self.content.get("blank_order") or "fixed"

    @property
    def weight(self) -> float:
        return self.content.get("weight", 1)


def part_label(number: int) -> str:
    """How a part is numbered under its material: （1）（2）…"""
    return f"（{number}）"


class Material(QuestionType):
    name, label, input = "material", "材料分析题", "parts"
    part_refusal = "材料分析题不能作另一道材料分析题的小题"
    fields = frozenset({"parts"})
    has_parts = True
    prompt = "阅读材料，回答各小题"
    key_hint = "每小题一段，以“第N问：”开头，其后按该小题题型填写，如：第1问：B，第2问：正确。"

    def __init__(self, parts: tuple[Part, ...] = ()):
        self._parts = parts

    @property
    def parts(self) -> tuple[Part, ...]:
        return self._parts

    def bind(self, parts: list[dict[str, Any]]) -> QuestionType:
        from app.domain.questions import question_type  # the registry imports this module
        return Material(tuple(Part(question_type(content["type"]), content) for content in parts or ()))

    # -- the bank's YAML -------------------------------------------------------------------------------------------

    def parse(self, item: yamlmarks.MarkedMap, qid: str, stem: str, report: Report) -> dict[str, Any]:
        parts = item.get("parts")
        line = item.line_of("parts")
        if not isinstance(parts, yamlmarks.MarkedList) or not MIN_PARTS <= len(parts) <= MAX_PARTS:
            count = f"现有 {len(parts)} 个" if isinstance(parts, list) else "缺少 parts 或 parts 不是列表" if parts \
                else "缺少 parts（小题只能在 YAML 题库中编写：Excel、Word/文本、Moodle、GIFT 不支持材料分析题）"
            report.error(line, f"材料分析题应有 {MIN_PARTS} 到 {MAX_PARTS} 个小题（parts），{count}", qid)
            if not isinstance(parts, yamlmarks.MarkedList):
                return {}
        contents, keys = [], []
        for number, part in enumerate(parts, start=1):
            parsed = self._parse_part(part, parts.line_of(number - 1), f"{qid} {part_label(number)}", report)
            if parsed is not None:
                contents.append(parsed[0])
                keys.append(parsed[1])
        return {"parts": contents, "answer": keys}

    @staticmethod
    def _parse_part(part: Any, line: int, pid: str, report: Report) -> tuple[dict[str, Any], Any] | None:
        """One part, by its own type's `parse` with the same report: its problems carry its lines and `pid`."""
        from app.domain.questions import QUESTION_TYPES, question_type
        if not isinstance(part, yamlmarks.MarkedMap):
            report.error(line, "每个小题应是一个映射（type、stem 及该题型的字段）", pid)
            return None
        allowed = [kind for kind in QUESTION_TYPES if not kind.part_refusal]
        ptype = text_value(part.get("type"))
        try:
            kind = question_type(ptype or "")
        except ValueError:
            kind = None
        if kind is None or kind not in allowed:
            why = f"{kind.part_refusal}；" if kind is not None else ""
            report.error(part.line_of("type"), f"{why}小题的 type 应为 "
                         f"{' | '.join(f'{k.name}（{k.label}）' for k in allowed)} 之一，而不是 {ptype!r}", pid)
            return None
        report.repeated_keys(part, pid)
        report.unknown_keys(part, PART_KEYS | kind.fields, pid, where="小题中")
        stem = text_value(part.get("stem")) or ""
        if not stem:
            report.error(part.line_of("stem"), "小题的题干 stem 为空或缺失", pid)
        weight = part.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            report.error(part.line_of("weight"), f"weight 应为正数（该小题占本题分值的份数），而不是 {weight!r}", pid)
            weight = 1
        fields = kind.parse(part, pid, stem, report)
        key = fields.pop("answer", None)
        return {"type": kind.name, "stem": stem, **fields, "weight": weight}, key

    def yaml_fields(self, content: dict[str, Any]) -> dict[str, Any]:
        from app.domain.questions import question_type
        parts = []
        for stored, key in zip(content["parts"], content["answer"], strict=True):
            kind = question_type(stored["type"])
            part: dict[str, Any] = {"type": stored["type"], "stem": stored["stem"]}
            part.update(kind.yaml_fields({**stored, "answer": key}))
            if stored.get("weight", 1) != 1:
                part["weight"] = stored["weight"]
            parts.append(part)
        return {"parts": parts}

    # -- responses and marking -------------------------------------------------------------------------------------

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        if not isinstance(response, list) or len(response) != len(self.parts):
            return f"应是 {len(self.parts)} 个小题答案的列表（未答的小题为 null）"
        for number, (part, given) in enumerate(zip(self.parts, response, strict=True), start=1):
            problem = "" if given is None else part.kind.response_problem(given, part.letters, part.blanks)
            if problem:
                return f"第 {number} 小题{problem}"
        return ""

    def shares(self, points: float) -> list[float]:
        """Each part's points: the item's points × its weight / the sum of weights (unrounded)."""
        total = sum(part.weight for part in self.parts)
        return [points * part.weight / total for part in self.parts]

    def mark(self, key: Any, response: Any, points: float, *, multiple_scoring: str, blank_order: str,
             ordering_scoring: str = "strict") -> float:
        return rounded(sum(self.part_scores(key, response, points, multiple_scoring=multiple_scoring,
                                            ordering_scoring=ordering_scoring)))

    def part_scores(self, key: Any, response: Any, points: float, *, multiple_scoring: str,
                    ordering_scoring: str = "strict") -> list[float]:
        """Each part's mark by its own type, with its share of the points; an unanswered part scores 0."""
        scores = []
        for part, part_key, given, share in zip(self.parts, key, response, self.shares(points), strict=True):
            scores.append(part.kind.mark(part_key, given, share, multiple_scoring=multiple_scoring,
                                         blank_order=part.blank_order, ordering_scoring=ordering_scoring)
                          if is_answered(given) else 0.0)
        return scores

    def form_response(self, given: list[str]) -> Any:
        return None     # one `response` field cannot hold the parts: see form_parts

    def form_parts(self, given: list[list[str]]) -> Any:
        """A response from a plain form's fields, one list of values per part (its own type reads it); None when no
        part is answered."""
        responses = [part.kind.form_response(values) for part, values in zip(self.parts, given, strict=True)]
        responses = [value if is_answered(value) else None for value in responses]
        return responses if is_answered(responses) else None

    def sheet_response(self, written: list[str]) -> Any:
        """The answer sheet has `sheet_entries` boxes per part, in order; each part reads its own."""
        responses, start = [], 0
        for number, part in enumerate(self.parts, start=1):
            count = self.sheet_entries(part)
            try:
                responses.append(part.kind.sheet_response(written[start:start + count]))
            except ValueError as error:     # UnreadableAnswer, said for its part
                raise type(error)(f"第 {number} 小题{error}") from None
            start += count
        return responses if is_answered(responses) else None

    @staticmethod
    def sheet_entries(part: Part) -> int:
        """Boxes a part takes on the paper answer sheet: as many as its own type gives it."""
        return part.kind.sheet_fields(part.blanks)

    def sheet_fields(self, blanks: int) -> int:
        return sum(self.sheet_entries(part) for part in self.parts)

    def page_fields(self, key: Any) -> dict[str, Any]:
        """Each part's own page fields (a calculation's units), never a key."""
        keys = key if isinstance(key, list) else [None] * len(self.parts)
        return {"part_fields": [part.kind.page_fields(part_key) for part, part_key in zip(self.parts, keys,
                                                                                          strict=False)]}

    def describe_response(self, response: Any) -> str:
        return self._per_part(response, lambda kind, value: kind.describe_response(value) if value is not None
                              else "未答")

    def describe_answer(self, key: Any) -> str:
        return self._per_part(key, lambda kind, value: kind.describe_answer(value))

    def _per_part(self, values: Any, describe: Any) -> str:
        if not self.parts or not isinstance(values, list):     # unbound (an event's old key): as stored
            return str(values)
        return "；".join(f"第{n}问 {describe(part.kind, value)}"
                        for n, (part, value) in enumerate(zip(self.parts, values, strict=False), start=1))

    # -- correcting a key ------------------------------------------------------------------------------------------

    def parse_key(self, text: str) -> Any:
        blocks: list[list[str]] = []
        for line in text.splitlines():
            match = _PART_HEADING.match(line)
            if match is not None and int(match.group(1)) == len(blocks) + 1:
                blocks.append([match.group(2)])
            elif blocks:
                blocks[-1].append(line)
            elif line.strip():
                return None
        if len(blocks) != len(self.parts):
            return [None] * len(blocks) if blocks else None
        return [part.kind.parse_key("\n".join(block).strip()) for part, block in zip(self.parts, blocks, strict=True)]

    def key_text(self, key: Any) -> str:
        lines = []
        for number, (part, part_key) in enumerate(zip(self.parts, key, strict=False), start=1):
            text = part.kind.key_text(part_key)
            lines.append(f"第{number}问：{text}" if "\n" not in text else f"第{number}问：\n{text}")
        return "\n".join(lines)

    def key_rows(self, key: Any) -> int:
        return sum(part.kind.key_rows(part_key) + 1 for part, part_key in zip(self.parts, key, strict=False))

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        if not isinstance(key, list) or len(key) != len(self.parts):
            return f"材料分析题答案应有 {len(self.parts)} 段，每段以“第N问：”开头"
        for number, (part, part_key) in enumerate(zip(self.parts, key, strict=True), start=1):
            problem = part.kind.key_problem(part_key, part.letters, part.blanks)
            if problem:
                return f"第 {number} 问：{problem}"
        return ""

