"""True-or-false questions (判断题): the key is true or false, read from the words people write for them."""
import unicodedata
from typing import Any

from app.domain import yamlmarks
from app.domain.problems import Report
from app.domain.questions.base import QuestionType, UnreadableAnswer

JUDGE_WORDS = {"true": True, "对": True, "正确": True, "√": True, "✓": True,
               "false": False, "错": False, "错误": False, "×": False, "✗": False}
# A bank's key is also written 是/否 (and yes/no, which YAML 1.1 read as booleans before keys were read as text); an
# answer sheet keeps to the marks of JUDGE_WORDS, where 是 would be a slip.
_KEY_WORDS = {**JUDGE_WORDS, "是": True, "否": False, "yes": True, "no": False}
_FORM_VALUES = {"true": True, "false": False}
# On an answer sheet × is often typed as x, and √ as v: neither key is on a keyboard.
_SHEET_WORDS = {**JUDGE_WORDS, "x": False, "v": True}


class Judge(QuestionType):
    name, label, input = "judge", "判断题", "truth"
    fields = frozenset({"answer"})
    prompt = "判断正误"
    moodle, qti = "truefalse", "choiceInteraction"
    key_hint = "填“正确”或“错误”。"

    def parse(self, item: yamlmarks.MarkedMap, qid: str, stem: str, report: Report) -> dict[str, Any]:
        answer = item.get("answer")
        value = answer if isinstance(answer, bool) else _KEY_WORDS.get(str(answer).strip().lower())
        if value is None:
            report.error(item.line_of("answer"),
                         f"判断题的 answer 应是 true/false（或 对/错、正确/错误、√/×），而不是 {answer!r}", qid)
            return {}
        return {"answer": value}

    def yaml_fields(self, content: dict[str, Any]) -> dict[str, Any]:
        return {"answer": content["answer"]}

    def stated_fact(self, stem: str, options: dict[str, str], key: Any) -> str:
        return stem     # true or false, it is the sentence a choice or blank item on the same point states or asks

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        return "" if isinstance(response, bool) else "应是 true 或 false"

    def form_response(self, given: list[str]) -> Any:
        return _FORM_VALUES.get(given[0]) if len(given) == 1 else None

    def sheet_response(self, written: list[str]) -> Any:
        text = unicodedata.normalize("NFKC", "".join(written)).strip().lower()
        if not text:
            return None
        if text not in _SHEET_WORDS:
            raise UnreadableAnswer("应填 对 或 错（也可写 √/×、正确/错误）")
        return _SHEET_WORDS[text]

    def choices(self, options: dict[str, str]) -> list[Any]:
        return [True, False]

    def picks(self, value: Any, option: Any) -> bool:
        return isinstance(value, bool) and value is option

    def describe_response(self, response: Any) -> str:
        return "正确" if response else "错误"

    def parse_key(self, text: str) -> Any:
        return JUDGE_WORDS.get(text.lower())

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        return "" if isinstance(key, bool) else "判断题答案应是 正确 或 错误"
