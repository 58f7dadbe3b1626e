"""The candidate's pages: their sessions, starting one, the exam page's shell and their result; judges' home.

The exam page itself is drawn by static/js/exam.js from the JSON API, which holds back every key while the
attempt runs; these views only add what the candidate may see once it is over.
"""
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from app.attempts.presenters import attempt_payload, sessions_for
from app.attempts.service import attempt_for, start_attempt
from app.domain.marking import is_answered
from app.errors import NotFound, SessionNotOpen
from app.exam import bp
from app.forms import ActionForm
from app.models import Attempt, AttemptStatus, Role, utcnow
from app.web import refused_back, role_required

# Past this, "还有 3 天" is all a candidate needs; nearer, the home page reloads itself at the opening.
RELOAD_WITHIN = timedelta(hours=12)


@bp.get("/")
@role_required(Role.CANDIDATE, Role.JUDGE)
def home():
    if not current_user.has_role(Role.CANDIDATE):
        return render_template("exam/home.html", groups=None)
    return _home_page()


def _home_page(starting: int | None = None):
    """The candidate's sessions; with `starting`, the confirmation that starting that one fixes the deadline."""
    now = utcnow()
    groups: dict[str, list[dict[str, Any]]] = {"open": [], "upcoming": [], "finished": []}
    confirm = None
    for session in sessions_for(current_user, now):
        groups[_group(session)].append(session)
        if session["state"] == "upcoming":
            session["opens_in"] = _duration(session["opens_at"] - now)
        if session["id"] == starting:
            confirm = session
    groups["finished"].reverse()
    return render_template("exam/home.html", groups=groups, reload_in=_reload_in(groups["upcoming"], now),
                           confirm=confirm, now=now)


def _group(session: dict[str, Any]) -> str:
    attempt = session["attempt"]
    if attempt is not None:
        return "open" if attempt["status"] == AttemptStatus.IN_PROGRESS else "finished"
    return "finished" if session["state"] == "closed" else session["state"]


def _duration(delta: timedelta) -> str:
    minutes = ceil(delta.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} 天"] if days else []
    parts += [f"{hours} 小时"] if hours else []
    parts += [f"{minutes} 分钟"] if minutes and not days else []
    return " ".join(parts) or "不到 1 分钟"


def _reload_in(upcoming: list[dict[str, Any]], now: datetime) -> int | None:
    """Seconds until the next opening, if near: the page reloads then so the start button appears by itself."""
    soon = [s["opens_at"] - now for s in upcoming if s["opens_at"] - now <= RELOAD_WITHIN]
    return ceil(min(soon).total_seconds()) if soon else None


@bp.post("/sessions/<int:session_id>/start")
@role_required(Role.CANDIDATE)
def start(session_id: int):
    """Starting fixes the deadline, so the first press asks (the dialog says when it will be); resuming does not."""
    if not ActionForm().is_confirmed() and _starts_anew(session_id):
        return _home_page(starting=session_id)
    try:
        attempt = start_attempt(session_id, current_user, utcnow())
    except (NotFound, SessionNotOpen) as error:
        return refused_back(error, url_for("exam.home"))
    return redirect(url_for("exam.sit", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@role_required(Role.CANDIDATE)
def sit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.finished:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    return render_template("exam/sit.html", attempt=attempt)


@bp.get("/attempts/<int:attempt_id>/result")
@role_required(Role.CANDIDATE)
def result(attempt_id: int):
    now = utcnow()
    attempt = _own_attempt(attempt_id)
    if not attempt.finished:
        return redirect(url_for("exam.sit", attempt_id=attempt.id))
    payload = attempt_payload(attempt, now)
    shown = payload["result"]
    return render_template("exam/result.html", attempt=attempt, session=attempt.session,
                           shown=shown, payload=payload, answered=is_answered)


def _starts_anew(session_id: int) -> bool:
    """Whether pressing start would begin a new attempt (not resume one), so the clock would start."""
    summary = next((s for s in sessions_for(current_user, utcnow()) if s["id"] == session_id), None)
    if summary is None or summary["state"] != "open":
        return False
    return summary["attempt"] is None


def _own_attempt(attempt_id: int) -> Attempt:
    try:
        return attempt_for(attempt_id, current_user)
    except NotFound:
        abort(404)
