"""Exam endpoints for the exam page's script and other clients."""
from flask import jsonify
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.api import bp
from app.attempts.away import record_away
from app.attempts.errors import ExamError, InvalidResponse
from app.attempts.service import (
    attempt_for,
    save_responses,
    start_attempt,
    submit_attempt,
)
from app.attempts.views import attempt_payload, sessions_for, submit_payload
from app.domain.inputs import id_ok
from app.models import utcnow
from app.web import request_json

# A save names at most this many items: more than any paper holds, and few enough for one IN (…) on SQLite.
MAX_SAVE_ITEMS = 500


def error(status: int, code: str, message: str):
    return jsonify(error=code, message=message), status


@bp.before_request
def require_login():
    if not current_user.is_authenticated:
        return error(401, "unauthenticated", "请先登录。")
    return None


@bp.errorhandler(ExamError)
def exam_error(exc: ExamError):
    return error(exc.status, exc.code, exc.message)


@bp.errorhandler(CSRFError)
def csrf_error(exc: CSRFError):
    return error(400, "csrf_failed", "页面已过期或缺少安全令牌，请刷新页面后重试。")


@bp.get("/sessions")
def sessions():
    return jsonify(sessions=sessions_for(current_user, utcnow()))


@bp.post("/sessions/<int:session_id>/attempts")
def start(session_id: int):
    now = utcnow()
    return jsonify(attempt_payload(start_attempt(session_id, current_user, now), now))


@bp.get("/attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    now = utcnow()
    return jsonify(attempt_payload(attempt_for(attempt_id, current_user), now))


@bp.put("/attempts/<int:attempt_id>/responses")
def save(attempt_id: int):
    """{"responses": {key: value}, "seq": n} and/or "seqs": {key: n}: each item kept unless its stored seq is higher."""
    body = request_json()
    body = body if isinstance(body, dict) else {}
    responses, seq, seqs = body.get("responses"), body.get("seq"), body.get("seqs", {})
    # A seq is stored in a 32-bit column: the page's milliseconds since the start fit for 24 days.
    if not isinstance(responses, dict) or not (seq is None or id_ok(seq)) or not isinstance(seqs, dict) \
            or not all(key in responses and id_ok(value) for key, value in seqs.items()):
        raise InvalidResponse('请求应为 {"responses": {题号: 答案}, "seq": 整数} 或带每题序号 "seqs": {题号: 整数}。')
    if len(responses) > MAX_SAVE_ITEMS:
        raise InvalidResponse(f"一次最多保存 {MAX_SAVE_ITEMS} 题的答案。")
    now = utcnow()
    result = save_responses(attempt_id, current_user, responses, seq, now, seqs)
    return jsonify(saved=seq if seq is not None else len(result.saved), keys=result.saved, stale=result.stale,
                   deadline=result.attempt.deadline.isoformat(), server_time=now.isoformat())


@bp.post("/attempts/<int:attempt_id>/away")
def away(attempt_id: int):
    """{"records": [{"number", "left_at", "back_at"}]}: times the page was left (切屏), kept as evidence."""
    body = request_json()
    records = body.get("records") if isinstance(body, dict) else None
    now = utcnow()
    recorded, count = record_away(attempt_id, current_user, records, now)
    return jsonify(recorded=recorded, away_count=count, server_time=now.isoformat())


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(attempt_id: int):
    now = utcnow()
    return jsonify(submit_payload(submit_attempt(attempt_id, current_user, now), now))
