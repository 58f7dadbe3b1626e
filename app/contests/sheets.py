"""Judges' score sheets: the rounds a judge scores, the candidates of their groups, and their own entries.

Judges score the components not fed by the written test (the Party lecture). Organisers may use any sheet;
what they enter counts as one more judge's score.
"""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.contests.pages import component_label, listing_key, memberships, organisation_keys
from app.contests.scores import ScoreRefused, add_score, check_open, judge_groups, parse_score
from app.domain.standings import ALL_GROUPS, group_of
from app.extensions import db
from app.models import (
    Contest,
    JudgeAssignment,
    Organisation,
    Role,
    Round,
    RoundEntry,
    ScoreEntry,
    User,
)


def points(hundredths: int) -> str:
    """8650 → '86.50': scores are shown as entered, to the hundredth."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def judged_components(round_: Round) -> list[str]:
    return [component.name for component in round_.rules.judged]


def scoring_rounds(user: User) -> list[Round]:
    """Rounds with judged components: those the judge is assigned to, or every one for an organiser."""
    query = select(Round).join(Contest).options(selectinload(Round.contest)) \
        .order_by(Contest.created_at.desc(), Contest.id.desc(), Round.position)
    if not user.has_role(Role.ORGANISER):
        query = query.where(Round.id.in_(select(JudgeAssignment.round_id).where(JudgeAssignment.judge_id == user.id)))
    return [round_ for round_ in db.session.scalars(query) if judged_components(round_)]


def scored_groups(round_: Round, user: User) -> set[str]:
    """The group codes this user scores in the round; '*' stands for all of them."""
    return {ALL_GROUPS} if user.has_role(Role.ORGANISER) else judge_groups(round_, user)


@dataclass
class SheetRow:
    candidate: User
    organisation: Organisation | None
    entries: list[ScoreEntry]            # this judge's entries for the candidate, oldest first
    order: int | None = None             # 出场顺序, once the organisers have set it

    @property
    def current(self) -> ScoreEntry | None:
        return self.entries[-1] if self.entries else None

    @property
    def earlier(self) -> list[ScoreEntry]:
        return self.entries[:-1]


@dataclass
class SheetGroup:
    code: str
    name: str
    rows: list[SheetRow]

    @property
    def scored(self) -> int:
        return sum(1 for row in self.rows if row.current)


def score_sheet(round_: Round, user: User, component: str, only: int | None = None) -> list[SheetGroup]:
    """The candidates this user scores, by group (in the contest file's order), each group in speaking order; direct
    entries are not ranked in the round, so not scored."""
    groups = scored_groups(round_, user)
    if not groups:
        return []
    organisations = memberships(round_.contest)
    places = organisation_keys(round_.contest)
    codes = {o.code: o.id for o in round_.contest.organisations}
    rules = round_.rules
    own = _own_entries(round_, user, component, only)
    query = select(User, RoundEntry.speaking_order).join(RoundEntry, RoundEntry.user_id == User.id) \
        .where(RoundEntry.round_id == round_.id)
    if only is not None:
        query = query.where(User.id == only)
    sheet: dict[str, SheetGroup] = {}
    for candidate, order in db.session.execute(query):
        organisation = organisations.get(candidate.id)
        group = group_of(organisation, round_.group_by)
        if rules.enters_directly(organisation) or not group.scored_by(groups):
            continue
        sheet.setdefault(group.code, SheetGroup(group.code, group.name, [])).rows.append(
            SheetRow(candidate, organisation, own.get(candidate.id, []), order))
    for found in sheet.values():
        found.rows.sort(key=lambda row: listing_key(row.order, row.organisation, row.candidate.name, places))
    return sorted(sheet.values(), key=lambda g: (places.get(codes.get(g.code), ()), g.code))


def _own_entries(round_: Round, user: User, component: str, only: int | None) -> dict[int, list[ScoreEntry]]:
    query = select(ScoreEntry).where(ScoreEntry.round_id == round_.id, ScoreEntry.component == component,
                                     ScoreEntry.judge_id == user.id)
    if only is not None:
        query = query.where(ScoreEntry.user_id == only)
    found: dict[int, list[ScoreEntry]] = {}
    for entry in db.session.scalars(query.order_by(ScoreEntry.entered_at, ScoreEntry.id)):
        found.setdefault(entry.user_id, []).append(entry)
    return found


def sheet_row(round_: Round, user: User, component: str, candidate_id: int) -> SheetRow | None:
    groups = score_sheet(round_, user, component, only=candidate_id)
    return groups[0].rows[0] if groups else None


def save_score(round_: Round, candidate_id: int, component: str, text: str, judge: User) -> ScoreEntry | None:
    """One judge's score for one candidate, in the caller's transaction; None when it is unchanged.

    ScoreRefused says why nothing was written: a closed round, a candidate outside the judge's groups, a value
    that is not a number from 0 to 100 with at most two decimals. The candidate's row on the judge's sheet is the
    check of entrant and group, so the score is added without enter_score checking them again.
    """
    check_open(round_)
    if component not in judged_components(round_):
        raise ScoreRefused(f"{round_.title}的{component_label(component)}成绩不由评委打分")
    row = sheet_row(round_, judge, component, candidate_id)
    if row is None:
        raise ScoreRefused("这位考生不在您负责评分的组中")
    if not (text or "").strip():
        raise ScoreRefused("请填写分数（0 到 100，最多两位小数）")
    return add_score(round_, row.candidate, component, parse_score(text), judge=judge, actor=judge, channel="web")
