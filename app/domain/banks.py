"""Question banks (DESIGN §3.1): parsing, validation with file and location, and the canonical form.

Every format is read into the YAML reader's shape (a `BankDocument`: marked mappings and lists, with a label for
each line when the file has none), so one validation serves them all. `validate_documents` reports every problem of
every file in one run; a bank with any error is not returned, unless `partial` leaves out just the questions with
errors (listed as warnings) and keeps the rest.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

import yaml

from app.domain import yamlmarks
from app.domain.giveaways import Stated, same_facts
from app.domain.problems import Locate, Problem, Report, text_value
from app.domain.questions import QUESTION_TYPES, TYPES, question_type
from app.domain.text import normalise
from app.domain.textdiff import Segment, word_diff

CATEGORIES = {"theory": "理论", "policy": "政策", "party_affairs": "党务业务"}
# What people write for a category: the token, its label, and the label's first two characters (党务).
CATEGORY_WORDS = {word: token for token, label in CATEGORIES.items() for word in (token, label, label[:2])}

BANK_KEYS = {"bank", "title", "category", "description", "practice", "questions"}
COMMON_KEYS = {"id", "type", "stem", "explanation", "source", "difficulty", "tags", "family"}
ALL_QUESTION_KEYS = COMMON_KEYS.union(*(kind.fields for kind in QUESTION_TYPES))
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TYPE_CHOICES = " | ".join(f"{name}（{label}）" for name, label in TYPES.items())
QUESTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Fields an organiser writes as text, read as written at any depth (a material's parts, a rubric's points): `024`
# stays 024, not 20; `1:30` stays 1:30, not 90; `yes` as an option stays yes. Numbers (difficulty, score, weight)
# and flags (practice) keep YAML's types.
TEXT_KEYS = frozenset({"id", "title", "description", "stem", "options", "answer", "explanation", "source", "tags",
                       "reference_answer", "point", "prompts", "unit", "tolerance", "family"})
FAMILY_LENGTH = 64
SAME_FACT_KIND = "与同库另一题型的题陈述同一事实，同在一卷会互相提示答案：请给两题同一个 family，或改写其中一题"
# An explanation that names an option by its letter ("选B", "B项", "答案为B") misleads: every candidate sees the
# options shuffled, so the B they were shown is seldom the bank's B.
NAMES_A_LETTER = re.compile(r"选\s*[A-H](?![A-Za-z])|(?<![A-Za-z])[A-H]\s*项|答案[为是：:]\s*[A-H](?![A-Za-z])")


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
    parts: list[dict[str, Any]] = field(default_factory=list)    # a material's sub-questions, without their keys
    explanation: str = ""
    source: str = ""
    difficulty: int = 3
    tags: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)     # a matching question's left items
    # Questions of one bank that give each other away share a family: a paper never holds two of them.
    family: str = ""

    def content(self) -> dict[str, Any]:
        """Everything that makes a revision: two specs with equal content are the same revision. Prompts and parts
        join only when there are some, so the content (and hash) of every question without them is what it always
        was."""
        content = {
            "type": self.type, "stem": self.stem, "options": self.options, "answer": self.answer,
            "blank_order": self.blank_order, "reference_answer": self.reference_answer,
            "rubric": self.rubric, "explanation": self.explanation, "source": self.source,
            "difficulty": self.difficulty, "tags": self.tags, **({"prompts": self.prompts} if self.prompts else {}),
        }
        if self.parts:      # only a material has parts: every other revision's content (and hash) stays as it was
            content["parts"] = self.parts
        if self.family:     # likewise: a question without a family keeps the hash it had
            content["family"] = self.family
        return content

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
    skipped: list[str] = field(default_factory=list)   # ids left out by a partial import: their revisions stay
    digest: str = ""        # SHA-256 of the file when the whole bank came from it as it is (no defaults, not partial)
    locate: Locate | None = field(default=None, repr=False, compare=False)   # the file's line labels, if any

    def problem(self, line: int, message: str, qid: str | None = None, warning: bool = False,
                kind: str = "") -> Problem:
        """A problem found across files, located the way the file's own problems are."""
        return Problem(self.file, line, message, qid, warning, self.locate(line) if self.locate else "", kind)


@dataclass
class BankDocument:
    """One bank file read into the YAML reader's shape, whatever its format: `document` is None when the file
    could not be read at all (its problems say why); `locate` labels lines in a file that has none."""

    file: str
    document: yamlmarks.MarkedMap | None
    problems: list[Problem] = field(default_factory=list)
    locate: Locate | None = None
    # Questions the reader found but could not take (a Moodle matching question): errors, or with `partial` left
    # out with a warning, like a question that fails validation.
    unread: list[Problem] = field(default_factory=list)
    digest: str = ""        # SHA-256 of the file's bytes, when the reader was asked for it
    unchanged: str = ""     # the slug of the bank last imported from this very file: nothing to read or check


@dataclass(frozen=True)
class BankDefaults:
    """Bank metadata from the command line for files that carry none: what a file says wins; without a slug the
    file's name is the slug, without a title its name is the title."""

    slug: str = ""
    category: str = ""
    title: str = ""


def yaml_document(text: str, file: str) -> BankDocument:
    report = Report(file)
    document = report.load_mapping(text, "题库文件应是一个映射，包含 bank、title、category、questions", TEXT_KEYS)
    return BankDocument(file, document, report.problems)


def parse_bank(text: str, file: str) -> tuple[BankSpec | None, list[Problem]]:
    """Parse and validate one bank YAML file; the spec is None when the file has errors."""
    return read_bank(yaml_document(text, file))


def read_bank(source: BankDocument, defaults: BankDefaults | None = None,
              partial: bool = False) -> tuple[BankSpec | None, list[Problem]]:
    """Validate one bank document; the spec is None when it has errors (with `partial`, errors outside its
    questions: a question with errors is then left out, its problems turned into warnings)."""
    report = Report(source.file, source.locate)
    report.problems.extend(source.problems)
    report.problems.extend(_left_out(problem) if partial else problem for problem in source.unread)
    document = source.document
    if document is None:
        return None, report.problems

    bank = _parse_bank_header(document, source.file, report, defaults)
    bank.digest = source.digest if defaults is None and not partial else ""
    if partial:     # a question the reader could not take keeps its stored revision, as one that fails validation
        bank.skipped.extend(problem.question_id for problem in source.unread if problem.question_id)
    questions = document.get("questions")
    if not isinstance(questions, yamlmarks.MarkedList) or not questions:
        report.error(document.line_of("questions"), "缺少 questions，或 questions 不是非空列表")
        return None, report.problems

    seen: dict[str, int] = {}
    for index, item in enumerate(questions):
        before = len(report.problems)
        spec = _parse_question(item, questions.line_of(index), report)
        if spec is not None and spec.id in seen:
            report.error(spec.line, f"题目 id 重复（{report.where(seen[spec.id])}已使用）", spec.id)
            spec = None
        if spec is not None:
            seen[spec.id] = spec.line
            bank.questions.append(spec)
        elif partial:
            _leave_out(item, report, before, bank)
    if partial and not report.has_errors and not bank.questions:
        report.error(document.line_of("questions"), "没有一道题可以导入")
    return (None if report.has_errors else bank), report.problems


def _leave_out(item: Any, report: Report, before: int, bank: BankSpec) -> None:
    """A partial import leaves a question with errors out: its errors become warnings, and its stored revisions
    (when it has an id) stay as they are instead of being retired."""
    report.problems[before:] = [_left_out(problem) for problem in report.problems[before:]]
    qid = text_value(item.get("id")) if isinstance(item, dict) else None
    if qid:
        bank.skipped.append(qid)


def _left_out(problem: Problem) -> Problem:
    """An error of a question left out, as the warning that says so; its warnings stay as they are."""
    return problem if problem.warning else replace(problem, warning=True, message=f"未导入：{problem.message}")


def _parse_bank_header(document: yamlmarks.MarkedMap, file: str, report: Report,
                       defaults: BankDefaults | None) -> BankSpec:
    report.repeated_keys(document)
    report.unknown_keys(document, BANK_KEYS)
    named = PurePath(file).stem
    slug = text_value(document.get("bank")) or (defaults and (defaults.slug or named)) or ""
    hint = "；没有题库信息的文件可用 --bank、--category 指定" if defaults is None else ""
    if not slug:
        report.error(document.line_of("bank"), f"缺少 bank（题库标识）{hint}")
    elif not SLUG.match(slug):
        report.error(document.line_of("bank"), f"bank 标识 {slug!r} 只能用小写字母、数字、- 和 _"
                     + ("（文件名不能作标识时请用 --bank 指定）" if defaults and not defaults.slug else ""))
    title = text_value(document.get("title")) or (defaults and (defaults.title or named)) or ""
    if not title:
        report.error(document.line_of("title"), f"缺少 title（题库名称）{hint}")
    category = text_value(document.get("category")) or (defaults and defaults.category) or ""
    if category not in CATEGORIES:
        report.error(document.line_of("category"),
                     f"category 应为 {' | '.join(CATEGORIES)} 之一，而不是 {category or '空' + hint}")
    description = text_value(document.get("description")) or ""
    practice = document.get("practice", False)
    if not isinstance(practice, bool):
        report.error(document.line_of("practice"), f"practice 应为 true（开放练习）或 false，而不是 {practice!r}")
    return BankSpec(slug=slug, title=title, category=category, file=file, line=document.line, description=description,
                    practice=practice is True, locate=report.locate)


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
        report.error(item.line_of("type"), f"未知题型 {qtype!r}，应为 {_TYPE_CHOICES} 之一", qid)
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
    elif "options" in item and NAMES_A_LETTER.search(spec.explanation):
        report.warn(item.line_of("explanation"), "解析按字母指称选项（如“选B”“B项”），而考生看到的选项顺序是打乱的："
                    "请引用选项原文", spec.id)
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

    if "family" in item:
        family = text_value(item.get("family")) or ""
        if not family or len(family) > FAMILY_LENGTH or "\n" in family:
            report.error(item.line_of("family"), f"family 应是一行不超过 {FAMILY_LENGTH} 字的文字（题组名）", spec.id)
        spec.family = family


def validate_texts(files: list[tuple[str, str]]) -> tuple[list[BankSpec], list[Problem]]:
    """Validate several bank YAML files (name, text) together."""
    return validate_documents([yaml_document(text, name) for name, text in files])


def validate_documents(documents: list[BankDocument], defaults: BankDefaults | None = None,
                       partial: bool = False) -> tuple[list[BankSpec], list[Problem]]:
    """Validate several bank documents together: per-file rules, then slugs and stems across files. A file the
    database holds unchanged (`BankDocument.unchanged`) is not read again: only its slug still counts."""
    banks: list[BankSpec] = []
    problems: list[Problem] = []
    held = [BankSpec(document.unchanged, "", "", document.file) for document in documents if document.unchanged]
    for document in documents:
        if document.unchanged:
            continue
        bank, found = read_bank(document, defaults, partial)
        problems.extend(found)
        if bank is not None:
            banks.append(bank)
    problems.extend(_duplicate_slugs(held + banks))
    problems.extend(_duplicate_stems(banks))
    problems.extend(_same_facts(banks))
    failed = {p.file for p in problems if not p.warning}
    return [bank for bank in banks if bank.file not in failed], sorted(problems)


def _duplicate_slugs(banks: list[BankSpec]) -> list[Problem]:
    found, seen = [], {}
    for bank in banks:
        if bank.slug in seen:
            found.append(bank.problem(bank.line, f"题库标识 bank: {bank.slug} 与 {seen[bank.slug]} 重复"))
        else:
            seen[bank.slug] = bank.file
    return found


def _duplicate_stems(banks: list[BankSpec]) -> list[Problem]:
    found, seen = [], {}
    for bank in banks:
        for question in bank.questions:
            key = normalise(question.stem).lower()
            if key in seen:
                found.append(bank.problem(question.line, f"题干与 {seen[key]} 重复", question.id, warning=True))
            else:
                seen[key] = f"{bank.slug}/{question.id}"
    return found


def _same_facts(banks: list[BankSpec]) -> list[Problem]:
    """Questions that state one fact in two types: drawn onto one paper, one gives the other's key away. A paper's
    sections draw from several banks, so all banks are compared together; a family spans one bank, so it settles a
    pair of one bank, and a pair across banks is reworded."""
    questions = [(bank, q) for bank in banks for q in bank.questions]
    stated = [Stated(question_type(q.type).stated_fact(q.stem, q.options, q.answer), q.type,
                     f"{bank.slug}/{q.family}" if q.family else "") for bank, q in questions]
    found = []
    for one, later in same_facts(stated):
        (first_bank, first), (bank, second) = questions[one], questions[later]
        if first_bank is bank:
            message = (f"与 {first.id}（{TYPES[first.type]}）陈述同一事实，同在一卷会互相提示答案："
                       f"请给两题同一个 family，或改写其中一题")
        else:
            message = (f"与题库 {first_bank.slug} 的 {first.id}（{TYPES[first.type]}）陈述同一事实，同在一卷会互相提示"
                       f"答案：family 只在一个题库之内，请改写其中一题")
        found.append(bank.problem(second.line, message, second.id, warning=True, kind=SAME_FACT_KIND))
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
    if question.family:
        doc["family"] = question.family
    return doc


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, so exported stems stay readable in an editor."""


def _represent_text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


FIELD_LABELS = {
    "type": "题型", "stem": "题干", "options": "选项", "answer": "答案", "blank_order": "填空顺序",
    "reference_answer": "参考答案", "rubric": "评分要点", "parts": "小题", "explanation": "解析", "source": "出处",
    "difficulty": "难度", "tags": "标签", "prompts": "左项", "family": "题组",
}


@dataclass(frozen=True)
class FieldChange:
    """One content field that differs between two revisions, as words removed and added."""

    label: str
    segments: list[Segment]


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """What changed from one revision's content to the next, field by field, word by word."""
    keys = [*FIELD_LABELS, *sorted((old.keys() | new.keys()) - FIELD_LABELS.keys())]
    return [FieldChange(FIELD_LABELS.get(key, key), word_diff(field_text(old, key), field_text(new, key)))
            for key in keys if old.get(key) != new.get(key)]


def field_text(content: dict[str, Any], key: str) -> str:
    """A content field as an organiser reads it: options one per line, a key as its type describes it."""
    value = content.get(key)
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if key == "type":
        return question_type(value).label
    if key == "answer":
        return question_type(content["type"]).describe_answer(value)
    if key == "options":
        return "\n".join(f"{letter}. {text}" for letter, text in value.items())
    if key == "rubric":
        return "\n".join(f"{row['point']}（{row['score']} 分）" for row in value)
    if key == "tags":
        return "、".join(value)
    if key == "blank_order":
        return "顺序不限" if value == "any" else "按顺序"
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)     # a matching question's prompts, one per line
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
