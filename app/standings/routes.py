"""Standings pages: organisers and judges see every round, candidates a round once it is published.

Everything shown is computed from the raw scores at each request; nothing here writes.
"""
import io

from flask import abort, render_template, request, send_file
from flask_login import current_user, login_required

from app.admin.exports import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from app.contests.pages import (
    GROUP_BY_LABELS, component_label, component_note, download_table, may_view, memberships, ordered_groups,
    organisation_type_label, percent, tied_rows, typed_rows, visible_rounds,
)
from app.contests.sheets import judged_components
from app.contests.standings import round_standings
from app.extensions import db
from app.models import Round, RoundStatus, utcnow
from app.standings import bp

REFRESH_SECONDS, MIN_REFRESH, MAX_REFRESH = 10, 2, 300


@bp.context_processor
def _helpers():
    return {"component_label": component_label, "component_note": component_note, "percent": percent,
            "organisation_type_label": organisation_type_label, "GROUP_BY_LABELS": GROUP_BY_LABELS,
            "RoundStatus": RoundStatus}


def _visible(round_id: int) -> Round:
    """The round, or 404 for one the user may not see yet (a draft, to a candidate)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or not may_view(round_, current_user):
        abort(404)
    return round_


@bp.get("/")
@login_required
def index():
    return render_template("standings/index.html", contests=visible_rounds(current_user))


def _context(round_: Round) -> dict:
    result = round_standings(round_)
    return {"round": round_, "result": result, "groups": ordered_groups(result),
            "organisations": memberships(round_.contest),
            "judged": judged_components(round_), "tied": tied_rows(result), "now": utcnow(),
            "has_advance": round_.rules["advance_top"] is not None, "has_awards": bool(round_.rules["awards"])}


@bp.get("/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    return render_template("standings/round.html", **_context(_visible(round_id)))


@bp.get("/rounds/<int:round_id>/screen")
@login_required
def screen(round_id: int):
    """The live final on a projector: large rows that reload themselves every few seconds."""
    seconds = request.args.get("refresh", REFRESH_SECONDS, type=int)
    seconds = min(max(seconds, MIN_REFRESH), MAX_REFRESH)
    response = render_template("standings/screen.html", refresh=seconds, **_context(_visible(round_id)))
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/rounds/<int:round_id>.<any(csv, xlsx):fmt>")
@login_required
def download(round_id: int, fmt: str):
    round_ = _visible(round_id)
    result = round_standings(round_)
    header, rows = download_table(result)
    if fmt == "csv":
        data, mimetype = to_csv(header, rows), CSV_TYPE
    else:
        data, mimetype = to_xlsx(header, typed_rows(result, rows), sheet=round_.title), XLSX_TYPE
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, max_age=0,
                     download_name=f"{round_.contest.slug}-{round_.slug}-排名.{fmt}")
