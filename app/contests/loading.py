"""Loading a contest file: organisations, candidates (accounts made where missing), rounds, judges.

Loading the same file twice changes nothing; any problem and nothing is written.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from app.domain.contests import ContestSpec, RoundSpec
from app.domain.standings import ALL_GROUPS
from app.errors import AppError
from app.extensions import db
from app.models import (
    Contest,
    ContestCandidate,
    JudgeAssignment,
    Organisation,
    Role,
    Round,
    RoundEntry,
    RoundStatus,
    User,
    record,
)
from app.users.service import generate_password, hash_passwords


class ContestRejected(AppError):
    """A contest file that validated alone but not against the database; carries every problem."""

    status, code = 422, "invalid_contest"

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class LoadSummary:
    contest_created: bool = False
    changes: list[str] = field(default_factory=list)
    new_accounts: list[tuple[str, str]] = field(default_factory=list)   # (username, initial password)

    @property
    def changed(self) -> bool:
        return self.contest_created or bool(self.changes) or bool(self.new_accounts)


def load_contest(spec: ContestSpec, source_file: str, *, actor: User | None = None,
                 channel: str = "cli") -> LoadSummary:
    """Create or update the contest in the caller's transaction; ContestRejected if the database disagrees."""
    summary = LoadSummary()
    _check_accounts(spec)
    organisations = _organisations(spec, summary)
    contest = _contest(spec, source_file, organisations, summary)
    members = _candidates(spec, contest, organisations, summary)
    _hash_new_passwords(members, summary)
    for position, round_spec in enumerate(spec.rounds):
        _round(contest, round_spec, position, members if position == 0 else {}, summary)
    db.session.flush()
    if summary.changed:
        record("contest.load", spec.slug, actor=actor, channel=channel, changes=summary.changes,
               accounts_created=[username for username, _ in summary.new_accounts])
    return summary


def _check_accounts(spec: ContestSpec) -> None:
    usernames = [c.username for c in spec.candidates] + [j.username for r in spec.rounds for j in r.judges]
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(usernames)))}
    problems = [f"{spec.slug}: 账号 {c.username} 已存在，但不是考生（{users[c.username].role}）"
                for c in spec.candidates if c.username in users and users[c.username].role != Role.CANDIDATE]
    for round_spec in spec.rounds:
        for judge in round_spec.judges:
            user = users.get(judge.username)
            if user is None or user.role not in (Role.JUDGE, Role.ORGANISER):
                problems.append(f"{round_spec.slug}: 评委 {judge.username} 没有评委账号（先用 flask users add 创建）")
    if problems:
        raise ContestRejected(problems)


def _organisations(spec: ContestSpec, summary: LoadSummary) -> dict[str, Organisation]:
    existing = {o.code: o for o in db.session.scalars(
        select(Organisation).where(Organisation.code.in_([o.code for o in spec.organisations])))}
    for position, org in enumerate(spec.organisations):
        current = existing.get(org.code)
        if current is None:
            current = existing[org.code] = Organisation(code=org.code, name=org.name, type=org.type,
                                                        position=position)
            db.session.add(current)
            summary.changes.append(f"new organisation {org.code}")
            continue
        if (current.name, current.type) != (org.name, org.type):
            current.name, current.type = org.name, org.type
            summary.changes.append(f"organisation {org.code} renamed or retyped")
        if current.position != position:
            current.position = position
            summary.changes.append(f"organisation {org.code} reordered")
    for org in spec.organisations:
        parent = existing.get(org.parent) if org.parent else None
        if existing[org.code].parent is not parent:
            existing[org.code].parent = parent
            summary.changes.append(f"organisation {org.code} moved")
    return existing


def _contest(spec: ContestSpec, source_file: str, organisations: dict[str, Organisation],
             summary: LoadSummary) -> Contest:
    contest = db.session.scalar(select(Contest).where(Contest.slug == spec.slug))
    if contest is None:
        contest = Contest(slug=spec.slug, title=spec.title, demo=spec.demo, source_file=source_file)
        db.session.add(contest)
        summary.contest_created = True
    elif (contest.title, contest.demo) != (spec.title, spec.demo):
        contest.title, contest.demo = spec.title, spec.demo
        summary.changes.append("contest title changed")
    wanted = [organisations[o.code] for o in spec.organisations]
    if {o.code for o in contest.organisations} != {o.code for o in wanted}:
        contest.organisations = wanted
        summary.changes.append("contest organisations changed")
    return contest


def _candidates(spec: ContestSpec, contest: Contest, organisations: dict[str, Organisation],
                summary: LoadSummary) -> dict[str, User]:
    users = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_([c.username for c in spec.candidates])))}
    entries = {entry.user_id: entry for entry in contest.candidates}
    members = {}
    for candidate in spec.candidates:
        organisation = organisations[candidate.org]
        user = users.get(candidate.username) or _new_account(candidate.username, candidate.name, organisation, summary)
        if user.name != candidate.name:
            user.name = candidate.name
            summary.changes.append(f"{candidate.username} renamed")
        if user.organisation is not organisation:
            user.organisation = organisation
        entry = entries.get(user.id) if user.id else None
        if entry is None:
            contest.candidates.append(ContestCandidate(user=user, organisation=organisation))
            summary.changes.append(f"candidate {candidate.username} entered")
        elif entry.organisation_id != organisation.id:
            entry.organisation = organisation
            summary.changes.append(f"candidate {candidate.username} now competes for {candidate.org}")
        members[candidate.username] = user
    return members


def _new_account(username: str, name: str, organisation: Organisation, summary: LoadSummary) -> User:
    user = User(username=username, name=name, role=Role.CANDIDATE, organisation=organisation,
                must_change_password=True, password_hash="")
    db.session.add(user)
    summary.new_accounts.append((username, generate_password()))
    return user


def _hash_new_passwords(members: dict[str, User], summary: LoadSummary) -> None:
    """All new accounts' hashes in one batch: a few hundred password hashes one by one would take a minute."""
    hashes = hash_passwords([password for _, password in summary.new_accounts])
    for (username, _), password_hash in zip(summary.new_accounts, hashes, strict=True):
        members[username].password_hash = password_hash


def _round(contest: Contest, spec: RoundSpec, position: int, entrants: dict[str, User], summary: LoadSummary) -> None:
    current = next((r for r in contest.rounds if r.slug == spec.slug), None)
    document = spec.rules.document()
    wanted = (spec.title, position, spec.group_by, document)
    if current is None:
        current = Round(contest=contest, slug=spec.slug, title=spec.title, position=position, group_by=spec.group_by,
                        rules_document=document, status=RoundStatus.DRAFT)
        db.session.add(current)
        summary.changes.append(f"new round {spec.slug}")
    elif (current.title, current.position, current.group_by, current.rules_document) != wanted:
        if current.status == RoundStatus.CLOSED:
            raise ContestRejected([f"{spec.slug}: 轮次已结束，不能再修改其规则"])
        current.title, current.position, current.group_by, current.rules_document = wanted
        summary.changes.append(f"round {spec.slug} rules changed")
    _entries(current, entrants, summary)
    _judges(current, spec, summary)


def _entries(round_: Round, entrants: dict[str, User], summary: LoadSummary) -> None:
    entered = {entry.user_id for entry in round_.entries}
    for username, user in entrants.items():
        if user.id is None or user.id not in entered:
            round_.entries.append(RoundEntry(user=user, via="list"))
            summary.changes.append(f"{username} entered {round_.slug}")


def _judges(round_: Round, spec: RoundSpec, summary: LoadSummary) -> None:
    """Judges named in the file replace the round's assignments; a round whose file names none keeps
    the assignments organisers made on the web."""
    if not spec.judges:
        return
    judges = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_([j.username for j in spec.judges])))}
    wanted = {(judges[j.username].id, group) for j in spec.judges for group in (j.groups or (ALL_GROUPS,))}
    existing = {(a.judge_id, a.group_code): a for a in db.session.scalars(
        select(JudgeAssignment).where(JudgeAssignment.round_id == round_.id))} if round_.id else {}
    for key, assignment in existing.items():
        if key not in wanted:
            db.session.delete(assignment)
            summary.changes.append(f"judge assignment removed in {round_.slug}")
    for judge_id, group in wanted - set(existing):
        db.session.add(JudgeAssignment(round=round_, judge_id=judge_id, group_code=group))
        summary.changes.append(f"judge assigned in {round_.slug}")
