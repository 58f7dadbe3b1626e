"""The drill page's endpoint: one answer checked at once, the key and explanation sent back only then."""
from flask_login import current_user

from app.api import bp
from app.api.replies import reply
from app.database import end_unit
from app.domain.inputs import id_ok
from app.errors import InvalidResponse
from app.models import utcnow
from app.practice.service import answer_given, revealed
from app.web import request_json


@bp.post("/drills/<int:drill_id>/answers")
def drill_answer(drill_id: int):
    """{"question_id", "response"} → {"correct", "response_text", "answer_text", "explanation_html", "finished", …}."""
    body = request_json()
    question_id = body.get("question_id") if isinstance(body, dict) else None
    if not id_ok(question_id) or "response" not in body:
        raise InvalidResponse('请求应为 {"question_id": 题目编号, "response": 答案}。')
    user = current_user._get_current_object()
    checked = answer_given(drill_id, user, question_id, body["response"], utcnow())
    end_unit(keep=True)   # before the key and explanation are rendered: answers from a whole hall queue on the lock
    said = checked.revision.kind.describe_response(checked.response)
    return reply(revealed(checked.revision, checked.order), correct=checked.correct, finished=checked.finished,
                 next=checked.next, response_text=said)
