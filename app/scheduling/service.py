"""Scheduling a session: its paper (drawn once for per_session blueprints), window and candidates."""
import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.attempts.service import add_event, is_due, locked_attempt
from app.contests.pages import organisation_keys
from app.contests.standings import round_standings
from app.database import begin_write
from app.domain.papers import blueprint_from_spec
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import (
    Attempt,
    AttemptStatus,
    Bank,
    ExamSession,
    Organisation,
    OrganisationType,
    PaperBlueprint,
    Role,
    Round,
    ScoreRelease,
    SessionCandidate,
    User,
    record,
)
from app.papers.service import Unfillable, draw_paper


class ScheduleError(AppError):
    status, code = 422, "invalid_schedule"


MAX_AWAY_ALERT = 100
# Candidates who finish early would hand the key to those still sitting the same questions (DESIGN §2).
EARLY_KEYS = ("正式考试的答案与解析只能在考试结束后公布：考生共用同一批题目，先交卷者看到的答案会传给仍在作答的人。"
              "请把成绩公布改为“考试结束后公布”（--review after_close），或不公布答案；"
              "练兵用的模拟考试请选“模拟考试”（--mock），交卷即可看答案。")


def schedule_session(*, blueprint_slug: str, title: str, opens_at: datetime, closes_at: datetime,
                     usernames: list[str], org_code: str | None, review: str, show_key: bool,
                     actor: User | None, channel: str = "web",
                     round_: Round | None = None, mock: bool = False, max_attempts: int = 1,
                     away_alert_after: int | None = None) -> ExamSession:
    """Create a session for the named candidates and/or a whole organisation; nothing is written on error.

    A session for a round feeds that round's written component; with no users or organisation named, it is for
    the round's entrants who sit it (not those entering the next round directly)."""
    begin_write()
    blueprint = db.session.scalar(select(PaperBlueprint).where(PaperBlueprint.slug == blueprint_slug))
    if blueprint is None:
        raise ScheduleError(f"没有试卷方案 {blueprint_slug!r}（先在“上传题库”页面上传，或用 flask bank import 导入）")
    if not title.strip():
        raise ScheduleError("请填写考试名称")
    if closes_at <= opens_at:
        raise ScheduleError("结束时间必须晚于开始时间")
    if review not in set(ScoreRelease):
        raise ScheduleError(f"成绩公布方式应为 {' | '.join(ScoreRelease)} 之一")
    if mock:
        _check_mock(blueprint, max_attempts, round_)
        review, show_key = ScoreRelease.IMMEDIATE, True
    elif review == ScoreRelease.IMMEDIATE and show_key:
        raise ScheduleError(EARLY_KEYS)
    if away_alert_after is not None and not 1 <= away_alert_after <= MAX_AWAY_ALERT:
        raise ScheduleError(f"切屏提醒次数应在 1 到 {MAX_AWAY_ALERT} 之间")
    if round_ is not None and not usernames and not org_code:
        usernames = _round_sitters(round_)
    candidates = _candidates(usernames, org_code)
    session = ExamSession(title=title.strip(), blueprint=blueprint, opens_at=opens_at, closes_at=closes_at,
                          review=review, show_key=show_key, created_by=actor, mock=mock, max_attempts=max_attempts,
                          round_id=round_.id if round_ is not None else None, away_alert_after=away_alert_after)
    if blueprint.spec["draw"] == "per_session":
        session.paper = _draw_once(blueprint)
    db.session.add(session)
    session.candidates = [SessionCandidate(user=user) for user in candidates]
    db.session.flush()
    record("exam.schedule", f"session:{session.id}", actor=actor, channel=channel, title=session.title,
           paper=blueprint_slug, opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(),
           candidates=len(candidates), review=review, show_key=show_key,
           round=round_.ref if round_ is not None else None, mock=mock, max_attempts=max_attempts,
           away_alert_after=away_alert_after)
    return session


def _check_mock(blueprint: PaperBlueprint, max_attempts: int, round_: Round | None) -> None:
    """A mock is practice: drawn afresh for each attempt from banks open to practice, reviewed at once, never part
    of a round."""
    if blueprint.spec["draw"] != "per_attempt":
        raise ScheduleError(f"模拟考试须用每次单独抽题的试卷（draw: per_attempt），{blueprint.slug} 是同场同题")
    named = blueprint_from_spec(blueprint.spec).banks()
    closed = sorted(named - set(db.session.scalars(select(Bank.slug).where(Bank.practice.is_(True)))))
    if closed:
        raise ScheduleError(f"模拟考试只能从开放练习的题库抽题：{', '.join(closed)} 未开放"
                            "（在题库文件中写 practice: true 并重新导入）")
    if not 1 <= max_attempts <= 100:
        raise ScheduleError("允许作答次数应在 1 到 100 之间")
    if round_ is not None:
        raise ScheduleError("模拟考试不计入比赛轮次")


def _round_sitters(round_: Round) -> list[str]:
    table = round_standings(round_).standings
    return [row.entrant.username for group in table.groups for row in group.ranked + group.incomplete]


def _draw_once(blueprint: PaperBlueprint):
    try:
        return draw_paper(blueprint, random.SystemRandom().randrange(2**31))
    except Unfillable as error:
        raise ScheduleError(error.message) from None


def _candidates(usernames: list[str], org_code: str | None) -> list[User]:
    chosen: dict[int, User] = {}
    if usernames:
        users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(usernames)))}
        unknown = [name for name in usernames if name not in users]
        if unknown:
            raise ScheduleError(f"没有这些账号：{', '.join(unknown)}")
        not_candidates = [name for name in usernames if users[name].role != Role.CANDIDATE]
        if not_candidates:
            raise ScheduleError(f"这些账号不是考生：{', '.join(not_candidates)}")
        chosen.update((u.id, u) for u in users.values())
    if org_code:
        chosen.update((u.id, u) for u in _organisation_candidates(org_code))
    if not chosen:
        raise ScheduleError("没有考生：请指定考生账号或组织")
    return sorted(chosen.values(), key=lambda user: user.username)


def organisation_choices() -> list[tuple[str, str]]:
    """(code, label) of every organisation in tree order — each liaison group followed by everything under it, as the
    contest files list them — indented by depth, with how many active candidates choosing it takes (its subtree, as
    _organisation_candidates takes them)."""
    organisations = {o.id: o for o in db.session.scalars(select(Organisation))}
    keys = organisation_keys()
    taken = dict.fromkeys(organisations, 0)
    for organisation_id, count in db.session.execute(
            select(User.organisation_id, func.count()).where(User.role == Role.CANDIDATE, User.active.is_(True),
                                                             User.organisation_id.is_not(None))
            .group_by(User.organisation_id)):
        for above in _and_ancestors(organisations[organisation_id]):
            taken[above.id] += count
    indent = "\u3000\u3000"
    return [(o.code, f"{indent * (len(keys[o.id]) - 1)}{o.name}（{OrganisationType(o.type).label} · {taken[o.id]} 人）")
            for o in sorted(organisations.values(), key=lambda o: (keys[o.id], o.code))]


def _and_ancestors(organisation: Organisation) -> list[Organisation]:
    found: list[Organisation] = []
    while organisation is not None and organisation not in found:
        found.append(organisation)
        organisation = organisation.parent
    return found


def _organisation_candidates(org_code: str) -> list[User]:
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == org_code))
    if organisation is None:
        raise ScheduleError(f"没有组织 {org_code!r}")
    codes, frontier = set(), [organisation]
    while frontier:
        current = frontier.pop()
        codes.add(current.id)
        frontier.extend(current.children)
    return list(db.session.scalars(select(User).where(User.organisation_id.in_(codes), User.role == Role.CANDIDATE,
                                                      User.active.is_(True))))


def extended_deadline(attempt: Attempt, minutes: int, now: datetime) -> datetime:
    """The deadline an extension gives: minutes added to the deadline, or to now if it has just passed."""
    return max(attempt.deadline, now) + timedelta(minutes=minutes)


def check_extendable(attempt: Attempt, now: datetime) -> None:
    if attempt.status != AttemptStatus.IN_PROGRESS or is_due(attempt, now):
        raise ScheduleError("答卷已经结束（已交卷或已到时收卷），不能延长时间")


def extend_attempt(attempt_id: int, minutes: int, actor: User, now: datetime, reason: str = "") -> Attempt:
    """Give one candidate more time (recorded): their deadline moves, the session's window does not. An attempt
    past its deadline and the grace is over (its session's keys may already be out), so it cannot be revived."""
    if not 1 <= minutes <= 240:
        raise ScheduleError("延长时间应在 1 到 240 分钟之间")
    attempt = locked_attempt(attempt_id)
    if attempt is None:
        raise NotFound("没有找到这份答卷。")
    check_extendable(attempt, now)
    old = attempt.deadline
    attempt.deadline = extended_deadline(attempt, minutes, now)
    add_event(attempt, "extend", now, actor.id, old_deadline=old.isoformat(), new_deadline=attempt.deadline.isoformat(),
           minutes=minutes, reason=reason)
    db.session.flush()
    return attempt
