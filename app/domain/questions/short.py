"""Short-answer questions (简答题): a written answer that a judge marks against a reference answer and rubric."""
from typing import Any

from app.domain import yamlmarks
from app.domain.problems import Report, text_value
from app.domain.questions.base import QuestionType, text_problem

MAX_TEXT = 20_000      # characters in one short answer: a long essay, not a file
RUBRIC_KEYS = {"point", "score"}


class Short(QuestionType):
    name, label, input = "short", "简答题", "text"
    part_refusal = "简答题由评委整题评分，不能作小题"
    fields = frozenset({"reference_answer", "rubric"})
    objective = False
    moodle, qti = "essay", "extendedTextInteraction"

    def parse(self, item: yamlmarks.MarkedMap, qid: str, stem: str, report: Report) -> dict[str, Any]:
        reference = text_value(item.get("reference_answer")) or ""
        if not reference:
            report.error(item.line_of("reference_answer"), "简答题缺少 reference_answer（参考答案）", qid)
        rubric = item.get("rubric")
        if not isinstance(rubric, list) or not rubric:
            report.error(item.line_of("rubric"), "简答题缺少 rubric（评分要点列表，如 [{point: …, score: 2}]）", qid)
            return {"reference_answer": reference}
        return {"reference_answer": reference, "rubric": _rubric(rubric, qid, report)}

    def yaml_fields(self, content: dict[str, Any]) -> dict[str, Any]:
        return {"reference_answer": content["reference_answer"], "rubric": content["rubric"]}

    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        return text_problem(response, MAX_TEXT, "简答") if isinstance(response, str) else "应是一段文字"

    def describe_answer(self, key: Any) -> str:
        return ""

    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        return "简答题由评委评分，没有可更正的答案"


def _rubric(rubric: yamlmarks.MarkedList, qid: str, report: Report) -> list[dict[str, Any]]:
    points = []
    for index, entry in enumerate(rubric):
        line = rubric.line_of(index)
        if not isinstance(entry, yamlmarks.MarkedMap):
            report.error(line, "评分要点应写成 {point: …, score: …}", qid)
            continue
        report.unknown_keys(entry, RUBRIC_KEYS, qid, where="评分要点中")
        point, score = text_value(entry.get("point")), entry.get("score")
        if not point:
            report.error(line, "评分要点缺少 point", qid)
        if isinstance(score, bool) or not isinstance(score, (int, float)) or score <= 0:
            report.error(line, f"评分要点的 score 应为正数，而不是 {score!r}", qid)
            continue
        points.append({"point": point or "", "score": score})
    return points
