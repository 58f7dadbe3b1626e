"""Organiser pages for contests (比赛): organisations, candidates and rounds as loaded from the contest YAML, and
what is decided here — judges per group, score sheets uploaded, standings versions published, rounds closed.

Publishing and closing cannot be undone: the first POST shows the round page with a confirmation that says what
would happen and changes nothing; the dialog posts again with confirmed=1 and the fingerprint of the standings it
described, and only then, if they are still the same, does it happen."""
import io
import random

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import exports
from app.admin import bp
from app.admin.forms import ActionForm, CloseForm, JudgeForm, PublishForm, SheetForm, SpeakingOrderForm
from app.contests.pages import (
    GROUP_BY_LABELS,
    PageRefused,
    assign_judge,
    assignments,
    candidate_query,
    component_counts,
    component_label,
    contest_summaries,
    entry_counts,
    find_contest,
    find_contest_round,
    judges,
    locked_round,
    organisation_tree,
    organisation_type_label,
    percent,
    qualifiers,
    round_events,
    round_groups,
    rounds_of,
    score_sheet,
    tied_rows,
    unassign_judge,
    upload_scores,
)
from app.contests.rounds import (
    RoundRefused,
    close,
    close_plan,
    next_round,
    publish,
    publish_plan,
)
from app.contests.sheets import judged_components
from app.contests.speaking import drawn_order, lectures_scored, set_order, speakers, typed_order
from app.contests.versions import draft_of
from app.database import end_unit
from app.domain.inputs import int32
from app.extensions import db
from app.models import Role, Round, RoundStatus
from app.web import role_required, takes_upload

CANDIDATES_PER_PAGE = 50


@bp.context_processor
def _contest_helpers():
    return {"component_label": component_label, "GROUP_BY_LABELS": GROUP_BY_LABELS, "RoundStatus": RoundStatus,
            "organisation_type_label": organisation_type_label, "percent": percent,
            "judged_components": judged_components}


@bp.get("/contests")
@role_required(Role.ORGANISER)
def contests():
    return render_template("admin/contests.html", summaries=contest_summaries())


@bp.get("/contests/<slug>")
@role_required(Role.ORGANISER)
def contest(slug: str):
    found = find_contest(slug) or abort(404)
    text = request.args.get("q", "").strip()
    page = db.paginate(candidate_query(found, text), page=request.args.get("page", 1, type=int32),
                       per_page=CANDIDATES_PER_PAGE, error_out=False)
    return render_template("admin/contest.html", contest=found, tree=organisation_tree(found), page=page, q=text,
                           rounds_of=rounds_of(found, [c.user_id for c in page.items]),
                           entries=entry_counts(found))


def _round(slug: str, round_slug: str) -> Round:
    return find_contest_round(slug, round_slug) or abort(404)


@bp.get("/contests/<slug>/rounds/<round_slug>")
@role_required(Role.ORGANISER)
def contest_round(slug: str, round_slug: str):
    return _round_page(_round(slug, round_slug))


def _round_page(round_: Round, errors: list[str] | None = None, status: int = 200, **confirm):
    """The round page; `confirm` opens a confirmation: publishing=Draft, closing=ClosePlan, ordering=the speaking order
    typed or drawing=True, and changed=True when the standings moved after an earlier dialog described them; or
    typed=the speaking order as typed, shown again with why it was refused."""
    draft = draft_of(round_)
    result = draft.result
    return render_template(
        "admin/round.html", round=round_, contest=round_.contest, result=result, draft=draft, tied=tied_rows(result),
        going_on=qualifiers(result), following=next_round(round_), counts=component_counts(result),
        assignments=assignments(round_), judges=judges(), groups=round_groups(round_), events=round_events(round_),
        errors=errors or [], entrants=entry_counts(round_.contest).get(round_.id, 0),
        speakers=speakers(round_) if judged_components(round_) else [], scored=lectures_scored(round_),
        **{"publishing": None, "closing": None, "ordering": None, "drawing": False, "changed": False, "typed": {},
           **confirm}), status


def _refused(slug: str, round_slug: str, messages: list[str], **page):
    """Nothing was written: show the round again, as stored, with every reason (and what was typed, given `page`)."""
    end_unit(keep=False)
    return _round_page(_round(slug, round_slug), messages, 422, **page)


def _done(round_: Round, message: str, anchor: str):
    flash(message, "success")
    return redirect(url_for("admin.contest_round", slug=round_.contest.slug, round_slug=round_.slug, _anchor=anchor))


def _locked(slug: str, round_slug: str) -> Round:
    return locked_round(_round(slug, round_slug).id) or abort(404)


@bp.post("/contests/<slug>/rounds/<round_slug>/judges")
@role_required(Role.ORGANISER)
def assign(slug: str, round_slug: str):
    return _judge_change(slug, round_slug, assign_judge)


@bp.post("/contests/<slug>/rounds/<round_slug>/judges/remove")
@role_required(Role.ORGANISER)
def unassign(slug: str, round_slug: str):
    return _judge_change(slug, round_slug, unassign_judge)


def _judge_change(slug: str, round_slug: str, change):
    """Assign or remove a judge for a group (or all groups) of the round, from the form."""
    round_ = _locked(slug, round_slug)
    form = JudgeForm()
    try:
        message = change(round_, form.judge.data, form.group.data, current_user)
    except PageRefused as refused:
        return _refused(slug, round_slug, [refused.message])
    return _done(round_, message, "judges")


@bp.post("/contests/<slug>/rounds/<round_slug>/scores")
@takes_upload
@role_required(Role.ORGANISER)
def upload(slug: str, round_slug: str):
    """A score sheet, all or nothing: any bad line and nothing is imported, every problem listed."""
    form = SheetForm()
    sheet = form.file.data
    filename = sheet.filename if sheet else "scores.csv"
    data = sheet.read() if sheet else b""
    component = form.component.data
    round_ = _locked(slug, round_slug)
    try:
        added, problems = upload_scores(round_, component, filename, data, current_user)
    except PageRefused as refused:
        return _refused(slug, round_slug, [refused.message])
    if problems:
        return _refused(slug, round_slug, [f"{filename} 有问题，没有导入任何成绩：", *problems])
    return _done(round_, f"已从 {filename} 导入{component_label(component)}成绩 {added} 条。", "scores")


@bp.get("/contests/<slug>/rounds/<round_slug>/scores/<component>.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def score_sheet_download(slug: str, round_slug: str, component: str, fmt: str):
    """The sheet to fill in for one component: the round's candidates prefilled, Chinese headers that uploads read."""
    round_ = _round(slug, round_slug)
    if component not in round_.rules.names:
        abort(404)
    header, rows = score_sheet(round_, component)
    name = f"{round_.contest.slug}-{round_.slug}-{component_label(component)}成绩表.{fmt}"
    if fmt == "csv":
        data, mimetype = exports.to_csv(header, rows), exports.CSV_TYPE
    else:
        data, mimetype = exports.to_xlsx(header, rows, sheet=f"{component_label(component)}成绩"), exports.XLSX_TYPE
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


@bp.post("/contests/<slug>/rounds/<round_slug>/order")
@role_required(Role.ORGANISER)
def speaking_order(slug: str, round_slug: str):
    """出场顺序 as typed: checked whole (1..n, none repeated), and asked about first once lectures have been scored."""
    round_ = _locked(slug, round_slug)
    form = SpeakingOrderForm()
    try:
        orders = typed_order(round_, form.typed())
    except PageRefused as refused:
        return _refused(slug, round_slug, [refused.message], typed=dict(form.typed()))
    if lectures_scored(round_) and not form.is_confirmed():
        return _confirm(slug, round_slug, form, ordering=form.typed())
    changed = set_order(round_, orders, current_user, channel="web", drawn=False)
    return _done(round_, "已保存出场顺序。" if changed else "出场顺序没有变化。", "speaking")


@bp.post("/contests/<slug>/rounds/<round_slug>/order/draw")
@role_required(Role.ORGANISER)
def speaking_draw(slug: str, round_slug: str):
    """随机抽签, always asked about first: it replaces whatever order was set."""
    round_ = _locked(slug, round_slug)
    form = ActionForm()
    try:
        orders = drawn_order(round_, random.SystemRandom())
    except PageRefused as refused:
        return _refused(slug, round_slug, [refused.message])
    if not form.is_confirmed():
        return _confirm(slug, round_slug, form, drawing=True)
    set_order(round_, orders, current_user, channel="web", drawn=True)
    first = [s.user.name for s in speakers(round_)[:3]]
    return _done(round_, f"已随机抽签确定出场顺序：{'、'.join(first)}{'……' if len(orders) > 3 else ''}。", "speaking")


def _confirm(slug: str, round_slug: str, form: ActionForm, **confirm):
    """Nothing was written: show the round with the confirmation open."""
    end_unit(keep=False)
    changed = form.is_confirmed()
    return _round_page(_round(slug, round_slug), status=409 if changed else 200, changed=changed, **confirm)


@bp.post("/contests/<slug>/rounds/<round_slug>/publish")
@role_required(Role.ORGANISER)
def publish_round(slug: str, round_slug: str):
    round_ = _locked(slug, round_slug)
    form = PublishForm()
    try:
        draft = publish_plan(round_)
    except RoundRefused as refused:
        return _refused(slug, round_slug, [refused.message])
    if not form.confirmed_for(draft):
        return _confirm(slug, round_slug, form, publishing=draft)
    version = publish(round_, draft, current_user, channel="web")
    return _done(round_, f"已公布{round_.title}排名第 {version.number} 版，考生和大屏现在看到此版本。", "status")


@bp.post("/contests/<slug>/rounds/<round_slug>/close")
@role_required(Role.ORGANISER)
def close_round(slug: str, round_slug: str):
    round_ = _locked(slug, round_slug)
    form = CloseForm()
    try:
        plan = close_plan(round_, form.settled())
    except RoundRefused as refused:
        return _refused(slug, round_slug, [refused.message])
    if not form.confirmed_for(plan.draft):
        return _confirm(slug, round_slug, form, closing=plan)
    version = close(round_, plan, current_user, channel="web")
    going_on = len(plan.qualifiers) + len(plan.direct)
    where = f"，{going_on} 人进入{plan.following.title}" if plan.following else ""
    return _done(round_, f"{round_.title}已结束{where}；第 {version.number} 版为最终结果。", "status")
