"""The exam JSON API (DESIGN §3.4) as the exam page's script uses it: start, read, save, submit."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, AttemptEvent, Response
from plugins.accounts import csrf_from, login
from plugins.contests import text_of
from plugins.exams import BLUEPRINT, START, Candidate, load_exam_content


@pytest.fixture
def cand(client, exam):
    return Candidate(client, "cand1")


def items_by_type(attempt: dict) -> dict[str, dict]:
    return {item["type"]: item for section in attempt["sections"] for item in section["items"]}


def key_in_shown_letters(app, attempt_id: int, item_key: str):
    from app.attempts.letters import shown_letters
    with app.app_context():
        response = db.session.scalar(
            select(Response).where(Response.attempt_id == attempt_id, Response.key == item_key))
        return shown_letters(response, response.paper_item.key)


def test_sessions_lists_the_users_session_with_state(cand, exam):
    sessions = cand.call("GET", "/sessions").get_json()["sessions"]
    assert [s["id"] for s in sessions] == [exam]
    assert sessions[0]["state"] == "open" and sessions[0]["attempt"] is None
    assert sessions[0]["deadline_if_started_now"] == (START + timedelta(minutes=31)).isoformat()


def test_start_gives_paper_without_any_key_and_same_attempt_again(cand, exam):
    attempt = cand.start(exam)
    assert attempt["status"] == "in_progress"
    assert attempt["deadline"] == (START + timedelta(minutes=31)).isoformat()
    assert attempt["server_time"] == (START + timedelta(minutes=1)).isoformat()
    assert [len(s["items"]) for s in attempt["sections"]] == [1, 1, 1, 1, 1]
    assert set(items_by_type(attempt)) == {"single", "multiple", "judge", "blank", "short"}
    assert items_by_type(attempt)["blank"]["blanks"] == 2
    text = json.dumps(attempt, ensure_ascii=False)
    for leak in ("answer", "explanation", "source", "rubric", "reference", "correct", "支部工作条例第五条", "党员义务"):
        assert leak not in text, leak
    assert cand.start(exam)["id"] == attempt["id"], "starting again resumes the same attempt"


def test_deadline_is_capped_by_session_close(app, client, make_user, clock):
    from plugins.exams import schedule
    make_user("late", role="candidate")
    with app.app_context():
        load_exam_content()
        session_id = schedule(["late"], minutes=10)
    attempt = Candidate(client, "late").start(session_id)
    assert attempt["deadline"] == (START + timedelta(minutes=10)).isoformat()


def test_deadline_promised_before_start_is_the_deadline_stored_after_a_blueprint_reimport(app, client, exam):
    """The session's paper was drawn at scheduling with 30 minutes; re-importing the blueprint with 90 afterwards
    changes neither the deadline the attempt stores nor the one the session list and the start confirmation promise."""
    with app.app_context():
        load_exam_content(BLUEPRINT.replace("duration: 30", "duration: 90"))
    cand = Candidate(client, "cand1")
    (summary,) = cand.call("GET", "/sessions").get_json()["sessions"]
    page = text_of(client.post(f"/exam/sessions/{exam}/start", data={"csrf_token": cand.token})
                   .get_data(as_text=True))
    attempt = cand.start(exam)
    assert attempt["deadline"] == (START + timedelta(minutes=31)).isoformat()
    assert (summary["duration"], summary["deadline_if_started_now"]) == (30, attempt["deadline"])
    assert "交卷截止 09:31 （答题时长 30 分钟）" in page


def test_same_questions_for_everyone_in_a_session_order_per_candidate(app, client, exam):
    first = Candidate(client, "cand1").start(exam)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/exam/").get_data(as_text=True))})
    second = Candidate(client, "cand2").start(exam)
    stems = lambda a: sorted(i["stem_html"] for s in a["sections"] for i in s["items"])  # noqa: E731
    assert stems(first) == stems(second)


def test_save_then_reload_keeps_answers(cand, exam):
    attempt = cand.start(exam)
    items = items_by_type(attempt)
    answers = {items["single"]["key"]: "B", items["judge"]["key"]: True, items["blank"]["key"]: ["义务", ""],
               items["short"]["key"]: "宣传和执行党的路线方针政策"}
    saved = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": answers, "seq": 1})
    assert saved.status_code == 200
    assert saved.get_json()["saved"] == 1 and saved.get_json()["server_time"]
    again = cand.call("GET", f"/attempts/{attempt['id']}").get_json()
    assert again["responses"] == answers


def test_older_seq_never_overwrites_newer(cand, exam):
    attempt = cand.start(exam)
    key = items_by_type(attempt)["single"]["key"]
    url = f"/attempts/{attempt['id']}/responses"
    cand.call("PUT", url, {"responses": {key: "C"}, "seq": 5})
    stale = cand.call("PUT", url, {"responses": {key: "A"}, "seq": 3}).get_json()
    assert stale["stale"] == [key]
    assert cand.call("GET", f"/attempts/{attempt['id']}").get_json()["responses"][key] == "C"


@pytest.mark.parametrize("per_item, item_a_ends_as", [(True, "C"), (False, "B")])
def test_per_item_seqs_keep_a_newer_answer_from_another_device(app, exam, per_item, item_a_ends_as):
    """The phone answered A (seq 100), lost the network, then answered B (seq 300); meanwhile the laptop answered
    A again (seq 200). The phone's queued batch must leave A as the laptop's answer and save B: with "seqs" it
    does; with one "seq" for the whole batch (300) the old answer to A would win."""
    phone, laptop = Candidate(app.test_client(), "cand1"), Candidate(app.test_client(), "cand1")
    attempt = phone.start(exam)
    items = items_by_type(attempt)
    a, b = items["single"]["key"], items["judge"]["key"]
    url = f"/attempts/{attempt['id']}/responses"
    assert laptop.call("PUT", url, {"responses": {a: "C"}, "seqs": {a: 200}, "seq": 200}).status_code == 200

    body = {"responses": {a: "B", b: True}, "seq": 300}
    if per_item:
        body["seqs"] = {a: 100, b: 300}
    saved = phone.call("PUT", url, body).get_json()

    assert saved["keys"] == ([b] if per_item else [a, b]) and saved["stale"] == ([a] if per_item else [])
    assert laptop.call("GET", f"/attempts/{attempt['id']}").get_json()["responses"] == {a: item_a_ends_as, b: True}


@pytest.mark.parametrize("body", [
    {"responses": {"1": "A"}, "seqs": {"1": -1}},
    {"responses": {"1": "A"}, "seqs": {"2": 5}},
    {"responses": {"1": "A"}, "seqs": [5]},
    {"responses": {"1": "A"}, "seqs": {"1": 2**31}},
])
def test_bad_seqs_are_422_and_change_nothing(app, cand, exam, body):
    attempt = cand.start(exam)
    response = cand.call("PUT", f"/attempts/{attempt['id']}/responses", body)
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_response"
    assert cand.call("GET", f"/attempts/{attempt['id']}").get_json()["responses"] == {}


@pytest.mark.parametrize("body", [
    {"responses": {"99": "A"}},
    {"responses": {"1": "Z"}},
    {"responses": "A"},
    {"responses": {"1": "A"}, "seq": "one"},
])
def test_wrong_shape_or_unknown_key_is_422_and_changes_nothing(app, cand, exam, body):
    attempt = cand.start(exam)
    response = cand.call("PUT", f"/attempts/{attempt['id']}/responses", body)
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_response" and response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptEvent).where(AttemptEvent.kind == "save")) == 0


def test_save_after_deadline_is_409_and_attempt_closes_at_deadline(app, cand, exam, clock):
    attempt = cand.start(exam)
    url = f"/attempts/{attempt['id']}/responses"
    key = items_by_type(attempt)["single"]["key"]
    clock.advance(minutes=30, seconds=20)   # 20 s past the deadline: inside the grace for saves in flight
    assert cand.call("PUT", url, {"responses": {key: "A"}, "seq": 1}).status_code == 200
    clock.advance(seconds=15)
    late = cand.call("PUT", url, {"responses": {key: "B"}, "seq": 2})
    assert late.status_code == 409 and late.get_json()["error"] == "deadline_passed"
    with app.app_context():
        stored = db.session.get(Attempt, attempt["id"])
        assert stored.status == "closed" and stored.finished_at.isoformat() == attempt["deadline"]
        assert stored.responses[0].value is not None or True
        values = [r.value for r in stored.responses if r.key == key]
        assert values == ["A"]


def test_submit_marks_and_is_idempotent(app, cand, exam):
    attempt = cand.start(exam)
    items = items_by_type(attempt)
    single_key = key_in_shown_letters(app, attempt["id"], items["single"]["key"])
    cand.call("PUT", f"/attempts/{attempt['id']}/responses",
              {"responses": {items["single"]["key"]: single_key, items["judge"]["key"]: False}, "seq": 1})
    first = cand.call("POST", f"/attempts/{attempt['id']}/submit")
    second = cand.call("POST", f"/attempts/{attempt['id']}/submit")
    assert first.status_code == second.status_code == 200
    assert first.get_json()["status"] == second.get_json()["status"] == "submitted"
    result = first.get_json()["result"]
    # The short item was left blank: it scores 0 at once, so the total is final without a judge.
    assert result["score"] == 1.0 and result["max_score"] == 11.0 and result["fully_marked"] is True
    assert "items" not in result, "a formal session's keys wait until it has ended for everyone"
    with app.app_context():
        kinds = db.session.scalars(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt["id"])).all()
        assert kinds.count("submit") == 1
    after = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {items["single"]["key"]: "A"}})
    assert after.status_code == 409 and after.get_json()["error"] == "attempt_closed"


def test_someone_elses_attempt_is_404(client, cand, exam):
    attempt = cand.start(exam)
    client.post("/logout", data={"csrf_token": cand.token})
    other = Candidate(client, "cand2")
    for method, path, body in (("GET", f"/attempts/{attempt['id']}", None),
                               ("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {}}),
                               ("POST", f"/attempts/{attempt['id']}/submit", None)):
        response = other.call(method, path, body)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_a_malformed_save_to_someone_elses_attempt_is_404_not_a_hint_of_its_layout(client, cand, exam):
    """Shapes are checked before the lock (app/attempts/service.py): the problem is told only to the owner."""
    attempt = cand.start(exam)
    key = attempt["sections"][0]["items"][0]["key"]
    client.post("/logout", data={"csrf_token": cand.token})
    other = Candidate(client, "cand2")
    for responses in ({key: "not an answer"}, {"9999": "A"}):
        response = other.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": responses})
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_not_on_the_list_and_not_open(app, client, exam, make_user, clock):
    make_user("outsider", role="candidate")
    outsider = Candidate(client, "outsider")
    assert outsider.call("POST", f"/sessions/{exam}/attempts").status_code == 404
    client.post("/logout", data={"csrf_token": outsider.token})
    clock.advance(hours=3)
    late = Candidate(client, "cand3").call("POST", f"/sessions/{exam}/attempts")
    assert late.status_code == 409 and late.get_json()["error"] == "session_not_open"


def test_without_login_or_csrf_header(client, exam):
    assert client.get("/api/v1/sessions").status_code == 401
    login(client, "cand1")
    response = client.post(f"/api/v1/sessions/{exam}/attempts")
    assert response.status_code == 400 and response.get_json()["error"] == "csrf_failed"


# -- answers that cannot be stored (issue 9): refused with a reason, nothing kept, every page still renders -----------

@pytest.mark.parametrize("qtype, value, message", [
    ("short", "答案\ud800", "请求含有无法保存的字符（空字符、控制字符或不成对的代理项），请删除后重试。"),
    ("short", "答案\x00", "请求含有无法保存的字符（空字符、控制字符或不成对的代理项），请删除后重试。"),
    ("blank", ["义务\x0b", "纪律"], "请求含有无法保存的字符（空字符、控制字符或不成对的代理项），请删除后重试。"),
    ("short", "论" * 20_001, "答案格式不对：简答不超过 20000 个字符。"),
    ("blank", ["义" * 501, "纪律"], "答案格式不对：每空不超过 500 个字符。"),
    ("blank", ["义务"], "答案格式不对：应是 2 个空的文字列表。"),
    ("judge", "对", "答案格式不对：应是 true 或 false。"),
])
def test_an_answer_that_cannot_be_stored_is_422_with_its_reason(app, client, cand, exam, qtype, value, message):
    attempt = cand.start(exam)
    key = items_by_type(attempt)[qtype]["key"]
    response = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {key: value}, "seq": 1})
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_response"
    assert message in response.get_json()["message"]
    assert cand.call("GET", f"/attempts/{attempt['id']}").get_json()["responses"] == {}


def test_a_refused_lone_surrogate_leaves_every_page_of_the_attempt_working(app, client, cand, exam, make_user):
    """The attack of issue 9: a "\\ud800" saved once broke the result page, the judge's page and the appeal record."""
    attempt = cand.start(exam)
    key = items_by_type(attempt)["short"]["key"]
    body = f'{{"responses": {{"{key}": "\\ud800"}}, "seq": 1}}'.encode()
    reply = client.put(f"/api/v1/attempts/{attempt['id']}/responses", data=body,
                       headers={"X-CSRFToken": cand.token, "Content-Type": "application/json"})
    assert reply.status_code == 422
    assert cand.call("POST", f"/attempts/{attempt['id']}/submit").status_code == 200
    assert client.get(f"/exam/attempts/{attempt['id']}/result").status_code == 200
    make_user("judge1", role="judge")
    make_user("organiser1", role="organiser")
    with app.app_context():
        short = db.session.scalar(select(Response.id).where(Response.attempt_id == attempt["id"], Response.key == key))
    for username, path in (("judge1", f"/marking/responses/{short}"),
                           ("organiser1", f"/admin/sessions/{exam}/attempts/{attempt['id']}")):
        other = app.test_client()
        login(other, username)
        assert other.get(path).status_code == 200, path


@pytest.mark.parametrize("path", ["/attempts/2147483648", "/attempts/9223372036854775808/responses",
                                  "/sessions/99999999999999999999/attempts", "/attempts/-1/submit"])
def test_an_id_past_32_bits_is_404_not_found(cand, exam, path):
    method = "PUT" if path.endswith("responses") else "GET" if path.count("/") == 2 else "POST"
    response = cand.call(method, path, {"responses": {}})
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "message": "页面不存在。"}
