"""The organisers' weekly practice report (练兵通报): participation per organisation over a chosen period, and each
person's, as a page with a chart and as CSV or XLSX with the same columns. Organisations come in the contest file's
tree order (each liaison group, then what is under it), people within one by name in pinyin order — the order of the
printed 通报."""
import io
from datetime import date, timedelta

from flask import current_app, render_template, request, send_file
from markupsafe import Markup
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app import exports
from app.admin import bp
from app.contests.pages import organisation_keys
from app.domain.orders import pinyin_key
from app.extensions import db
from app.models import Attempt, ExamSession, Organisation, PracticeAnswer, Role, User, utcnow
from app.practice.charts import Bar, bar_chart
from app.practice.progress import Participation, Tally, participation, period_bounds
from app.practice.service import local_day
from app.web import role_required

HEADER = ["组织", "上级组织", "人数", "参与练习人数", "参与率(%)", "答题数", "答对数", "正确率(%)", "模拟考试次数"]
PEOPLE_HEADER = ["组织", "姓名", "账号", "答题数", "答对数", "正确率(%)", "模拟考试次数"]
DEFAULT_DAYS = 7
UNASSIGNED = "未分配组织"
# Dates a report may cover: far wider than any practice, and far from where a local day overflows as UTC.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _period() -> tuple[date, date, str | None]:
    """The dates asked for, or the last seven days (Beijing time) with the reason when they cannot be read."""
    end = local_day(utcnow())
    default = (end - timedelta(days=DEFAULT_DAYS - 1), end)
    given = request.args.get("start"), request.args.get("end")
    if not any(given):
        return *default, None
    try:
        start, end = (date.fromisoformat(value) for value in given)
    except (TypeError, ValueError):
        return *default, "日期格式应为 YYYY-MM-DD，已改为显示最近 7 天。"
    if start > end:
        return *default, "开始日期晚于结束日期，已改为显示最近 7 天。"
    if not EARLIEST <= start <= end <= LATEST:
        return *default, f"日期应在 {EARLIEST} 到 {LATEST} 之间，已改为显示最近 7 天。"
    return start, end, None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _row(name: str, parent: str, members: int, practising: int, tally: Tally, mocks: int) -> list:
    return [name, parent, members, practising, _percent(practising, members), tally.answered, tally.right,
            _percent(tally.right, tally.answered), mocks]


def _organisation_order(keys: dict[int, tuple[int, ...]]):
    """A sort key: organisations in tree order, no organisation last."""
    def key(organisation: Organisation | None) -> tuple:
        return (False, keys.get(organisation.id, ()), organisation.code) if organisation else (True,)
    return key


def table(rows: list[Participation]) -> list[list]:
    """One line per organisation and a total (合计) line, in HEADER's columns."""
    order = _organisation_order(organisation_keys())
    rows = sorted(rows, key=lambda row: order(row.organisation))
    body = [_row(row.organisation.name if row.organisation else UNASSIGNED,
                 row.organisation.parent.name if row.organisation and row.organisation.parent else "",
                 row.members, len(row.practising), row.tally, row.mocks) for row in rows]
    total = Tally(sum(row.tally.right for row in rows), sum(row.tally.answered for row in rows))
    body.append(_row("合计", "", sum(row.members for row in rows), sum(len(row.practising) for row in rows), total,
                     sum(row.mocks for row in rows)))
    return body


def people(start: date, end: date) -> list[list]:
    """One line per candidate over the period, in PEOPLE_HEADER's columns: by organisation, then name in pinyin."""
    since, until = period_bounds(start, end)
    answered = {user_id: Tally(right, count) for user_id, count, right in db.session.execute(
        select(PracticeAnswer.user_id, func.count(), func.sum(case((PracticeAnswer.correct, 1), else_=0)))
        .where(PracticeAnswer.answered_at >= since, PracticeAnswer.answered_at < until)
        .group_by(PracticeAnswer.user_id))}
    mocks = dict(db.session.execute(
        select(Attempt.user_id, func.count()).join(ExamSession, Attempt.session_id == ExamSession.id)
        .where(ExamSession.mock.is_(True), Attempt.finished_at >= since, Attempt.finished_at < until)
        .group_by(Attempt.user_id)).all())
    order = _organisation_order(organisation_keys())
    candidates = sorted(db.session.scalars(select(User).where(User.role == Role.CANDIDATE)
                                           .options(selectinload(User.organisation))),
                        key=lambda user: (order(user.organisation), pinyin_key(user.name)))
    lines = []
    for user in candidates:
        tally = answered.get(user.id, Tally())
        lines.append([user.organisation.name if user.organisation else UNASSIGNED, user.name, user.username,
                      tally.answered, tally.right, _percent(tally.right, tally.answered), mocks.get(user.id, 0)])
    return lines


def charts(body: list[list]) -> tuple[Markup, Markup]:
    lines = body[:-1]
    share = bar_chart([Bar(line[0], line[4] or 0, f"{line[3]}/{line[2]} 人 {_shown(line[4])}") for line in lines],
                      title="各组织参与率", scale=100)
    answered = bar_chart([Bar(line[0], line[5], f"{line[5]} 题 {_shown(line[7], '正确率 ')}") for line in lines],
                         title="各组织答题数")
    return share, answered


def _shown(value: float | None, prefix: str = "") -> str:
    return f"{prefix}{value:g}%" if value is not None else ""


@bp.get("/reports/practice")
@role_required(Role.ORGANISER)
def practice_report():
    start, end, problem = _period()
    body = table(participation(start, end))
    today = local_day(utcnow())
    monday = today - timedelta(days=today.weekday())
    quick = {"最近 7 天": (today - timedelta(days=6), today), "本周": (monday, today),
             "上周": (monday - timedelta(days=7), monday - timedelta(days=1)),
             "最近 30 天": (today - timedelta(days=29), today)}
    return render_template("admin/report_practice.html", start=start, end=end, problem=problem, header=HEADER,
                           body=body, charts=charts(body), quick=quick, timezone=current_app.config["TIMEZONE"],
                           people_header=PEOPLE_HEADER, people=people(start, end))


@bp.get("/reports/practice.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def practice_report_download(fmt: str):
    start, end, _problem = _period()
    return _download(HEADER, table(participation(start, end)), fmt, f"练兵通报-{start.isoformat()}至{end.isoformat()}")


@bp.get("/reports/practice/people.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def practice_people_download(fmt: str):
    start, end, _problem = _period()
    return _download(PEOPLE_HEADER, people(start, end), fmt,
                     f"练兵通报-人员明细-{start.isoformat()}至{end.isoformat()}")


def _download(header: list[str], body: list[list], fmt: str, name: str):
    if fmt == "csv":
        data, mimetype = exports.to_csv(header, body), exports.CSV_TYPE
    else:
        data, mimetype = exports.to_xlsx(header, body, sheet="练兵通报"), exports.XLSX_TYPE
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, max_age=0,
                     download_name=f"{name}.{fmt}")
