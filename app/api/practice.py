"""The drill page's endpoint: one answer checked at once, the key and explanation sent back only then."""
from flask import jsonify
from flask_login import current_user

from app.api import bp
from app.api.routes import error
from app.domain.inputs import id_ok
from app.models import utcnow
from app.practice.service import PracticeError, answer_given, revealed
from app.web import request_json

CODES = {404: "not_found", 422: "invalid_response"}


@bp.errorhandler(PracticeError)
def practice_error(exc: PracticeError):
    return error(exc.status, exc.code or CODES.get(exc.status, "bad_request"), exc.message)


@bp.post("/drills/<int:drill_id>/answers")
def drill_answer(drill_id: int):
    """{"question_id", "response"} → {"correct", "answer_text", "explanation_html", "finished", "next", …}."""
    body = request_json()
    question_id = body.get("question_id") if isinstance(body, dict) else None
    if not id_ok(question_id) or "response" not in body:
        raise PracticeError('请求应为 {"question_id": 题目编号, "response": 答案}。', 422)
    user = current_user._get_current_object()
    checked = answer_given(drill_id, user, question_id, body["response"], utcnow())
    return jsonify(correct=checked.correct, finished=checked.finished, next=checked.next,
                   **revealed(checked.revision))
