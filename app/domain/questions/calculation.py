"""Calculation questions (计算题): one number per ___ run in the stem (a step), each with an optional unit and a
tolerance, absolute (`0.5`) or relative (`1%`), exact by default. Numbers are compared as Decimal.

The key is a list of steps `{"value": "1500", "unit": "元", "tolerance": ""}` (tolerance "" exact, "0.5", "1%");
the response a list of the strings the candidate typed, one per step, read as numbers when marked: full-width
digits, thousands separators (`1,500`, `1，500`) and the step's unit written or not are accepted; text that reads as
no number scores 0 for its step. One step is all or nothing; several share the points equally.
"""
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain import yamlmarks
from app.domain.problems import Report
from app.domain.questions.base import QuestionType, text_problem
from app.domain.scores import rounded
from app.domain.text import count_blanks

MAX_NUMBER_TEXT = 100      # characters in one step's answer
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_TOLERANCE = re.compile(r"(?:±|\+-|\+/-)?\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)")
# The number atomic and the unit possessive, from its first character to its last that is not a space: the number
# split in every way against a lazy unit between two `\s*` was cubic in a line of digits or spaces. Whether the rest
# of the line reads does not depend on where the number ends, so the first number found is the one there is.
_KEY_LINE = re.compile(r"(?P<number>(?>[+-]?[\d,]*\.?\d+))\s*+(?P<unit>(?:\s*+[^±\s])*+)\s*+"
                       r"(?:±\s*(?P<tolerance>[\d.]+\s*%?))?")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def read_number(text: str, unit: str = "") -> Decimal | None:
    """A typed number (full-width, thousands separators, the unit after it or not), or None when it reads as none."""
    text = re.sub(r"\s+", "", _fold(text))
    unit = re.sub(r"\s+", "", _fold(unit))
    if unit and text.endswith(unit):
        text = text[:-len(unit)]
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def number_text(value: Decimal) -> str:
    """A Decimal as plain digits, without exponent or trailing zeros: 1500, 2.5, -0.25."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def read_tolerance(value: Any) -> str | None:
    """A tolerance as stored ("" exact, "0.5", "1%"), or None when it is not one."""
    if value is None or value == "" or value == 0:
        return ""
    if isinstance(value, bool):
        return None
    match = _TOLERANCE.fullmatch(_fold(str(value)))
    if not match:
        return None
    amount = number_text(Decimal(match.group(1)))
    if amount == "0":
        return ""
    return amount + match.group(2)


def split_value(entry: Any) -> tuple[str, str] | None:
    """A key's number and the unit written after it (`1500 元`, `1,500`, 2.5), or None when it is not a number."""
    if isinstance(entry, bool) or entry is None:
        return None
    if isinstance(entry, int | float):
        try:
            return number_text(Decimal(str(entry))), ""
        except InvalidOperation:
            return None
    match = re.fullmatch(r"([+-]?[\d,]*\.?\d+)\s*(\D*)", _fold(str(entry)))
    if not match:
        return None
    number = read_number(match.group(1))
    return None if number is None else (number_text(number), match.group(2).strip())


def within(given: Decimal, step: dict[str, str]) -> bool:
    """Whether a number is a step's value within its tolerance."""
    value = Decimal(step["value"])
    tolerance = step.get("tolerance", "")
    if not tolerance:
        return given == value
    if tolerance.endswith("%"):
        return abs(given - value) <= abs(value) * Decimal(tolerance[:-1]) / 100
    return abs(given - value) <= Decimal(tolerance)


def tolerance_text(tolerance: str) -> str:
    return f"±{tolerance}" if tolerance else ""


class Calculation(QuestionType):
    name, label, input = "calculation", "计算题", "numbers"
    fields = frozenset({"answer", "unit", "tolerance"})
    has_blanks = True
    prompt = "计算并填写结果"
    moodle, qti = "numerical", "textEntryInteraction"
    key_hint = "每步一行：数值、单位（可省）和允许误差（可省），如：1500 元 或 40 元 ±0.5 或 480 ±1%。"

    def parse(self, item: yamlmarks.MarkedMap, qid: str, stem: str, report: Report) -> dict[str, Any]:
        answer = item.get("answer")
        line = item.line_of("answer")
        if answer is None:
            report.error(line, "缺少 answer（计算结果）", qid)
            return {}
        entries = answer if isinstance(answer, list) else [answer]
        blanks = count_blanks(stem)
        if blanks == 0:
            report.error(item.line_of("stem"), "计算题的题干中没有 ___（每个 ___ 填一个计算结果）", qid)
        elif len(entries) != blanks:
            report.error(line, f"题干有 {blanks} 个空，answer 却有 {len(entries)} 项", qid)
        units = self._per_step(item, "unit", len(entries), qid, report)
        tolerances = self._per_step(item, "tolerance", len(entries), qid, report)
        steps = []
        for number, entry in enumerate(entries, start=1):
            tolerance = read_tolerance(tolerances[number - 1] if number <= len(tolerances) else None)
            if tolerance is None:
                report.error(item.line_of("tolerance"),
                             f"tolerance 应是非负数（绝对误差，如 0.5）或百分数（相对误差，如 1%），"
                             f"而不是 {tolerances[number - 1]!r}", qid)
                tolerance = ""
            read = split_value(entry)
            if read is None:
                report.error(line, f"第 {number} 步的答案 {entry!r} 不是数字", qid)
                continue
            value, written_unit = read
            unit = units[number - 1] if number <= len(units) else ""
            if not isinstance(unit, str) and unit is not None:
                report.error(item.line_of("unit"), f"unit 应是文字，而不是 {unit!r}", qid)
                unit = ""
            unit = _fold(unit or "")
            if written_unit and unit and written_unit != unit:
                report.error(line, f"第 {number} 步答案的单位“{written_unit}”与 unit“{unit}”不一致", qid)
            steps.append({"value": value, "unit": unit or written_unit, "tolerance": tolerance})
        return {"answer": steps}

    @staticmethod
    def _per_step(item: yamlmarks.MarkedMap, field: str, steps: int, qid: str, report: Report) -> list[Any]:
        value = item.get(field)
        if not isinstance(value, list):
            return [value] * steps
        if len(value) != steps:
            report.error(item.line_of(field), f"{field} 有 {len(value)} 项，answer 却有 {steps} 项", qid)
        return list(value)

    def yaml_fields(self, content: dict[str, Any]) -> dict[str, Any]:
        steps = content["answer"]
        values = [_yaml_number(step["value"]) for step in steps]
        fields: dict[str, Any] = {"answer": values[0] if len(values) == 1 else values}
        units = [step["unit"] for step in steps]
        if any(units):
            fields["unit"] = units[0] if len(set(units)) == 1 else units
        tolerances = [step["tolerance"] for step in steps]
        if any(tolerances):
            fields["tolerance"] = _yaml_tolerance(tolerances[0]) if len(set(tolerances)) == 1 \
                else [_yaml_tolerance(t) for t in tolerances]
        return fields

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        if not (isinstance(response, list) and len(response) == blanks and all(isinstance(r, str) for r in response)):
            return f"应是 {blanks} 个计算结果的文字列表"
        problems = [text_problem(given, MAX_NUMBER_TEXT, "每个计算结果") for given in response]
        return next((problem for problem in problems if problem), "")

    def mark(self, key: Any, response: Any, points: float, *, multiple_scoring: str, blank_order: str,
             ordering_scoring: str = "strict") -> float:
        right = sum(step_right(step, given) for step, given in zip(key, response, strict=False))
        if len(key) == 1:
            return float(points) if right else 0.0
        return rounded(points / len(key) * right)

    def form_response(self, given: list[str]) -> Any:
        return given

    def sheet_response(self, written: list[str]) -> Any:
        texts = [text.strip() for text in written]
        return texts if any(texts) else None

    def describe_response(self, response: Any) -> str:
        texts = [text.strip() or "未填" for text in response]
        return texts[0] if len(texts) == 1 else _numbered(texts)

    def describe_answer(self, key: Any) -> str:
        texts = [step_text(step) for step in key]
        return texts[0] if len(texts) == 1 else _numbered(texts)

    def parse_key(self, text: str) -> Any:
        steps = []
        for line in (line.strip() for line in text.splitlines()):
            if not line:
                continue
            match = _KEY_LINE.fullmatch(line)
            number = read_number(match.group("number")) if match else None
            tolerance = read_tolerance(match.group("tolerance")) if match else None
            if number is None or tolerance is None:
                return None
            steps.append({"value": number_text(number), "unit": match.group("unit").strip(), "tolerance": tolerance})
        return steps

    def key_text(self, key: Any) -> str:
        return "\n".join(" ".join(part for part in (step["value"], step["unit"], tolerance_text(step["tolerance"]))
                                  if part) for step in key)

    def key_rows(self, key: Any) -> int:
        return len(key)

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        if isinstance(key, list) and len(key) == blanks and all(_step_ok(step) for step in key):
            return ""
        return f"计算题答案应有 {blanks} 步，每步一行：数值、单位（可省）和允许误差（可省），如 1500 元 ±0.5"

    def page_fields(self, key: Any) -> dict[str, Any]:
        """The unit each step's input shows after it."""
        return {"units": [step.get("unit", "") for step in key] if isinstance(key, list) else []}


def step_right(step: dict[str, str], given: str) -> bool:
    number = read_number(given, step.get("unit", "")) if isinstance(given, str) else None
    return number is not None and within(number, step)


def step_text(step: dict[str, str]) -> str:
    text = step["value"] + (f" {step['unit']}" if step.get("unit") else "")
    return text + (f"（允许误差 {tolerance_text(step['tolerance'])}）" if step.get("tolerance") else "")


def _step_ok(step: Any) -> bool:
    return (isinstance(step, dict) and isinstance(step.get("value"), str) and isinstance(step.get("unit"), str)
            and split_value(step["value"]) is not None and read_tolerance(step.get("tolerance")) is not None)


def _numbered(parts: list[str]) -> str:
    return "；".join(f"（{n}）{part}" for n, part in enumerate(parts, start=1))


def _yaml_number(value: str) -> int | float | str:
    number = Decimal(value)
    if number == number.to_integral_value() and "." not in value:
        return int(number)
    as_float = float(number)
    return as_float if repr(as_float) == value else value


def _yaml_tolerance(tolerance: str) -> int | float | str:
    return tolerance if tolerance.endswith("%") else _yaml_number(tolerance)
