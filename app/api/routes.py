"""Exam endpoints for the exam page's script and other clients."""
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.api import bp
from app.api.replies import reply
from app.attempts.arrival import arrived_at
from app.attempts.away import record_away
from app.attempts.presenters import attempt_payload, sessions_for, submit_payload
from app.attempts.service import (
    attempt_for,
    save_responses,
    start_attempt,
    submit_attempt,
)
from app.attempts.sweeper import marked_after_commit
from app.database import end_unit
from app.domain.inputs import id_ok
from app.errors import CsrfFailed, InvalidResponse, Unauthenticated
from app.models import utcnow
from app.users.logins import NOT_LOGGED_IN
from app.web import checks_account_in_write, refusal, request_json

# A save names at most this many items: more than any paper holds, and few enough for one IN (…) on SQLite.
MAX_SAVE_ITEMS = 500


@bp.before_request
def require_login() -> None:
    if not current_user.is_authenticated:
        raise Unauthenticated(NOT_LOGGED_IN)


@bp.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError):
    """CSRFProtect's refusal, a plain 400 on pages, named for the API's clients."""
    return refusal(CsrfFailed("页面已过期或缺少安全令牌，请刷新页面后重试。"))


@bp.get("/sessions")
def sessions():
    return reply(sessions=sessions_for(current_user, utcnow()))


@bp.post("/sessions/<int:session_id>/attempts")
def start(session_id: int):
    now = utcnow()
    attempt = start_attempt(session_id, current_user, now)
    # Before the paper is written out, so a burst of starts never waits on another's rendering; the attempt and its
    # session are shown as just written, not read again.
    end_unit(keep=True, reread=False)
    return reply(attempt_payload(attempt, now))


@bp.get("/attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    now = utcnow()
    return reply(attempt_payload(attempt_for(attempt_id, current_user), now))


@bp.put("/attempts/<int:attempt_id>/responses")
@checks_account_in_write
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
    result = save_responses(attempt_id, current_user, responses, seq, now, seqs, arrived_at())
    end_unit(keep=True)   # stored before the answer is built: the next save in the queue need not wait for it
    stored = len(result.saved)
    # `saved` keeps its two meanings for clients written before `seq` and `stored` said each (docs/api.md).
    return reply(seq=seq, stored=stored, saved=stored if seq is None else seq, keys=result.saved, stale=result.stale,
                 deadline=result.deadline, server_time=now)


@bp.post("/attempts/<int:attempt_id>/away")
def away(attempt_id: int):
    """{"records": [{"number", "left_at", "back_at"}]}: times the page was left (切屏), kept as evidence."""
    body = request_json()
    records = body.get("records") if isinstance(body, dict) else None
    now = utcnow()
    recorded, count = record_away(attempt_id, current_user, records, now)
    return reply(recorded=recorded, away_count=count, server_time=now)


@bp.post("/attempts/<int:attempt_id>/submit")
@checks_account_in_write
def submit(attempt_id: int):
    now = utcnow()
    submitted = submit_attempt(attempt_id, current_user, now, arrived_at())   # committed, with the batch it went in
    marked = marked_after_commit(attempt_id, now)
    return reply(submit_payload(submitted, now, marked_here=marked))
