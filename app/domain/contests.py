"""Contest YAML (DESIGN §3.5): organisations, candidates (a CSV beside it) and rounds, validated with lines.

A file with any error yields no spec: loading is all or nothing.
"""
import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.domain import yamlmarks
from app.domain.inputs import BAD_TEXT, text_ok
from app.domain.problems import Problem, Report, text_value
from app.domain.standings import Award, Component, RoundRules, Special

ORGANISATION_TYPES = ("liaison_group", "committee", "direct_branch", "branch")
GROUP_BY = ("committee", "liaison_group", "all")
CONTEST_KEYS = {"contest", "title", "demo", "organisations", "candidates", "rounds"}
ORGANISATION_KEYS = {"id", "name", "type", "parent"}
ROUND_KEYS = {"id", "title", "group_by", "components", "tie_break", "advance", "skip", "awards", "special_awards",
              "judges"}
JUDGE_KEYS = {"username", "groups"}
COMPONENT_KEYS = {"name", "weight", "trim"}
CANDIDATE_COLUMNS = ["username", "name", "org"]


@dataclass(frozen=True)
class OrganisationSpec:
    code: str
    name: str
    type: str
    parent: str | None
    line: int


@dataclass(frozen=True)
class CandidateSpec:
    username: str
    name: str
    org: str
    line: int


@dataclass(frozen=True)
class JudgeSpec:
    """A judge of a round and the groups (organisation ids) they score; no groups means every group."""

    username: str
    groups: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class RoundSpec:
    slug: str
    title: str
    group_by: str
    rules: RoundRules
    line: int
    judges: tuple[JudgeSpec, ...] = ()

    @property
    def skip(self) -> tuple[str, ...]:
        return self.rules.skip


@dataclass
class ContestSpec:
    slug: str
    title: str
    demo: bool
    organisations: list[OrganisationSpec] = field(default_factory=list)
    candidates: list[CandidateSpec] = field(default_factory=list)
    rounds: list[RoundSpec] = field(default_factory=list)


def parse_contest(text: str, file: str, read_file) -> tuple[ContestSpec | None, list[Problem]]:
    """Parse a contest file; `read_file(relative_path)` gives the text of its candidates CSV."""
    report = Report(file)
    document = report.load_mapping(text, "比赛文件应是一个映射，包含 contest、title、organisations、candidates、rounds")
    if document is None:
        return None, report.problems
    report.repeated_keys(document)
    report.unknown_keys(document, CONTEST_KEYS)
    spec = ContestSpec(slug=text_value(document.get("contest")) or "", title=text_value(document.get("title")) or "",
                       demo=document.get("demo") is True)
    if not spec.slug:
        report.error(document.line_of("contest"), "缺少 contest（比赛标识）")
    if not spec.title:
        report.error(document.line_of("title"), "缺少 title（比赛名称）")
    spec.organisations = _organisations(document, report)
    spec.candidates, csv_problems = _candidates(document, report, read_file, {o.code for o in spec.organisations})
    spec.rounds = _rounds(document, report, {o.type for o in spec.organisations}, {o.code for o in spec.organisations})
    problems = report.problems + csv_problems
    return (None if any(not p.warning for p in problems) else spec), sorted(problems)


def _organisations(document: yamlmarks.MarkedMap, report: Report) -> list[OrganisationSpec]:
    items = document.get("organisations")
    if not isinstance(items, yamlmarks.MarkedList) or not items:
        report.error(document.line_of("organisations"), "缺少 organisations（组织列表）")
        return []
    found: dict[str, OrganisationSpec] = {}
    for index, item in enumerate(items):
        line = items.line_of(index)
        if not isinstance(item, yamlmarks.MarkedMap):
            report.error(line, "组织应写成 {id: …, name: …, type: …, parent: …}")
            continue
        report.unknown_keys(item, ORGANISATION_KEYS, where="组织中")
        code, name, kind = (text_value(item.get(key)) or "" for key in ("id", "name", "type"))
        parent = text_value(item.get("parent"))
        if not code or not name:
            report.error(line, "组织缺少 id 或 name")
            continue
        if kind not in ORGANISATION_TYPES:
            report.error(line, f"组织 {code} 的 type 应为 {' | '.join(ORGANISATION_TYPES)} 之一，而不是 {kind!r}")
        if code in found:
            report.error(line, f"组织 id {code} 重复（第 {found[code].line} 行已有）")
            continue
        found[code] = OrganisationSpec(code, name, kind, parent, line)
    for organisation in found.values():
        if organisation.parent and organisation.parent not in found:
            report.error(organisation.line,
                         f"组织 {organisation.code} 的上级 {organisation.parent} 不在 organisations 中")
    return list(found.values())


def _candidates(document: yamlmarks.MarkedMap, report: Report, read_file,
                known_orgs: set[str]) -> tuple[list[CandidateSpec], list[Problem]]:
    name = text_value(document.get("candidates"))
    if not name:
        report.error(document.line_of("candidates"), "缺少 candidates（考生名单 CSV 文件，相对于本文件）")
        return [], []
    try:
        text = read_file(name)
    except (FileNotFoundError, UnicodeDecodeError) as error:
        reason = "不存在" if isinstance(error, FileNotFoundError) else "不是 UTF-8 编码"
        report.error(document.line_of("candidates"), f"考生名单 {name} {reason}")
        return [], []
    if len(text) > yamlmarks.MAX_CHARS:
        report.error(document.line_of("candidates"), f"考生名单 {name} 过大：超过 {yamlmarks.MAX_CHARS} 个字符")
        return [], []
    return parse_candidates_csv(text, name, known_orgs)


def parse_candidates_csv(text: str, file: str, known_orgs: set[str]) -> tuple[list[CandidateSpec], list[Problem]]:
    """`username,name,org` with a header; a candidate listed twice or an unknown org names its line."""
    report = Report(file)
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as error:   # a field past csv's limit (131072 characters)
        report.error(1, f"无法读取 CSV：{error}")
        return [], report.problems
    if not rows or [c.strip() for c in rows[0]] != CANDIDATE_COLUMNS:
        report.error(1, f"表头应为 {','.join(CANDIDATE_COLUMNS)}")
        return [], report.problems
    candidates: dict[str, CandidateSpec] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            report.error(line, f"应有 3 列，实有 {len(row)} 列")
            continue
        username, name, org = (cell.strip() for cell in row)
        if not all(text_ok(cell) for cell in row):
            report.error(line, f"本行{BAD_TEXT}")
        elif not username or not name:
            report.error(line, "用户名和姓名不能为空")
        elif username in candidates:
            report.error(line, f"考生 {username} 重复列出（第 {candidates[username].line} 行已有）")
        elif org not in known_orgs:
            report.error(line, f"未知组织 {org!r}（应在比赛文件的 organisations 中）")
        else:
            candidates[username] = CandidateSpec(username, name, org, line)
    return list(candidates.values()), report.problems


def _rounds(document: yamlmarks.MarkedMap, report: Report, org_types: set[str], org_codes: set[str]) -> list[RoundSpec]:
    items = document.get("rounds")
    if not isinstance(items, yamlmarks.MarkedList) or not items:
        report.error(document.line_of("rounds"), "缺少 rounds（赛程列表）")
        return []
    rounds: list[RoundSpec] = []
    for index, item in enumerate(items):
        if not isinstance(item, yamlmarks.MarkedMap):
            report.error(items.line_of(index), "每一轮应是一个映射（id、title、group_by、components…）")
            continue
        parsed = _round(item, report, org_types, org_codes)
        if parsed and any(r.slug == parsed.slug for r in rounds):
            report.error(item.line, f"轮次 id {parsed.slug} 重复")
        elif parsed:
            rounds.append(parsed)
    return rounds


def _round(item: yamlmarks.MarkedMap, report: Report, org_types: set[str], org_codes: set[str]) -> RoundSpec | None:
    report.repeated_keys(item)
    report.unknown_keys(item, ROUND_KEYS, where="轮次中")
    slug, title = text_value(item.get("id")) or "", text_value(item.get("title")) or ""
    if not slug or not title:
        report.error(item.line, "轮次缺少 id 或 title")
        return None
    group_by = item.get("group_by", "all")
    if group_by not in GROUP_BY:
        report.error(item.line_of("group_by"),
                     f"{slug}: group_by 应为 {' | '.join(GROUP_BY)} 之一，而不是 {group_by!r}")
    elif group_by != "all" and group_by not in org_types:
        report.error(item.line_of("group_by"), f"{slug}: 按 {group_by} 分组，但 organisations 中没有这种类型的组织")
    components = _components(item, slug, report)
    names = {c.name for c in components}
    tie_break = _names(item, "tie_break", slug, report)
    for name in tie_break:
        if name not in names:
            report.error(item.line_of("tie_break"), f"{slug}: tie_break 中的 {name} 不是本轮的成绩项")
    skip = _names(item, "skip", slug, report)
    for kind in skip:
        if kind not in ORGANISATION_TYPES:
            report.error(item.line_of("skip"), f"{slug}: skip 中的 {kind} 不是组织类型")
    rules = RoundRules(components=tuple(components), tie_break=tuple(tie_break),
                       advance_top=_advance(item, slug, report), awards=tuple(_awards(item, slug, report)),
                       specials=tuple(_specials(item, slug, names, report)), skip=tuple(skip))
    judges = tuple(_judges(item, slug, org_codes, report))
    return RoundSpec(slug, title, str(group_by), rules, item.line, judges)


def _judges(item: yamlmarks.MarkedMap, slug: str, org_codes: set[str], report: Report) -> list[JudgeSpec]:
    entries = item.get("judges", [])
    if not isinstance(entries, list):
        report.error(item.line_of("judges"), f"{slug}: judges 应是列表，如 [{{username: judge1, groups: [g1]}}]")
        return []
    judges = []
    for index, entry in enumerate(entries):
        line = entries.line_of(index) if isinstance(entries, yamlmarks.MarkedList) else item.line
        if not isinstance(entry, yamlmarks.MarkedMap) or not text_value(entry.get("username")):
            report.error(line, f"{slug}: 评委应写成 {{username: …, groups: [组织 id, …]}}")
            continue
        report.unknown_keys(entry, JUDGE_KEYS, where=f"{slug} 的评委中")
        groups = entry.get("groups", [])
        if not isinstance(groups, list) or any(text_value(g) not in org_codes for g in groups):
            report.error(line, f"{slug}: 评委 {entry.get('username')} 的 groups 应是 organisations 中的 id")
            continue
        judges.append(JudgeSpec(text_value(entry["username"]), tuple(text_value(g) for g in groups), line))
    return judges


def _components(item: yamlmarks.MarkedMap, slug: str, report: Report) -> list[Component]:
    raw = item.get("components")
    line = item.line_of("components")
    if not isinstance(raw, list) or not raw:
        report.error(line, f"{slug}: 缺少 components（成绩项及权重）")
        return []
    components = []
    for entry in raw:
        if not isinstance(entry, dict) or not text_value(entry.get("name")):
            report.error(line, f"{slug}: 成绩项应写成 {{name: …, weight: …}}")
            continue
        if isinstance(entry, yamlmarks.MarkedMap):
            report.unknown_keys(entry, COMPONENT_KEYS, where=f"{slug} 的成绩项中")
        weight, trim = _decimal(entry.get("weight")), entry.get("trim", 1)
        if weight is None or not Decimal(0) < weight <= Decimal(1):
            report.error(line, f"{slug}: {entry.get('name')} 的 weight 应为 0 到 1 之间的数")
            continue
        if isinstance(trim, bool) or not isinstance(trim, int) or trim < 0:
            report.error(line, f"{slug}: {entry.get('name')} 的 trim 应为非负整数")
            continue
        components.append(Component(text_value(entry["name"]), weight, trim))
    if components and sum(c.weight for c in components) != Decimal(1):
        total = sum(c.weight for c in components)
        report.error(line, f"{slug}: 各成绩项权重之和应为 1，现为 {total.normalize()}")
    if len({c.name for c in components}) != len(components):
        report.error(line, f"{slug}: 成绩项名称重复")
    return components


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _names(item: yamlmarks.MarkedMap, key: str, slug: str, report: Report) -> list[str]:
    value = item.get(key, [])
    if not isinstance(value, list) or any(not text_value(v) for v in value):
        report.error(item.line_of(key), f"{slug}: {key} 应是名称列表")
        return []
    return [text_value(v) for v in value]


def _advance(item: yamlmarks.MarkedMap, slug: str, report: Report) -> int | None:
    advance = item.get("advance")
    if advance is None:
        return None
    top = advance.get("top") if isinstance(advance, dict) else None
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        report.error(item.line_of("advance"), f"{slug}: advance 应写成 {{top: 正整数}}")
        return None
    return top


def _awards(item: yamlmarks.MarkedMap, slug: str, report: Report) -> list[Award]:
    awards = []
    for entry in item.get("awards", []) or []:
        top = entry.get("top") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not text_value(entry.get("title")) or isinstance(top, bool) \
                or not isinstance(top, int) or top < 1:
            report.error(item.line_of("awards"), f"{slug}: 奖项应写成 {{title: …, top: 正整数}}")
            continue
        awards.append(Award(text_value(entry["title"]), top))
    return awards


def _specials(item: yamlmarks.MarkedMap, slug: str, names: set[str], report: Report) -> list[Special]:
    specials = []
    for entry in item.get("special_awards", []) or []:
        top = entry.get("top") if isinstance(entry, dict) else None
        component = text_value(entry.get("component")) if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not text_value(entry.get("title")) or component not in names \
                or isinstance(top, bool) or not isinstance(top, int) or top < 1:
            report.error(item.line_of("special_awards"),
                         f"{slug}: 单项奖应写成 {{title: 十佳党课, component: 本轮成绩项, top: 10}}")
            continue
        specials.append(Special(text_value(entry["title"]), component, top))
    return specials


def reader_beside(path: Path):
    """A `read_file` for parse_contest: files named relative to the contest file's folder."""
    return lambda name: (path.parent / name).read_text(encoding="utf-8-sig")
