"""What the contest pages show and change: who sees which round, organisation trees, candidate search, judge
assignments, score sheets uploaded on the web, and standings shaped for a page or a download."""
import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.contests.scores import ScoreRefused, check_component, check_open, import_score_rows, record_import
from app.contests.standings import RoundStandings, round_standings
from app.contests.tables import standings_rows
from app.contests.versions import latest_numbers
from app.database import begin_write
from app.domain.orders import Placed, pinyin_key, tree_keys
from app.domain.standings import ALL_GROUPS, GroupTable, Row
from app.domain.workbooks import sheet_rows
from app.errors import AppError
from app.extensions import db
from app.models import (
    AuditEvent,
    Contest,
    ContestCandidate,
    JudgeAssignment,
    Organisation,
    OrganisationType,
    Role,
    Round,
    RoundEntry,
    RoundStatus,
    User,
    record,
)

COMPONENT_LABELS = {"written": "笔试", "lecture": "党课"}
GROUP_BY_LABELS = {"committee": "按基层党委", "liaison_group": "按联系片组", "all": "全体一起"}
ALL_GROUPS_LABEL = "全部组"
VIA_LABELS = {"list": "名单", "advanced": "晋级", "direct": "直接晋级"}
EVENT_LABELS = {
    "round.published": "公布排名", "round.closed": "结束本轮", "scores.imported": "导入成绩",
    "round.judge_assigned": "分配评委", "round.judge_removed": "取消评委分配", "round.speaking_order": "出场顺序",
}


class PageRefused(AppError):
    """A change asked for on the organisers' round page that cannot be made: nothing is written."""

    status, code = 422, "contest_refused"


def component_label(name: str) -> str:
    return COMPONENT_LABELS.get(name, name)


def percent(weight: Decimal) -> str:
    """A component's weight as a percentage: 0.5 → '50', 0.125 → '12.5'."""
    text = f"{weight * 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def organisation_type_label(kind: str) -> str:
    return OrganisationType(kind).label


# -- who sees what --------------------------------------------------------------------------------------------

def may_see_draft(user: User) -> bool:
    """Organisers and judges see the live draft; everyone else only published versions."""
    return user.has_role(Role.ORGANISER, Role.JUDGE)


def may_view(round_: Round, user: User) -> bool:
    """Organisers and judges see every round; candidates only once a version of it is published (a round marked
    published before versions existed has none, so it is not yet published to them)."""
    return may_see_draft(user) or latest_numbers([round_]).get(round_.id) is not None


def visible_rounds(user: User) -> list[tuple[Contest, list[Round]]]:
    """The rounds this user may see, by contest, the newest contest first."""
    query = select(Round).join(Contest).options(selectinload(Round.contest)) \
        .order_by(Contest.created_at.desc(), Contest.id.desc(), Round.position)
    if not may_see_draft(user):
        query = query.where(Round.versions.any())
    contests: dict[int, tuple[Contest, list[Round]]] = {}
    for round_ in db.session.scalars(query):
        contests.setdefault(round_.contest_id, (round_.contest, []))[1].append(round_)
    return list(contests.values())


def find_contest(slug: str) -> Contest | None:
    return db.session.scalar(select(Contest).where(Contest.slug == slug))


def find_contest_round(slug: str, round_slug: str) -> Round | None:
    return db.session.scalar(select(Round).join(Contest).where(Contest.slug == slug, Round.slug == round_slug))


def locked_round(round_id: int) -> Round | None:
    """Open a write transaction holding the round, so two organisers or judges writing to it take turns."""
    begin_write()
    return db.session.scalar(select(Round).where(Round.id == round_id).with_for_update())


# -- contests and their organisations -------------------------------------------------------------------------

@dataclass
class ContestSummary:
    contest: Contest
    candidates: int


def contest_summaries() -> list[ContestSummary]:
    counts = dict(db.session.execute(
        select(ContestCandidate.contest_id, func.count()).group_by(ContestCandidate.contest_id)).all())
    contests = db.session.scalars(select(Contest).options(selectinload(Contest.rounds))
                                  .order_by(Contest.created_at.desc(), Contest.id.desc()))
    return [ContestSummary(contest, counts.get(contest.id, 0)) for contest in contests]


@dataclass
class OrgNode:
    organisation: Organisation
    names: list[str]                      # the candidates competing for this organisation itself, in pinyin order
    rounds: dict[int, int]                # round id → entrants from this organisation or any below it
    children: list["OrgNode"] = field(default_factory=list)

    @property
    def candidates(self) -> int:
        """Competing for this organisation or any below it."""
        return len(self.names) + sum(child.candidates for child in self.children)


def organisation_tree(contest: Contest) -> list[OrgNode]:
    """The contest's organisations as a tree (liaison groups → committees and direct branches → branches) in the
    contest file's order, each with its candidates' names and how many of its people are in each round."""
    names: dict[int, list[str]] = {}
    for organisation_id, name in db.session.execute(
            select(ContestCandidate.organisation_id, User.name).join(User, ContestCandidate.user_id == User.id)
            .where(ContestCandidate.contest_id == contest.id)):
        names.setdefault(organisation_id, []).append(name)
    in_rounds: dict[int, dict[int, int]] = {}
    for organisation_id, round_id, count in db.session.execute(
            select(ContestCandidate.organisation_id, RoundEntry.round_id, func.count())
            .join(RoundEntry, RoundEntry.user_id == ContestCandidate.user_id).join(Round)
            .where(ContestCandidate.contest_id == contest.id, Round.contest_id == contest.id)
            .group_by(ContestCandidate.organisation_id, RoundEntry.round_id)):
        in_rounds.setdefault(organisation_id, {})[round_id] = count
    members = {o.id: o for o in contest.organisations}
    children: dict[int | None, list[Organisation]] = {}
    for organisation in sorted(members.values(), key=lambda o: (o.position, o.code)):
        parent = organisation.parent_id if organisation.parent_id in members else None
        children.setdefault(parent, []).append(organisation)

    def node(organisation: Organisation, seen: frozenset[int]) -> OrgNode:
        below = [node(child, seen | {child.id}) for child in children.get(organisation.id, []) if child.id not in seen]
        rounds = dict(in_rounds.get(organisation.id, {}))
        for child in below:
            for round_id, count in child.rounds.items():
                rounds[round_id] = rounds.get(round_id, 0) + count
        return OrgNode(organisation, sorted(names.get(organisation.id, []), key=pinyin_key), rounds, below)

    return [node(root, frozenset({root.id})) for root in children.get(None, [])]


def organisation_keys(contest: Contest | None = None) -> dict[int, tuple[int, ...]]:
    """Each organisation's place in its tree, in the contest file's order (see tree_keys): the contest's, or all."""
    organisations = contest.organisations if contest else db.session.scalars(select(Organisation))
    return tree_keys(Placed(o.id, o.parent_id, o.position) for o in organisations)


def listing_key(order: int | None, organisation: Organisation | None, name: str,
                places: dict[int, tuple[int, ...]]) -> tuple:
    """Speakers with a number first, by number; then by organisation in the file's order, then by name in pinyin."""
    place = places.get(organisation.id, ()) if organisation else ()
    return order is None, order or 0, organisation is None, place, pinyin_key(name)


def candidate_query(contest: Contest, text: str):
    """The contest's candidates, filtered by username, name or organisation."""
    query = (select(ContestCandidate).join(User, ContestCandidate.user_id == User.id)
             .join(Organisation, ContestCandidate.organisation_id == Organisation.id)
             .where(ContestCandidate.contest_id == contest.id)
             .options(selectinload(ContestCandidate.user), selectinload(ContestCandidate.organisation)))
    if text:
        query = query.where(or_(User.username.contains(text, autoescape=True),
                                User.name.contains(text, autoescape=True),
                                Organisation.name.contains(text, autoescape=True), Organisation.code == text))
    return query.order_by(Organisation.position, Organisation.code, User.username)


def rounds_of(contest: Contest, user_ids: list[int]) -> dict[int, list[str]]:
    """For each candidate, the rounds they are in: '复赛（直接晋级）'."""
    titles = {r.id: r.title for r in contest.rounds}
    found: dict[int, list[str]] = {}
    entries = db.session.scalars(select(RoundEntry).join(Round).where(
        Round.contest_id == contest.id, RoundEntry.user_id.in_(user_ids)).order_by(Round.position))
    for entry in entries:
        note = "" if entry.via == "list" else f"（{VIA_LABELS[entry.via]}）"
        found.setdefault(entry.user_id, []).append(titles[entry.round_id] + note)
    return found


def entry_counts(contest: Contest) -> dict[int, int]:
    return dict(db.session.execute(
        select(RoundEntry.round_id, func.count()).join(Round).where(Round.contest_id == contest.id)
        .group_by(RoundEntry.round_id)).all())


def memberships(contest: Contest) -> dict[int, Organisation]:
    """Each candidate's organisation in this contest."""
    return {c.user_id: c.organisation for c in db.session.scalars(
        select(ContestCandidate).where(ContestCandidate.contest_id == contest.id)
        .options(selectinload(ContestCandidate.organisation)))}


# -- judges of a round ----------------------------------------------------------------------------------------

def round_groups(round_: Round) -> list[tuple[str, str]]:
    """(code, name) of the groups a judge can be given: every group at once, then each of the round's groups."""
    groups = [(ALL_GROUPS, ALL_GROUPS_LABEL)]
    if round_.group_by != "all":
        groups += [(o.code, o.name) for o in sorted(round_.contest.organisations, key=lambda o: (o.position, o.code))
                   if o.type == round_.group_by]
    return groups


def assignments(round_: Round) -> list[tuple[JudgeAssignment, str]]:
    """The round's judge assignments with each group's name."""
    names = dict(round_groups(round_))
    rows = db.session.scalars(select(JudgeAssignment).join(User, JudgeAssignment.judge_id == User.id)
                              .where(JudgeAssignment.round_id == round_.id)
                              .order_by(User.username, JudgeAssignment.group_code))
    return [(a, names.get(a.group_code, a.group_code)) for a in rows]


def judges() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.JUDGE, User.active.is_(True))
                                   .order_by(User.username)))


def _assignment_target(round_: Round, username: str, group_code: str) -> tuple[User, str]:
    if round_.status == RoundStatus.CLOSED:
        raise PageRefused(f"{round_.title}已结束，不能再分配评委")
    judge = db.session.scalar(select(User).where(User.username == username))
    if judge is None or judge.role != Role.JUDGE:
        raise PageRefused(f"没有评委账号 {username}（评委账号用 flask users add … --role judge 创建）")
    names = dict(round_groups(round_))
    if group_code not in names:
        raise PageRefused(f"{round_.title}没有组 {group_code}")
    return judge, names[group_code]


def assign_judge(round_: Round, username: str, group_code: str, actor: User) -> str:
    """Give a judge a group of the round (or every group); returns what was done, for the page."""
    judge, group_name = _assignment_target(round_, username, group_code)
    if db.session.get(JudgeAssignment, (round_.id, judge.id, group_code)) is not None:
        raise PageRefused(f"{judge.name}已经负责{group_name}")
    db.session.add(JudgeAssignment(round_id=round_.id, judge_id=judge.id, group_code=group_code))
    record("round.judge_assigned", round_.ref, actor=actor, channel="web", judge=judge.username, group=group_code)
    return f"已分配评委{judge.name}负责{group_name}。"


def unassign_judge(round_: Round, username: str, group_code: str, actor: User) -> str:
    """Take a group away from a judge; the scores they already entered stay and still count."""
    judge, group_name = _assignment_target(round_, username, group_code)
    assignment = db.session.get(JudgeAssignment, (round_.id, judge.id, group_code))
    if assignment is None:
        raise PageRefused(f"{judge.name}并未负责{group_name}")
    db.session.delete(assignment)
    record("round.judge_removed", round_.ref, actor=actor, channel="web", judge=judge.username, group=group_code)
    return f"已取消评委{judge.name}对{group_name}的评分分配；已录入的分数保留。"


# -- a score sheet uploaded on the web ------------------------------------------------------------------------

def upload_scores(round_: Round, component: str, filename: str, data: bytes, actor: User) -> tuple[int, list[str]]:
    """The same rules as `flask contest scores`, in the caller's transaction: (added, problems)."""
    try:
        check_component(round_, component)
        check_open(round_)
    except ScoreRefused as refused:   # said once for the whole sheet rather than on every line
        raise PageRefused(refused.message) from None
    if not data:
        raise PageRefused("请选择要上传的成绩表（CSV 或 Excel）")
    added, problems = import_score_rows(round_, component, sheet_rows_of(filename, data), filename, actor)
    if not problems:
        record_import(round_, component, added, actor, filename)
    return added, problems


def sheet_rows_of(filename: str, data: bytes) -> list[list[str]]:
    """A sheet's rows from an uploaded .xlsx or a UTF-8 CSV (with or without BOM); PageRefused when unreadable."""
    if filename.lower().endswith(".xlsx"):
        try:
            return sheet_rows(data)
        except ValueError as error:
            raise PageRefused(f"{filename}：{error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PageRefused(f"{filename} 不是 UTF-8 编码；请在 Excel 中另存为“CSV UTF-8”或直接上传 .xlsx") from None
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as error:   # a field past csv's limit: not a score sheet
        raise PageRefused(f"{filename} 不是可以读取的 CSV 文件（{error}）") from None


def score_sheet(round_: Round, component: str) -> tuple[list[str], list[list[Any]]]:
    """The score sheet to fill in for one component, the way uploads read it: the round's candidates who sit it.
    A judged component (the Party lecture) lists them in speaking order, 出场顺序 first, with a row per candidate and
    judge assigned to the group (or one with the judge left to fill in when none is); a written one, group by group
    with a running number."""
    check_component(round_, component)
    result = round_standings(round_)
    listed = [(group, row) for group in ordered_groups(result)
              for row in sorted(group.ranked + group.incomplete, key=lambda r: r.entrant.username)]
    if component not in {judged.name for judged in round_.rules.judged}:
        return ["序号", "组别", "姓名", "账号", "成绩"], [
            [number, group.name, row.entrant.name, row.entrant.username, ""]
            for number, (group, row) in enumerate(listed, start=1)]
    judges_of: dict[str, list[str]] = {}
    for assignment, _name in assignments(round_):
        judges_of.setdefault(assignment.group_code, []).append(assignment.judge.username)
    orders = dict(db.session.execute(select(RoundEntry.user_id, RoundEntry.speaking_order)
                                     .where(RoundEntry.round_id == round_.id)).all())
    organisations, places = memberships(round_.contest), organisation_keys(round_.contest)
    listed.sort(key=lambda item: listing_key(orders.get(item[1].entrant.user_id),
                                             organisations.get(item[1].entrant.user_id), item[1].entrant.name, places))
    rows = [[orders.get(row.entrant.user_id), group.name, row.entrant.name, row.entrant.username, judge, ""]
            for group, row in listed for judge in judges_of.get(result.group_codes.get(group.name, "")) or [""]]
    return ["出场顺序", "组别", "姓名", "账号", "评委账号", "成绩"], rows


# What `load_contest` says of each change (for the command line), as an organiser reads it on the page.
_CHANGE_WORDS = [
    (re.compile(r"^new organisation (.+)$"), r"新增组织 \1"),
    (re.compile(r"^organisation (.+) renamed or retyped$"), r"组织 \1 改名或改类型"),
    (re.compile(r"^organisation (.+) moved$"), r"组织 \1 改换上级"),
    (re.compile(r"^organisation (.+) reordered$"), r"组织 \1 调整顺序"),
    (re.compile(r"^contest title changed$"), "比赛名称改变"),
    (re.compile(r"^contest organisations changed$"), "参赛组织改变"),
    (re.compile(r"^candidate (.+) entered$"), r"考生 \1 报名参赛"),
    (re.compile(r"^candidate (.+) now competes for (.+)$"), r"考生 \1 改为代表 \2"),
    (re.compile(r"^new round (.+)$"), r"新增轮次 \1"),
    (re.compile(r"^round (.+) rules changed$"), r"轮次 \1 的规则改变"),
    (re.compile(r"^judge assignment removed in (.+)$"), r"轮次 \1 撤销评委分配"),
    (re.compile(r"^judge assigned in (.+)$"), r"轮次 \1 分配评委"),
    (re.compile(r"^(.+) entered (.+)$"), r"\1 进入轮次 \2"),
    (re.compile(r"^(.+) renamed$"), r"\1 改名"),
]


def change_words(change: str) -> str:
    return next((pattern.sub(words, change) for pattern, words in _CHANGE_WORDS if pattern.match(change)), change)


# -- standings shaped for pages and downloads -----------------------------------------------------------------

def ordered_groups(result: RoundStandings) -> list[GroupTable]:
    """Groups by organisation code (c01, c02 …), as the contest file lists them, rather than by name."""
    return sorted(result.standings.groups, key=lambda group: result.group_codes.get(group.name, ""))


@dataclass(frozen=True)
class MyPlace:
    """Where the candidate looking at the standings stands (我的名次): their group, their row, and how many share it."""

    group: GroupTable | None     # None: they go on to the next round directly
    row: Row

    @property
    def ranked_count(self) -> int:
        return len(self.group.ranked) if self.group else 0


def my_place(groups: list[GroupTable], result: RoundStandings, username: str) -> MyPlace | None:
    """The candidate's place in the standings shown, or None when they are not in this round."""
    for group in groups:
        for row in group.ranked + group.incomplete:
            if row.entrant.username == username:
                return MyPlace(group, row)
    direct = next((row for row in result.standings.direct if row.entrant.username == username), None)
    return MyPlace(None, direct) if direct else None


def mine_first(groups: list[GroupTable], place: MyPlace | None) -> list[GroupTable]:
    """A candidate's own group opens the page; the others follow in the file's order."""
    if place is None or place.group is None:
        return groups
    return [place.group, *(group for group in groups if group is not place.group)]


def tied_rows(result: RoundStandings) -> list[Row]:
    """Candidates tied across the advancement line, for the organisers to settle."""
    return [row for group in result.standings.groups for row in group.ranked if row.tied_at_cut]


def qualifiers(result: RoundStandings) -> list[Row]:
    return [row for group in result.standings.groups for row in group.ranked if row.advanced]


def component_counts(result: RoundStandings) -> dict[str, int]:
    """How many entrants (direct entries aside) have each component scored so far."""
    rows = [row for group in result.standings.groups for row in group.ranked + group.incomplete]
    return {name: sum(1 for row in rows if row.components.get(name)) for name in result.components}


OUTCOME_WORDS = {"yes": "是", "no": "否", "tie": "并列待定", "direct": "直接晋级", "incomplete": "成绩不全", "": ""}


def download_table(result: RoundStandings) -> tuple[list[str], list[list[Any]]]:
    """The standings as an organiser opens them in Excel: Chinese headers and words, 名次 first, ranks as integers
    and scores as decimals (so a spreadsheet sorts and sums them), the award and each special award (十佳党课) when
    the round gives them. `flask standings show --csv` keeps the English columns of `standings_rows` for scripts."""
    _header, rows = standings_rows(result)
    components = result.components
    awards = {row.entrant.username: row.award or "" for g in result.standings.groups for row in g.ranked}
    specials = {title: {row.entrant.username for row in winners}
                for title, winners in result.standings.specials.items()}
    header = ["名次", "组别", "姓名", "账号", *map(component_label, components), "总分", "晋级"]
    header += (["奖项"] if result.rules.awards else []) + list(specials)
    table = []
    for group, rank, username, name, *values in rows:
        *scores, total, advanced = values
        line = [_number(rank, int), group, name, username, *(_number(v, Decimal) for v in (*scores, total)),
                OUTCOME_WORDS[advanced]]
        line += [awards.get(username, "")] if result.rules.awards else []
        line += ["是" if username in members else "" for members in specials.values()]
        table.append(line)
    return header, table


def _number(cell: str, kind):
    return kind(cell) if cell else None


@dataclass
class EventLine:
    event: AuditEvent
    label: str
    summary: str


def round_events(round_: Round, limit: int = 30) -> list[EventLine]:
    """What was done to the round, newest first, each said in a line."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject == round_.ref)
                                .options(selectinload(AuditEvent.actor))
                                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    groups = dict(round_groups(round_))
    return [EventLine(e, _label(e.action, e.details), _summary(e.action, e.details, groups)) for e in events]


def _label(action: str, details: dict) -> str:
    if action == "round.published" and "version" in details:
        return f"公布第 {details['version']} 版" + ("（最终版）" if details.get("final") else "")
    return EVENT_LABELS.get(action, action)


def _summary(action: str, details: dict, groups: dict[str, str]) -> str:
    if action == "round.published" and details.get("version", 1) > 1:
        return f"· {details['moved']} 人名次变动"
    if action == "scores.imported":
        return f"{component_label(details['component'])}成绩 {details['added']} 条（{details['file']}）"
    if action in ("round.judge_assigned", "round.judge_removed"):
        return f"{details['judge']} · {groups.get(details['group'], details['group'])}"
    if action == "round.speaking_order":
        how = "随机抽签" if details.get("drawn") else "设定"
        after = f"（已有 {details['scored']} 条党课成绩）" if details.get("scored") else ""
        return f"{how} {len(details['order'])} 人{after}"
    if action == "round.closed":
        settled = f"；组织者决定晋级：{'、'.join(details['settled'])}" if details.get("settled") else ""
        return f"{len(details['qualifiers'])} 人进入下一轮{settled}" if details.get("next_round") else "最后一轮"
    return ""
