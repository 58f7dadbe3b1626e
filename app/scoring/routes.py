"""The judge's pages: the rounds to score, then one row per candidate that saves on its own.

A save is a plain form POST (the page reloads at that row); the page's script sends the same POST and swaps in
the row it gets back, so nothing else on the page moves.
"""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.contests.pages import component_label, locked_round
from app.contests.scores import ScoreRefused
from app.contests.sheets import (
    judged_components,
    points,
    save_score,
    score_sheet,
    scored_groups,
    scoring_rounds,
    sheet_row,
)
from app.database import end_unit
from app.domain.standings import ALL_GROUPS
from app.extensions import db
from app.models import Role, Round, RoundStatus
from app.scoring import bp
from app.scoring.forms import ScoreForm
from app.web import role_required

SCORERS = (Role.JUDGE, Role.ORGANISER)


@bp.context_processor
def _helpers():
    return {"component_label": component_label, "points": points, "RoundStatus": RoundStatus}


def _from_script() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.get("/")
@role_required(*SCORERS)
def index():
    sheets = []
    for round_ in scoring_rounds(current_user):
        component = judged_components(round_)[0]
        everyone = ALL_GROUPS in scored_groups(round_, current_user)
        sheets.append((round_, component, everyone, score_sheet(round_, current_user, component)))
    return render_template("scoring/index.html", sheets=sheets)


def _round_for(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id) or abort(404)
    if not judged_components(round_):
        abort(404)
    if not scored_groups(round_, current_user):
        abort(403)
    return round_


def _component(round_: Round, name: str | None) -> str:
    components = judged_components(round_)
    if not name:
        return components[0]
    return name if name in components else abort(404)


@bp.get("/rounds/<int:round_id>")
@role_required(*SCORERS)
def round_sheet(round_id: int):
    round_ = _round_for(round_id)
    return _sheet_page(round_, _component(round_, request.args.get("component")))


def _sheet_page(round_: Round, component: str, errors: dict[int, tuple[str, str]] | None = None,
                error: str | None = None, status: int = 200):
    return render_template("scoring/round.html", round=round_, component=component,
                           components=judged_components(round_), groups=score_sheet(round_, current_user, component),
                           trim_note=round_.rules.component(component).trim_note, errors=errors or {},
                           error=error), status


@bp.post("/rounds/<int:round_id>/candidates/<int:candidate_id>")
@role_required(*SCORERS)
def save(round_id: int, candidate_id: int):
    form = ScoreForm()
    component, text = form.component.data, form.score.data
    round_ = locked_round(round_id) or abort(404)
    try:
        entry = save_score(round_, candidate_id, component, text, current_user)
    except ScoreRefused as refused:
        end_unit(keep=False)
        return _refused(_round_for(round_id), candidate_id, component, text, refused.message)
    row = sheet_row(round_, current_user, component, candidate_id)
    if entry is None:
        message = f"{row.candidate.name}的分数未变（{points(row.current.hundredths)}）"
    elif entry.replaces is not None:
        message = f"已修改{row.candidate.name}的分数：{points(entry.replaces.hundredths)} → {points(entry.hundredths)}"
    else:
        message = f"已保存{row.candidate.name}的分数：{points(entry.hundredths)}"
    if _from_script():
        return jsonify(ok=True, message=message, html=_row_html(round_, component, row, row_message=message))
    flash(message, "success")
    return redirect(url_for("scoring.round_sheet", round_id=round_.id, component=component,
                            _anchor=f"c-{row.candidate.username}"))


def _refused(round_: Round, candidate_id: int, component: str, text: str, message: str):
    """Nothing was written: show why beside the row (or above the sheet when the row isn't the judge's)."""
    shown = component in judged_components(round_)
    row = sheet_row(round_, current_user, component, candidate_id) if shown else None
    if _from_script():
        html = _row_html(round_, component, row, row_error=message, row_value=text) if row else None
        return jsonify(ok=False, message=message, html=html), 422
    if row is None:
        return _sheet_page(round_, component if shown else judged_components(round_)[0], error=message, status=422)
    return _sheet_page(round_, component, errors={candidate_id: (message, text)}, status=422)


def _row_html(round_: Round, component: str, row, **state) -> str:
    return render_template("scoring/_row.html", round=round_, component=component, row=row, **state)
