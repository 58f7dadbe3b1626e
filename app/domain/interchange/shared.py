"""What the interchange formats agree on: where our fields go that the formats lack, and building documents.

Moodle and GIFT have no source, difficulty or blank order. The source is the last paragraph of the general feedback
(出处：…), shown with the explanation in Moodle too; difficulty and a blank order other than fixed are tags
(难度:2, 填空顺序:任意), which Moodle keeps and shows. A rubric point is written `point（2 分）`.
"""
import re
from decimal import Decimal
from typing import Any

from app.domain import yamlmarks
from app.domain.banks import CATEGORIES, QUESTION_ID, QuestionSpec
from app.domain.questions import QUESTION_TYPES, QuestionType
from app.domain.questions.calculation import number_text
from app.domain.text import rubric_parts

SOURCE_MARK = "出处："
DIFFICULTY_TAG = "难度:"
ANY_ORDER_TAG = "填空顺序:任意"
TOLERANCE_TAG, UNIT_TAG = "误差:", "单位:"   # a calculation's relative tolerance; the units of its steps
# An ordering's bank letters in the right order: Moodle's ordering lists the items in the right order and knows no
# letters, so without it an import would letter them A, B, … in that order, a different question to our eyes.
ORDER_TAG = "排序答案:"
# A matching's key letters (匹配答案:BCA): the formats pair prompts with right items' texts and lose the letters.
PAIRS_TAG = "匹配答案:"
RUBRIC_HEADING = "评分要点："
_SOURCE_PARAGRAPH = re.compile(r"(?:^|\n\n)出处[:：]\s*(.+)$", re.S)
_DIFFICULTY = re.compile(r"^难度[:：]\s*([1-5])$")
MAX_CHARS = 20_000_000      # in a Moodle XML or GIFT file: far past a bank of several thousand questions


# Moodle's types that none of ours is, by what people call them.
UNMAPPED = {"calculated": "计算题（随机数值）", "calculatedsimple": "简单计算题",
            "calculatedmulti": "计算选择题", "description": "说明文字，不是题目", "random": "随机抽题",
            "randomsamatch": "随机简答匹配题", "ddwtos": "拖放填词", "gapselect": "下拉选词",
            "ddimageortext": "图片拖放", "ddmarker": "拖放标记"}


def unmapped(file_format: str, moodle_type: str) -> str:
    """What the problem says of a question whose Moodle type has no type of ours."""
    label = f"（{UNMAPPED[moodle_type]}）" if moodle_type in UNMAPPED else ""
    return (f"{file_format} 题型 {moodle_type or '（未注明）'}{label}没有对应的题型，无法导入；"
            f"可导入：{mapped_types()}，以及各空都是 SHORTANSWER 的 cloze（填空题）"
            f"或各空都是 NUMERICAL 的 cloze（计算题）")


def moodle_kinds(moodle_type: str) -> list[QuestionType]:
    """Our types written as a Moodle question type (multichoice: single and multiple)."""
    return [kind for kind in QUESTION_TYPES if kind.moodle == moodle_type]


def mapped_types() -> str:
    """The Moodle types import reads, for the message about one it does not."""
    names = dict.fromkeys(kind.moodle for kind in QUESTION_TYPES if kind.moodle)
    return "、".join(f"{name}（{'/'.join(k.label for k in moodle_kinds(name))}）" for name in names)


def feedback_markdown(question: QuestionSpec) -> str:
    """The explanation with the source as its last paragraph: what Moodle's general feedback carries."""
    source = f"{SOURCE_MARK}{question.source}" if question.source else ""
    return "\n\n".join(part for part in (question.explanation, source) if part)


def split_feedback(markdown: str) -> tuple[str, str]:
    """(explanation, source) from a general feedback written by `feedback_markdown`, or by anyone."""
    found = _SOURCE_PARAGRAPH.search(markdown)
    if not found or "\n\n" in found.group(1):
        return markdown, ""
    return markdown[: found.start()].strip(), found.group(1).strip()


def tags_of(question: QuestionSpec) -> list[str]:
    """The question's tags, then its difficulty and blank order as tags."""
    extra = [f"{DIFFICULTY_TAG}{question.difficulty}"]
    if question.blank_order != "fixed":
        extra.append(ANY_ORDER_TAG)
    if question.prompts:
        extra.append(PAIRS_TAG + "".join(question.answer))
    return [*question.tags, *extra, *_step_tags(question.answer)]


def _steps(answer: Any) -> list[dict[str, str]]:
    """A calculation's steps (number, unit, tolerance), empty for any other key."""
    if isinstance(answer, list) and answer and all(isinstance(step, dict) and "value" in step for step in answer):
        return answer
    return []


def _step_tags(answer: Any) -> list[str]:
    """What Moodle and GIFT cannot say of a calculation: a relative tolerance, the units (GIFT has none; Moodle's
    cloze none for its steps)."""
    steps, tags = _steps(answer), []
    if any(step["tolerance"].endswith("%") for step in steps):
        tags.append(TOLERANCE_TAG + "|".join(step["tolerance"] or "0" for step in steps))
    if any(step["unit"] for step in steps):
        tags.append(UNIT_TAG + "|".join(step["unit"] for step in steps))
    return tags


def absolute_tolerance(step: dict[str, str]) -> str:
    """A step's tolerance as the amount either side, which is all Moodle and GIFT say: 1% of 480 is 4.8."""
    tolerance = step["tolerance"]
    if not tolerance.endswith("%"):
        return tolerance or "0"
    amount = abs(Decimal(step["value"])) * Decimal(tolerance[:-1]) / 100
    return number_text(amount)


def read_tags(tags: list[str], values: dict[str, Any]) -> None:
    """Tags into a question document: difficulty and blank order out of them, the rest as its tags."""
    kept = []
    for tag in tags:
        difficulty = _DIFFICULTY.match(tag)
        if difficulty:
            values["difficulty"] = int(difficulty.group(1))
        elif tag == ANY_ORDER_TAG:
            values["blank_order"] = "any"
        elif tag.startswith(PAIRS_TAG):
            values["answer"] = list(tag[len(PAIRS_TAG):])
        elif tag.startswith(ORDER_TAG):
            continue        # read with the items (moodle._read_ordering)
        elif tag.startswith((TOLERANCE_TAG, UNIT_TAG)):
            parts = tag[len(TOLERANCE_TAG):].split("|")
            values["tolerance" if tag.startswith(TOLERANCE_TAG) else "unit"] = parts[0] if len(parts) == 1 else parts
        else:
            kept.append(tag)
    if kept:
        values["tags"] = kept


def rubric_line(point: dict[str, Any]) -> str:
    return f"{point['point']}（{point['score']:g} 分）"


def read_rubric_line(text: str) -> dict[str, Any] | None:
    """A rubric point from `point（2 分）`; None when the line is not one."""
    parts = rubric_parts(text.strip())
    if not parts:
        return None
    point, digits = parts
    score = float(digits)
    return {"point": point.strip(), "score": int(score) if score.is_integer() else score}


def category_path(title: str, category: str) -> list[str]:
    """A bank as Moodle's category path below the course: 理论/党的理论知识."""
    return [CATEGORIES[category], title] if category in CATEGORIES else [title]


def read_category_path(parts: list[str]) -> dict[str, str]:
    """Bank title and category from a Moodle category path: the last part, and a part naming our category."""
    labels = {label: token for token, label in CATEGORIES.items()}
    named = [part for part in parts if part not in ("$course$", "$system$", "$module$", "$cat$", "top")]
    found: dict[str, str] = {}
    if named and named[-1] not in labels:
        found["title"] = named[-1]
    category = next((labels[part] for part in named if part in labels), "")
    if category:
        found["category"] = category
    return found


def question_id(given: str, number: int) -> str:
    """The id a question keeps: Moodle's idnumber or name when it can be one, else its number in the file."""
    return given if given and QUESTION_ID.match(given) else f"Q{number:04d}"


def marked(line: int, values: dict[str, Any], key_lines: dict[str, int] | None = None) -> yamlmarks.MarkedMap:
    """A mapping as the YAML reader makes it, standing at `line`, each key at its own line when known."""
    mapping = yamlmarks.MarkedMap(values)
    mapping.line, mapping.repeated = line, []
    mapping.key_lines = {key: (key_lines or {}).get(key, line) for key in values}
    return mapping


def marked_list(line: int, values: list[Any]) -> yamlmarks.MarkedList:
    sequence = yamlmarks.MarkedList(values)
    sequence.line = line
    sequence.item_lines = [getattr(value, "line", line) for value in values]
    return sequence


def pair_options(right: list[str], extras: list[str], key: Any) -> tuple[dict[str, str], list[str]]:
    """A matching's options and key from what the formats hold: each prompt's right item in prompt order, then the
    extras. With the key letters a tag kept (匹配答案:), each item gets its letter back; without, letters follow the
    order the items come in. A right item given for two prompts is one option (validation names the repeat)."""
    texts = list(dict.fromkeys([*right, *extras]))
    if isinstance(key, list) and len(key) == len(right) and len(set(key)) == len(key) == len(set(right)) \
            and len(texts) <= 26:
        letters = iter(sorted(set(LETTERS_26[: len(texts)]) - set(key)))
        options = dict(zip(key, right, strict=True))
        options |= {next(letters): text for text in texts[len(right):]}
        return dict(sorted(options.items())), list(key)
    options = {LETTERS_26[index]: text for index, text in enumerate(texts[:26])}
    by_text = {text: letter for letter, text in options.items()}
    return options, [by_text.get(text, "?") for text in right]


LETTERS_26 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
