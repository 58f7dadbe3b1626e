"""Standings pages: organisers and judges see every round, candidates a round once a version of it is published.

Everyone sees the latest published version by default, and any earlier one with ?version=K; organisers and judges
may switch to the live draft (?draft=1), which they also see before the first version. Nothing here writes.
"""
import io

from flask import abort, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.contests.pages import (
    GROUP_BY_LABELS,
    component_label,
    download_table,
    may_see_draft,
    may_view,
    mine_first,
    my_place,
    ordered_groups,
    organisation_type_label,
    percent,
    tied_rows,
    visible_rounds,
)
from app.contests.standings import RoundStandings, round_standings
from app.contests.versions import (
    Draft,
    find_version,
    latest_numbers,
    latest_version,
    version_changes,
    version_list,
    version_standings,
)
from app.domain.inputs import int32
from app.exports import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from app.extensions import db
from app.models import Round, RoundStatus, utcnow
from app.standings import board, bp

REFRESH_SECONDS, MIN_REFRESH, MAX_REFRESH = 10, 2, 300   # fetching the screen shown afresh
EVERY_SECONDS, MIN_EVERY, MAX_EVERY = 12, 2, 300          # turning to the next screen


@bp.context_processor
def _helpers():
    return {"component_label": component_label, "percent": percent,
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
    contests = visible_rounds(current_user)
    return render_template("standings/index.html", contests=contests,
                           latest=latest_numbers([r for _, rounds in contests for r in rounds]))


def _shown(round_: Round) -> RoundStandings:
    """The standings this request asks for and this user may see: ?version=K, ?draft=1, or the latest version
    (the draft for organisers and judges while nothing is published)."""
    number = request.args.get("version", type=int32)
    if number is not None:
        return version_standings(find_version(round_, number) or abort(404))
    latest = latest_version(round_)
    if may_see_draft(current_user) and (latest is None or request.args.get("draft") == "1"):
        return round_standings(round_)
    return version_standings(latest or abort(404))


def _context(round_: Round) -> dict:
    result = _shown(round_)
    versions = version_list(round_)
    latest = versions[0] if versions else None
    # A version shows what moved since the one before it; the draft, what would move if it were published.
    changes = version_changes(result.version) if result.version else Draft(result, latest).changes
    groups = ordered_groups(result)
    mine = my_place(groups, result, current_user.username)
    return {"round": round_, "result": result, "groups": mine_first(groups, mine), "mine": mine,
            "tied": tied_rows(result),
            "now": utcnow(), "versions": versions, "latest": latest, "changes": changes,
            "may_draft": may_see_draft(current_user), "has_advance": result.advancing,
            "has_awards": bool(result.rules.awards)}


@bp.get("/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    return render_template("standings/round.html", **_context(_visible(round_id)))


@bp.get("/rounds/<int:round_id>/screen")
@login_required
def screen(round_id: int):
    """The projector: one screen of the standings at a time, moving on to the next every few seconds (?every=N) and
    fetching itself afresh as it does (?refresh=N when the round fits one screen). It is a public screen: the groups
    in the file's order, nobody's row marked. Without script the page's <noscript> refresh turns the screens."""
    round_ = _visible(round_id)
    result = _shown(round_)
    moved = [change for change in version_changes(result.version) if change.moved] if result.version else []
    shown = board.screens(result, ordered_groups(result), board.LINES - (1 if moved else 0)) or [[]]
    number = request.args.get("screen", 1, type=int32)
    number = number if number and 1 <= number <= len(shown) else 1
    kept = {key: request.args[key] for key in ("version", "draft", "refresh", "every") if key in request.args}

    def page(step: int) -> str:
        return url_for("standings.screen", round_id=round_id, **kept, screen=(number - 1 + step) % len(shown) + 1)

    return render_template(
        "standings/screen.html", round=round_, result=result, moved=moved, now=utcnow(), panels=shown[number - 1],
        number=number, count=len(shown), previous=page(-1), following=page(1),
        refresh=_seconds("refresh", REFRESH_SECONDS, MIN_REFRESH, MAX_REFRESH),
        every=_seconds("every", EVERY_SECONDS, MIN_EVERY, MAX_EVERY),
        has_advance=result.advancing, has_awards=bool(result.rules.awards))


def _seconds(name: str, default: int, least: int, most: int) -> int:
    return min(max(request.args.get(name, default, type=int32) or default, least), most)


@bp.get("/rounds/<int:round_id>.<any(csv, xlsx):fmt>")
@login_required
def download(round_id: int, fmt: str):
    round_ = _visible(round_id)
    result = _shown(round_)
    header, rows = download_table(result)
    if fmt == "csv":
        data, mimetype = to_csv(header, rows), CSV_TYPE
    else:
        data, mimetype = to_xlsx(header, rows, sheet=result.heading.title), XLSX_TYPE
    which = f"第{result.version.number}版" if result.version else "草稿"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, max_age=0,
                     download_name=f"{round_.contest.slug}-{round_.slug}-排名-{which}.{fmt}")
