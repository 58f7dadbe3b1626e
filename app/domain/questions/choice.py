"""Choice questions (单选题, 多选题): options lettered from A, a key of one letter or of several."""
import re
import unicodedata
from abc import abstractmethod
from collections.abc import Callable
from typing import Any

from app.domain import yamlmarks
from app.domain.problems import Report, text_value
from app.domain.questions.base import QuestionType
from app.domain.scores import rounded
from app.domain.text import EMPTY_PARENS

LETTERS = "ABCDEFGH"
_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_CAPITALS = re.compile(r"[A-Z]+")


def option_letters(options: dict[str, str]) -> tuple[str, ...]:
    """The letters a question's options carry, in the bank's order."""
    return tuple(LETTERS[: len(options)])


class _Choice(QuestionType):
    """What single and multiple choice share: the options, and analysis by option."""

    fields = frozenset({"options", "answer"})
    has_options = True
    fewest_options = 2                  # an ordering needs three items to be worth asking
    moodle, qti = "multichoice", "choiceInteraction"

    def parse(self, item: yamlmarks.MarkedMap, qid: str, stem: str, report: Report) -> dict[str, Any]:
        options = item.get("options")
        line = item.line_of("options")
        if not isinstance(options, dict) or not options:
            report.error(line, "缺少 options，或 options 不是 {A: …, B: …} 形式", qid)
            return {}
        letters = [str(key) for key in options]
        if not self.fewest_options <= len(letters) <= 8:
            report.error(line, f"选项应有 {self.fewest_options} 到 8 个，现有 {len(letters)} 个", qid)
        if letters != list(LETTERS[: len(letters)]):
            report.error(line, f"选项字母应从 A 起依次排列，而不是 {', '.join(letters)}", qid)
        for key, value in options.items():
            if not text_value(value):
                report.error(options.line_of(key), f"选项 {key} 为空", qid)
        parsed = {str(key): text_value(value) or "" for key, value in options.items()}
        answer = item.get("answer")
        if answer is None:
            report.error(item.line_of("answer"), "缺少 answer（答案）", qid)
            return {"options": parsed}
        return {"options": parsed, **self._parse_answer(answer, parsed, item.line_of("answer"), qid, report)}

    @abstractmethod
    def _parse_answer(self, answer: Any, options: dict[str, str], line: int, qid: str,
                      report: Report) -> dict[str, Any]:
        """The key, checked against the options."""

    def yaml_fields(self, content: dict[str, Any]) -> dict[str, Any]:
        return {"options": content["options"], "answer": content["answer"]}

    def choices(self, options: dict[str, str]) -> list[Any]:
        return list(options)


class Single(_Choice):
    """One right option: the key is a letter, and a wrong option may draw more candidates than the key."""

    name, label, input = "single", "单选题", "letter"
    has_distractors = True
    prompt, key_hint = "选出一项", "填一个选项字母，如 B。"

    def _parse_answer(self, answer: Any, options: dict[str, str], line: int, qid: str,
                      report: Report) -> dict[str, Any]:
        letter = text_value(answer)
        if isinstance(answer, list) or not letter:
            report.error(line, "单选题的 answer 应是一个选项字母，如 A", qid)
        elif letter not in options:
            report.error(line, f"答案 {letter} 不在选项 {', '.join(options)} 中", qid)
        return {"answer": letter}

    def in_letters(self, value: Any, letter: Callable[[str], str]) -> Any:
        return letter(value)

    def stated_fact(self, stem: str, options: dict[str, str], key: Any) -> str:
        return _filled(stem, options[key])

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        return "" if isinstance(response, str) and response in letters else f"应是 {'/'.join(letters)} 中的一个字母"

    def picks(self, value: Any, option: Any) -> bool:
        return value == option

    def sheet_response(self, written: list[str]) -> Any:
        return _sheet_letters("".join(written)) or None

    def parse_key(self, text: str) -> Any:
        return text.upper()

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        if isinstance(key, str) and key in letters:
            return ""
        return f"单选题答案应是 {'/'.join(letters)} 中的一个字母"


class Multiple(_Choice):
    """Two or more right options: the key is a list of letters; a partly right choice scores by the paper's rule."""

    name, label, input = "multiple", "多选题", "letters"
    many_choices = True
    prompt, key_hint = "可多选", "填两个及以上选项字母，如 ACD。"

    def in_letters(self, value: Any, letter: Callable[[str], str]) -> Any:
        return sorted(letter(chosen) for chosen in value)

    def stated_fact(self, stem: str, options: dict[str, str], key: Any) -> str:
        return _filled(stem, "、".join(options[letter] for letter in key))

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        if (isinstance(response, list) and all(isinstance(r, str) and r in letters for r in response)
                and len(set(response)) == len(response)):
            return ""
        return "应是不重复的选项字母列表"

    def _parse_answer(self, answer: Any, options: dict[str, str], line: int, qid: str,
                      report: Report) -> dict[str, Any]:
        written = _sheet_letters(answer) if isinstance(answer, str) else ""
        if isinstance(answer, list):
            letters = [text_value(value) or "" for value in answer]
        elif _CAPITALS.fullmatch(written):     # as organisers write a key: ABCD, A B C D, A,B,D, A、B、D
            letters = list(written)
        else:
            report.error(line, "多选题的 answer 应是字母列表，如 [A, C]（也可写 AC、A C、A,C 或 A、C）", qid)
            return {}
        missing = [letter for letter in letters if letter not in options]
        if missing:
            report.error(line, f"答案 {', '.join(missing)} 不在选项 {', '.join(options)} 中", qid)
        if len(set(letters)) != len(letters):
            report.error(line, "多选题答案中有重复字母", qid)
        if len(set(letters)) < 2:
            report.error(line, "多选题至少要有两个正确选项", qid)
        return {"answer": sorted(set(letters))}

    def mark(self, key: Any, response: Any, points: float, *, multiple_scoring: str, blank_order: str,
             ordering_scoring: str = "strict") -> float:
        return rounded(_multiple(set(key), set(response), points, multiple_scoring))

    def form_response(self, given: list[str]) -> Any:
        return sorted(given)

    def sheet_response(self, written: list[str]) -> Any:
        # Repeated letters are kept, so that 'AAB' is refused as a slip rather than read as 'AB'.
        return sorted(_sheet_letters("".join(written))) or None

    def picks(self, value: Any, option: Any) -> bool:
        return isinstance(value, list) and option in value

    def describe_response(self, response: Any) -> str:
        return "、".join(sorted(response))

    def parse_key(self, text: str) -> Any:
        return sorted(set(_SEPARATORS.sub("", text).upper()))

    def key_text(self, key: Any) -> str:
        return "".join(key)

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        if isinstance(key, list) and len(set(key)) >= 2 and set(key) <= set(letters):
            return ""
        return "多选题答案应是至少两个选项字母"


def _filled(stem: str, answer: str) -> str:
    """A choice stem with the answer in its slot, or after it when it has none (下列说法正确的是：)."""
    return EMPTY_PARENS.sub(lambda _: answer, stem, count=1) if EMPTY_PARENS.search(stem) else stem + answer


def _sheet_letters(text: str) -> str:
    """Letters as markers type them: 'abd', 'A,B,D', 'A、B、D', full-width 'ＡＢ' all read as capitals."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def _multiple(key: set[str], chosen: set[str], points: float, rule: str) -> float:
    """The paper's rule for a partly right choice: nothing (strict), half, or a share for each right letter."""
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
