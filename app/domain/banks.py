"""Question-bank YAML (DESIGN §3.1): parsing, validation with file and line, and the canonical form.

`validate_files` reports every problem of every file in one run; a bank with any error is not returned.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from app.domain import yamlmarks
from app.domain.problems import Problem, Report, text_value
from app.domain.questions import QUESTION_TYPES, TYPES, question_type
from app.domain.text import normalise

CATEGORIES = {"theory": "理论", "policy": "政策", "party_affairs": "党务业务"}

BANK_KEYS = {"bank", "title", "category", "description", "practice", "questions"}
COMMON_KEYS = {"id", "type", "stem", "explanation", "source", "difficulty", "tags"}
ALL_QUESTION_KEYS = COMMON_KEYS.union(*(kind.fields for kind in QUESTION_TYPES))
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
    kind = question_type(qtype)
    before = len(report.problems)
    for key in item:
        if key in ALL_QUESTION_KEYS and key not in COMMON_KEYS | kind.fields:
            report.error(item.line_of(key), f"{kind.label}不使用字段 {key!r}", qid)
    report.unknown_keys(item, ALL_QUESTION_KEYS, qid)

    spec = QuestionSpec(id=qid, type=qtype, stem=text_value(item.get("stem")) or "", line=item.line)
    if not spec.stem:
        report.error(item.line_of("stem"), "题干 stem 为空或缺失", qid)
    _parse_common(item, spec, report)
    spec = replace(spec, **kind.parse(item, qid, spec.stem, report))
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
    doc.update(question_type(question.type).yaml_fields(question.content()))
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


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Labels of the content fields that differ between two revisions, in a fixed order."""
    return [label for key, label in FIELD_LABELS.items() if old.get(key) != new.get(key)]
