"""Scores in: one judge's lecture score, an organiser's written score, a CSV of either.

Every score is a new ScoreEntry; a correction points at the entry it replaces, so nothing is overwritten.
"""
import csv
import io
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.domain.standings import group_of
from app.errors import AppError
from app.extensions import db
from app.models import (
    ContestCandidate,
    JudgeAssignment,
    Role,
    Round,
    RoundEntry,
    RoundStatus,
    ScoreEntry,
    User,
    record,
    utcnow,
)


class ScoreRefused(AppError):
    """A score that may not be entered: not a score, a closed round, a candidate outside the judge's groups."""

    status, code = 422, "invalid_score"


def parse_score(text: str) -> int:
    """'87.5' → 8750 hundredths; refuses anything outside 0–100 or finer than hundredths."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ScoreRefused(f"分数 {text!r} 不是数字") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ScoreRefused(f"分数应在 0 到 100 之间，而不是 {text}")
    if value != value.quantize(Decimal("0.01")):
        raise ScoreRefused(f"分数最多两位小数：{text}")
    return int(value * 100)


def judge_groups(round_: Round, judge: User) -> set[str]:
    return set(db.session.scalars(select(JudgeAssignment.group_code).where(
        JudgeAssignment.round_id == round_.id, JudgeAssignment.judge_id == judge.id)))


def may_score(round_: Round, judge: User, candidate: User) -> bool:
    """A judge scores only the groups they are assigned to; organisers score anyone. A round with no
    assignments at all takes any judge's scores (an organiser importing a paper score sheet)."""
    if judge.role == Role.ORGANISER or not _has_assignments(round_):
        return True
    membership = db.session.get(ContestCandidate, (round_.contest_id, candidate.id))
    group = group_of(membership.organisation if membership else None, round_.group_by)
    return group.scored_by(judge_groups(round_, judge))


def _has_assignments(round_: Round) -> bool:
    return db.session.scalar(select(JudgeAssignment.judge_id).where(JudgeAssignment.round_id == round_.id).limit(1)) \
        is not None


def check_open(round_: Round) -> None:
    """Once a round is closed its scores stay as they are."""
    if round_.status == RoundStatus.CLOSED:
        raise ScoreRefused(f"{round_.title}已结束，成绩不能再修改")


def check_component(round_: Round, component: str) -> None:
    if component not in round_.rules.names:
        raise ScoreRefused(f"{round_.title}没有成绩项 {component}")


def enter_score(round_: Round, candidate: User, component: str, hundredths: int, *, judge: User | None,
                actor: User | None, channel: str) -> ScoreEntry | None:
    """Check a score (a CSV's, the command line's) and add it in the caller's transaction; None when unchanged."""
    _check(round_, candidate, component, judge)
    return add_score(round_, candidate, component, hundredths, judge=judge, actor=actor, channel=channel)


def add_score(round_: Round, candidate: User, component: str, hundredths: int, *, judge: User | None,
              actor: User | None, channel: str) -> ScoreEntry | None:
    """Add a score already checked, by enter_score or by the judge's sheet it was typed into; None when it equals
    the current one (nothing to record)."""
    judge_id = judge.id if judge else None
    current = db.session.scalar(
        select(ScoreEntry).where(ScoreEntry.round_id == round_.id, ScoreEntry.user_id == candidate.id,
                                 ScoreEntry.component == component, ScoreEntry.judge_id == judge_id)
        .order_by(ScoreEntry.entered_at.desc(), ScoreEntry.id.desc()).limit(1))
    if current is not None and current.hundredths == hundredths:
        return None
    entry = ScoreEntry(round_id=round_.id, user=candidate, component=component, judge=judge, hundredths=hundredths,
                       channel=channel, entered_by=actor, entered_at=utcnow(), replaces=current)
    db.session.add(entry)
    return entry


def _check(round_: Round, candidate: User, component: str, judge: User | None) -> None:
    check_open(round_)
    check_component(round_, component)
    if db.session.get(RoundEntry, (round_.id, candidate.id)) is None:
        raise ScoreRefused(f"{candidate.username} 不是{round_.title}的参赛者")
    if judge is not None and not may_score(round_, judge, candidate):
        raise ScoreRefused(f"评委 {judge.username} 没有被分配评{candidate.name}所在的组")


# A score sheet's columns by meaning: the documented English names, or the Chinese ones of the downloadable template
# and of sheets typed by hand. Other columns (序号, 组别, 姓名 …) are there for people and are not read.
SHEET_COLUMNS = {
    "username": ("username", "账号", "用户名", "考生账号"),
    "judge": ("judge", "评委", "评委账号"),
    "score": ("score", "成绩", "分数", "得分"),
}
_MEANING = {word: meaning for meaning, words in SHEET_COLUMNS.items() for word in words}


def import_scores_csv(round_: Round, component: str, text: str, file: str, actor: User | None) -> tuple[int, list[str]]:
    """A CSV score sheet (see `import_score_rows`); returns (scores added, problems). Caller commits or rolls back."""
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as error:   # a field past csv's limit (131072 characters): not a score sheet
        return 0, [f"{file}: 不是可以读取的 CSV 文件（{error}）"]
    return import_score_rows(round_, component, rows, file, actor)


def import_score_rows(round_: Round, component: str, rows: list[list[str]], file: str,
                      actor: User | None) -> tuple[int, list[str]]:
    """`username,score` or `username,judge,score` (or 账号、评委账号、成绩, in any order among other columns), one
    row per score, rows without a score skipped; returns (scores added, problems)."""
    header = [_MEANING.get(cell.strip(), "") for cell in rows[0]] if rows else []
    named = [meaning for meaning in header if meaning]
    if sorted(named) not in (["score", "username"], ["judge", "score", "username"]):
        return 0, [f"{file}:1: 表头应为 username,score 或 username,judge,score（也可写 账号、评委账号、成绩）"]
    users = {u.username: u for u in db.session.scalars(select(User))}
    added, problems, seen = 0, [], set()
    for line, row in enumerate(rows[1:], start=2):
        cells = [str(cell).strip() if cell is not None else "" for cell in row]
        # A row without a score is one not filled in yet: the downloaded sheet lists every candidate beforehand.
        if not any(cells[n] for n, meaning in enumerate(header) if meaning == "score" and n < len(cells)):
            continue
        try:
            added += _import_row(round_, component, header, cells, users, seen, actor)
        except ScoreRefused as refused:
            problems.append(f"{file}:{line}: {refused.message}")
    return added, problems


def _import_row(round_, component, header, row, users, seen, actor) -> int:
    if any(header[len(row):]) or any(row[len(header):]):    # a read column missing, or text past the header
        raise ScoreRefused(f"应有 {len(header)} 列，实有 {len(row)} 列")
    values = {meaning: cell for meaning, cell in zip(header, row, strict=False) if meaning}
    candidate = users.get(values["username"])
    if candidate is None:
        raise ScoreRefused(f"没有考生 {values['username']}")
    judge = users.get(values["judge"]) if "judge" in values else None
    if "judge" in values and (judge is None or judge.role not in (Role.JUDGE, Role.ORGANISER)):
        raise ScoreRefused(f"没有评委 {values['judge']}")
    key = (candidate.id, judge.id if judge else None)
    if key in seen:
        raise ScoreRefused(f"{values['username']} 的成绩在文件中重复")
    seen.add(key)
    entry = enter_score(round_, candidate, component, parse_score(values["score"]), judge=judge, actor=actor,
                        channel="csv")
    return 1 if entry else 0


def record_import(round_: Round, component: str, added: int, actor: User | None, file: str) -> None:
    record("scores.imported", round_.ref, actor=actor, channel="cli" if actor is None else "web",
           component=component, added=added, file=file)
