"""POST /api/v1/drills/<id>/answers, as the drill page's script calls it: the verdict, the key and the
explanation come back only for the question just answered; a resent or malformed answer changes nothing."""
import json

import pytest

from plugins.accounts import csrf_from, login
from plugins.practice import OBJECTIVE, answers_kept, book_of, drill_state, revision_at, right, start, wrong


class Cadre:
    def __init__(self, client, username: str = "cadre"):
        login(client, username)
        self.client = client
        self.token = csrf_from(client.get("/practice/").get_data(as_text=True))

    def answer(self, drill_id: int, body, token: bool = True):
        headers = {"Content-Type": "application/json", **({"X-CSRFToken": self.token} if token else {})}
        return self.client.post(f"/api/v1/drills/{drill_id}/answers", data=json.dumps(body), headers=headers)


@pytest.fixture
def me(client, cadre) -> Cadre:
    return Cadre(client)


def test_each_answer_is_marked_at_once_with_the_key_and_explanation(app, me):
    drill_id = start(me.client, count="10")
    for position in range(OBJECTIVE):
        revision = revision_at(app, drill_id)
        given = wrong(revision) if revision.type == "multiple" else right(revision)
        reply = me.answer(drill_id, {"question_id": revision.question_id, "response": given})
        assert reply.status_code == 200, reply.get_json()
        data = reply.get_json()
        assert data["correct"] is (revision.type != "multiple")
        assert data["finished"] is (position == OBJECTIVE - 1) and data["next"] == position + 1
        assert data["answer"] == revision.answer and data["source"] == revision.source
        assert data["answer_text"] == {"single": "A", "multiple": "A、B、C", "judge": "正确",
                                       "blank": "（1）义务 / 党员义务；（2）纪律"}[revision.type]
        assert data["explanation_html"].startswith("<p>") and revision.explanation in data["explanation_html"]
    assert drill_state(app, drill_id).finished_at is not None
    assert [entry.misses for entry in book_of(app, "cadre")] == [1]


def test_a_resent_answer_is_refused_and_changes_nothing(app, me):
    drill_id = start(me.client, types="judge")
    revision = revision_at(app, drill_id)
    assert me.answer(drill_id, {"question_id": revision.question_id, "response": False}).status_code == 200
    again = me.answer(drill_id, {"question_id": revision.question_id, "response": True})
    assert again.status_code == 409
    assert again.get_json() == {"error": "already_answered", "message": "这道题已经答过了，请继续下一题。"}
    assert answers_kept(app) == 1 and book_of(app, "cadre")[0].misses == 1


def test_only_the_current_question_is_answered(app, me):
    drill_id = start(me.client, count="10")
    later = revision_at(app, drill_id, 2)
    reply = me.answer(drill_id, {"question_id": later.question_id, "response": right(later)})
    assert reply.status_code == 409 and "answer_text" not in reply.get_json()
    assert answers_kept(app) == 0


@pytest.mark.parametrize("body", [
    None, [], {"response": "A"}, {"question_id": "1", "response": "A"}, {"question_id": True, "response": "A"},
    {"question_id": 0},
])
def test_a_malformed_request_is_refused(app, me, body):
    drill_id = start(me.client, types="single")
    if isinstance(body, dict) and body.get("question_id") == 0:
        body = {"question_id": revision_at(app, drill_id).question_id}
    reply = me.answer(drill_id, body)
    assert reply.status_code == 422 and reply.get_json()["error"] == "invalid_response"
    assert answers_kept(app) == 0


@pytest.mark.parametrize("qtype, response", [
    ("single", "Z"), ("single", ["A"]), ("multiple", "A"), ("multiple", ["A", "A"]), ("judge", "对"),
    ("blank", ["义务"]), ("blank", "义务 纪律"), ("single", None), ("multiple", []), ("blank", ["", "  "]),
])
def test_a_response_of_the_wrong_shape_or_empty_is_refused(app, me, qtype, response):
    drill_id = start(me.client, types=qtype)
    revision = revision_at(app, drill_id)
    reply = me.answer(drill_id, {"question_id": revision.question_id, "response": response})
    assert reply.status_code == 422 and reply.get_json()["error"] == "invalid_response"
    assert reply.get_json()["message"] == "请先作答。"
    assert answers_kept(app) == 0 and drill_state(app, drill_id).position == 0


def test_without_the_csrf_header_or_a_login_nothing_is_kept(app, client, me):
    drill_id = start(me.client, types="judge")
    revision = revision_at(app, drill_id)
    body = {"question_id": revision.question_id, "response": True}
    reply = me.answer(drill_id, body, token=False)
    assert reply.status_code == 400 and reply.get_json()["error"] == "csrf_failed"
    stranger = app.test_client()
    token = csrf_from(stranger.get("/login").get_data(as_text=True))
    reply = stranger.post(f"/api/v1/drills/{drill_id}/answers", json=body, headers={"X-CSRFToken": token})
    assert reply.status_code == 401 and reply.get_json()["error"] == "unauthenticated"
    assert answers_kept(app) == 0


def test_someone_elses_drill_is_not_found(app, me):
    drill_id = start(me.client, types="judge")
    revision = revision_at(app, drill_id)
    other = Cadre(app.test_client(), "other")
    reply = other.answer(drill_id, {"question_id": revision.question_id, "response": True})
    assert reply.status_code == 404 and reply.get_json()["error"] == "not_found"
    assert other.answer(999_999, {"question_id": 1, "response": True}).status_code == 404
    assert answers_kept(app) == 0
