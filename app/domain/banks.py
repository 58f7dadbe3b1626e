"""Question-bank YAML (DESIGN §3.1): parsing, validation with file and line, and the canonical form.

`validate_files` reports every problem of every file in one run; a bank with any error is not returned.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.domain import yamlmarks
from app.domain.problems import Problem, Report, text_value
from app.domain.text import count_blanks, normalise

CATEGORIES = {"theory": "理论", "policy": "政策", "party_affairs": "党务业务"}
TYPES = {"single": "单选题", "multiple": "多选题", "judge": "判断题", "blank": "填空题", "short": "简答题"}
OBJECTIVE_TYPES = ("single", "multiple", "judge", "blank")

BANK_KEYS = {"bank", "title", "category", "description", "practice", "questions"}
COMMON_KEYS = {"id", "type", "stem", "explanation", "source", "difficulty", "tags"}
KEYS_BY_TYPE = {
    "single": COMMON_KEYS | {"options", "answer"},
    "multiple": COMMON_KEYS | {"options", "answer"},
    "judge": COMMON_KEYS | {"answer"},
    "blank": COMMON_KEYS | {"answer", "blank_order"},
    "short": COMMON_KEYS | {"reference_answer", "rubric"},
}
ALL_QUESTION_KEYS = set().union(*KEYS_BY_TYPE.values())
RUBRIC_KEYS = {"point", "score"}
JUDGE_WORDS = {"true": True, "对": True, "正确": True, "√": True, "✓": True,
               "false": False, "错": False, "错误": False, "×": False, "✗": False}
LETTERS = "ABCDEFGH"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
QUESTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass
class QuestionSpec:
    """A question as written in YAML, in canonical form (see `content`)."""

    id: str
    type: str
    stem: str
    line: int = 0
    options: dict[str, str] = field(default_factory=dict)
    answer: Any = None
    blank_order: str = "fixed"
    reference_answer: str = ""
    rubric: list[dict[str, Any]] = field(default_factory=list)
    explanation: str = ""
    source: str = ""
    difficulty: int = 3
    tags: list[str] = field(default_factory=list)

    def content(self) -> dict[str, Any]:
        """Everything that makes a revision: two specs with equal content are the same revision."""
        return {
            "type": self.type, "stem": self.stem, "options": self.options, "answer": self.answer,
            "blank_order": self.blank_order, "reference_answer": self.reference_answer,
            "rubric": self.rubric, "explanation": self.explanation, "source": self.source,
            "difficulty": self.difficulty, "tags": self.tags,
        }

    def content_hash(self) -> str:
        return content_hash(self.content())


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class BankSpec:
    slug: str
    title: str
    category: str
    file: str
    line: int = 1
    description: str = ""
    practice: bool = False          # open to drills, the daily set and mocks; closed unless the file says so
    questions: list[QuestionSpec] = field(default_factory=list)


def parse_bank(text: str, file: str) -> tuple[BankSpec | None, list[Problem]]:
    """Parse and validate one bank file; the spec is None when the file has errors."""
    report = Report(file)
    document = report.load_mapping(text, "题库文件应是一个映射，包含 bank、title、category、questions")
    if document is None:
        return None, report.problems

    bank = _parse_bank_header(document, file, report)
    questions = document.get("questions")
    if not isinstance(questions, yamlmarks.MarkedList) or not questions:
        report.error(document.line_of("questions"), "缺少 questions，或 questions 不是非空列表")
        return None, report.problems

    seen: dict[str, int] = {}
    for index, item in enumerate(questions):
        spec = _parse_question(item, questions.line_of(index), report)
        if spec is None:
            continue
        if spec.id in seen:
            report.error(spec.line, f"题目 id 重复（第 {seen[spec.id]} 行已使用）", spec.id)
            continue
        seen[spec.id] = spec.line
        bank.questions.append(spec)
    return (None if report.has_errors else bank), report.problems


def _parse_bank_header(document: yamlmarks.MarkedMap, file: str, report: Report) -> BankSpec:
    report.repeated_keys(document)
    report.unknown_keys(document, BANK_KEYS)
    slug = text_value(document.get("bank")) or ""
    if not slug:
        report.error(document.line_of("bank"), "缺少 bank（题库标识）")
    elif not SLUG.match(slug):
        report.error(document.line_of("bank"), f"bank 标识 {slug!r} 只能用小写字母、数字、- 和 _")
    title = text_value(document.get("title")) or ""
    if not title:
        report.error(document.line_of("title"), "缺少 title（题库名称）")
    category = text_value(document.get("category")) or ""
    if category not in CATEGORIES:
        report.error(document.line_of("category"),
                     f"category 应为 {' | '.join(CATEGORIES)} 之一，而不是 {category or '空'}")
    description = text_value(document.get("description")) or ""
    practice = document.get("practice", False)
    if not isinstance(practice, bool):
        report.error(document.line_of("practice"), f"practice 应为 true（开放练习）或 false，而不是 {practice!r}")
    return BankSpec(slug=slug, title=title, category=category, file=file, line=document.line, description=description,
                    practice=practice is True)


def _parse_question(item: Any, line: int, report: Report) -> QuestionSpec | None:
    if not isinstance(item, yamlmarks.MarkedMap):
        report.error(line, "每道题应是一个映射（以 id: 开头）")
        return None
    qid = text_value(item.get("id"))
    if not qid:
        report.error(item.line, "缺少题目 id")
        return None
    if not QUESTION_ID.match(qid):
        report.error(item.line_of("id"), "id 只能用字母、数字、. _ -，且不超过 64 个字符", qid)
    report.repeated_keys(item, qid)
    qtype = text_value(item.get("type"))
    if qtype not in TYPES:
        report.error(item.line_of("type"), f"未知题型 {qtype!r}，应为 {' | '.join(TYPES)} 之一", qid)
        report.unknown_keys(item, ALL_QUESTION_KEYS, qid)
        return None
    before = len(report.problems)
    for key in item:
        if key in ALL_QUESTION_KEYS and key not in KEYS_BY_TYPE[qtype]:
            report.error(item.line_of(key), f"{TYPES[qtype]}不使用字段 {key!r}", qid)
    report.unknown_keys(item, ALL_QUESTION_KEYS, qid)

    spec = QuestionSpec(id=qid, type=qtype, stem=text_value(item.get("stem")) or "", line=item.line)
    if not spec.stem:
        report.error(item.line_of("stem"), "题干 stem 为空或缺失", qid)
    _parse_common(item, spec, report)
    {"single": _parse_choice, "multiple": _parse_choice, "judge": _parse_judge,
     "blank": _parse_blank, "short": _parse_short}[qtype](item, spec, report)
    return None if any(not p.warning for p in report.problems[before:]) else spec


def _parse_common(item: yamlmarks.MarkedMap, spec: QuestionSpec, report: Report) -> None:
    spec.explanation = text_value(item.get("explanation")) or ""
    spec.source = text_value(item.get("source")) or ""
    if not spec.explanation:
        report.warn(item.line, "缺少 explanation（答案解析）", spec.id)
    if not spec.source:
        report.warn(item.line, "缺少 source（答案出处）", spec.id)

    difficulty = item.get("difficulty", 3)
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        report.error(item.line_of("difficulty"), f"difficulty 应为 1 到 5 的整数，而不是 {difficulty!r}", spec.id)
    else:
        spec.difficulty = difficulty

    tags = item.get("tags", [])
    if not isinstance(tags, list) or any(not text_value(tag) for tag in tags):
        report.error(item.line_of("tags"), "tags 应是非空文字的列表，如 [党章, 组织原则]", spec.id)
    else:
        spec.tags = [text_value(tag) for tag in tags]


def _parse_choice(item: yamlmarks.MarkedMap, spec: QuestionSpec, report: Report) -> None:
    options = item.get("options")
    line = item.line_of("options")
    if not isinstance(options, dict) or not options:
        report.error(line, "缺少 options，或 options 不是 {A: …, B: …} 形式", spec.id)
        return
    letters = [str(key) for key in options]
    if not 2 <= len(letters) <= 8:
        report.error(line, f"选项应有 2 到 8 个，现有 {len(letters)} 个", spec.id)
    if letters != list(LETTERS[: len(letters)]):
        report.error(line, f"选项字母应从 A 起依次排列，而不是 {', '.join(letters)}", spec.id)
    for key, value in options.items():
        if not text_value(value):
            report.error(options.line_of(key), f"选项 {key} 为空", spec.id)
    spec.options = {str(key): text_value(value) or "" for key, value in options.items()}
    _parse_choice_answer(item, spec, report)


def _parse_choice_answer(item: yamlmarks.MarkedMap, spec: QuestionSpec, report: Report) -> None:
    answer = item.get("answer")
    line = item.line_of("answer")
    if answer is None:
        report.error(line, "缺少 answer（答案）", spec.id)
        return
    if spec.type == "single":
        letter = text_value(answer)
        if isinstance(answer, list) or not letter:
            report.error(line, "单选题的 answer 应是一个选项字母，如 A", spec.id)
        elif letter not in spec.options:
            report.error(line, f"答案 {letter} 不在选项 {', '.join(spec.options)} 中", spec.id)
        spec.answer = letter
        return
    if not isinstance(answer, list):
        report.error(line, "多选题的 answer 应是字母列表，如 [A, C]", spec.id)
        return
    letters = [text_value(value) or "" for value in answer]
    missing = [letter for letter in letters if letter not in spec.options]
    if missing:
        report.error(line, f"答案 {', '.join(missing)} 不在选项 {', '.join(spec.options)} 中", spec.id)
    if len(set(letters)) != len(letters):
        report.error(line, "多选题答案中有重复字母", spec.id)
    if len(set(letters)) < 2:
        report.error(line, "多选题至少要有两个正确选项", spec.id)
    spec.answer = sorted(set(letters))


def _parse_judge(item: yamlmarks.MarkedMap, spec: QuestionSpec, report: Report) -> None:
    answer = item.get("answer")
    value = answer if isinstance(answer, bool) else JUDGE_WORDS.get(str(answer).strip().lower())
    if value is None:
        report.error(item.line_of("answer"),
                     f"判断题的 answer 应是 true/false（或 对/错、正确/错误、√/×），而不是 {answer!r}", spec.id)
        return
    spec.answer = value


def _parse_blank(item: yamlmarks.MarkedMap, spec: QuestionSpec, report: Report) -> None:
    answer = item.get("answer")
    line = item.line_of("answer")
    entries = answer if isinstance(answer, list) else [answer]
    blanks = count_blanks(spec.stem)
    if answer is None:
        report.error(line, "缺少 answer（填空答案）", spec.id)
        return
    if blanks == 0:
        report.error(item.line_of("stem"), "填空题的题干中没有 ___（三个或更多下划线表示一个空）", spec.id)
    elif len(entries) != blanks:
        report.error(line, f"题干有 {blanks} 个空，answer 却有 {len(entries)} 项", spec.id)
    canonical = []
    for number, entry in enumerate(entries, start=1):
        variants = entry if isinstance(entry, list) else [entry]
        texts = [text_value(variant) for variant in variants]
        if not texts or any(not text for text in texts):
            report.error(line, f"第 {number} 空的答案为空或不是文字", spec.id)
        canonical.append([text for text in texts if text])
    spec.answer = canonical
    order = text_value(item.get("blank_order", "fixed"))
    if order not in ("fixed", "any"):
        report.error(item.line_of("blank_order"), f"blank_order 应为 any 或 fixed，而不是 {order!r}", spec.id)
    spec.blank_order = order or "fixed"


def _parse_short(item: yamlmarks.MarkedMap, spec: QuestionSpec, report: Report) -> None:
    spec.reference_answer = text_value(item.get("reference_answer")) or ""
    if not spec.reference_answer:
        report.error(item.line_of("reference_answer"), "简答题缺少 reference_answer（参考答案）", spec.id)
    rubric = item.get("rubric")
    if not isinstance(rubric, list) or not rubric:
        report.error(item.line_of("rubric"), "简答题缺少 rubric（评分要点列表，如 [{point: …, score: 2}]）", spec.id)
        return
    for index, entry in enumerate(rubric):
        line = rubric.line_of(index)
        if not isinstance(entry, yamlmarks.MarkedMap):
            report.error(line, "评分要点应写成 {point: …, score: …}", spec.id)
            continue
        report.unknown_keys(entry, RUBRIC_KEYS, spec.id, where="评分要点中")
        point, score = text_value(entry.get("point")), entry.get("score")
        if not point:
            report.error(line, "评分要点缺少 point", spec.id)
        if isinstance(score, bool) or not isinstance(score, (int, float)) or score <= 0:
            report.error(line, f"评分要点的 score 应为正数，而不是 {score!r}", spec.id)
            continue
        spec.rubric.append({"point": point or "", "score": score})


def validate_texts(files: list[tuple[str, str]]) -> tuple[list[BankSpec], list[Problem]]:
    """Validate several bank files together: per-file rules, then slugs and stems across files."""
    banks: list[BankSpec] = []
    problems: list[Problem] = []
    for name, text in files:
        bank, found = parse_bank(text, name)
        problems.extend(found)
        if bank is not None:
            banks.append(bank)
    problems.extend(_duplicate_slugs(banks))
    problems.extend(_duplicate_stems(banks))
    failed = {p.file for p in problems if not p.warning}
    return [bank for bank in banks if bank.file not in failed], sorted(problems)


def _duplicate_slugs(banks: list[BankSpec]) -> list[Problem]:
    found, seen = [], {}
    for bank in banks:
        if bank.slug in seen:
            found.append(Problem(bank.file, bank.line, f"题库标识 bank: {bank.slug} 与 {seen[bank.slug]} 重复"))
        else:
            seen[bank.slug] = bank.file
    return found


def _duplicate_stems(banks: list[BankSpec]) -> list[Problem]:
    found, seen = [], {}
    for bank in banks:
        for question in bank.questions:
            key = normalise(question.stem).lower()
            if key in seen:
                found.append(Problem(bank.file, question.line, f"题干与 {seen[key]} 重复", question.id, warning=True))
            else:
                seen[key] = f"{bank.slug}/{question.id}"
    return found


def dump_bank(bank: BankSpec) -> str:
    """YAML for a bank that parses back to the same specs (the export format)."""
    document = {"bank": bank.slug, "title": bank.title, "category": bank.category}
    if bank.description:
        document["description"] = bank.description
    if bank.practice:
        document["practice"] = True
    document["questions"] = [_question_document(question) for question in bank.questions]
    header = "# 由 flask bank export 导出；可直接编辑后用 flask bank import 导回。\n"
    return header + yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                              default_flow_style=None, width=100)


def _question_document(question: QuestionSpec) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": question.id, "type": question.type, "stem": question.stem}
    if question.options:
        doc["options"] = question.options
    if question.type == "blank":
        doc["answer"] = [variants[0] if len(variants) == 1 else variants for variants in question.answer]
        if question.blank_order != "fixed":
            doc["blank_order"] = question.blank_order
    elif question.type != "short":
        doc["answer"] = question.answer
    if question.type == "short":
        doc["reference_answer"] = question.reference_answer
        doc["rubric"] = question.rubric
    for key in ("explanation", "source"):
        if getattr(question, key):
            doc[key] = getattr(question, key)
    doc["difficulty"] = question.difficulty
    if question.tags:
        doc["tags"] = question.tags
    return doc


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, so exported stems stay readable in an editor."""


def _represent_text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


FIELD_LABELS = {
    "type": "题型", "stem": "题干", "options": "选项", "answer": "答案", "blank_order": "填空顺序",
    "reference_answer": "参考答案", "rubric": "评分要点", "explanation": "解析", "source": "出处",
    "difficulty": "难度", "tags": "标签",
}


def describe_answer(qtype: str, answer: Any) -> str:
    """An answer key as a person reads it: 'A、C', '正确', '（1）义务 / 党员义务；（2）纪律'."""
    if qtype == "single":
        return answer
    if qtype == "multiple":
        return "、".join(answer)
    if qtype == "judge":
        return "正确" if answer else "错误"
    if qtype == "blank":
        return "；".join(f"（{n}）{' / '.join(variants)}" for n, variants in enumerate(answer, start=1))
    return ""


def describe_response(qtype: str, response: Any) -> str:
    """A candidate's answer as a person reads it: 'A、C', '正确', '（1）义务；（2）未填'."""
    if qtype == "multiple":
        return "、".join(response)
    if qtype == "judge":
        return "正确" if response else "错误"
    if qtype == "blank":
        return "；".join(f"（{n}）{text or '未填'}" for n, text in enumerate(response, start=1))
    return str(response)


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Labels of the content fields that differ between two revisions, in a fixed order."""
    return [label for key, label in FIELD_LABELS.items() if old.get(key) != new.get(key)]
