"""Issue 6 §9: leaving the exam page (切屏) is recorded as evidence through the API and shown to organisers —
counted per attempt, alerted above a session's limit, timed in the appeal view — and never deducted."""
import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, AwayRecord, ExamSession
from plugins.accounts import login
from plugins.exams import START, Candidate, sit


def at(minutes: float, seconds: float = 0) -> str:
    """A time during the exam as the page sends it: ISO 8601 in UTC with a Z."""
    return (START + timedelta(minutes=minutes, seconds=seconds)).isoformat().replace("+00:00", "Z")


def period(number: int, left: str, back: str | None) -> dict:
    return {"number": number, "left_at": left, "back_at": back}


@pytest.fixture
def sitting(exam, client):
    cand = Candidate(client, "cand1")
    cand.attempt = cand.start(exam)   # at START + 1 min
    cand.away = lambda *records: cand.call("POST", f"/attempts/{cand.attempt['id']}/away", {"records": list(records)})
    return cand


def stored(app, attempt_id: int) -> list[tuple]:
    with app.app_context():
        return [(r.number, r.left_at, r.back_at, r.received_at) for r in db.session.scalars(
            select(AwayRecord).where(AwayRecord.attempt_id == attempt_id).order_by(AwayRecord.number))]


def utc(minutes: float, seconds: float = 0) -> datetime:
    return START + timedelta(minutes=minutes, seconds=seconds)


# -- the API ------------------------------------------------------------------------------------------------------

def test_a_period_is_recorded_with_the_servers_receipt_time(app, sitting, clock):
    clock.advance(minutes=3)   # START + 4 min
    response = sitting.away(period(1, at(2), at(2, 40)))
    assert response.status_code == 200
    assert response.get_json() == {"recorded": [1], "away_count": 1, "server_time": utc(4).isoformat()}
    assert stored(app, sitting.attempt["id"]) == [(1, utc(2), utc(2, 40), utc(4))]
    assert sitting.call("GET", f"/attempts/{sitting.attempt['id']}").get_json()["away_count"] == 1


def test_the_attempt_says_how_often_its_page_was_left(sitting, exam):
    assert sitting.attempt["away_count"] == 0
    sitting.away(period(1, at(1, 10), at(1, 20)), period(2, at(1, 30), at(1, 40)))
    assert sitting.start(exam)["away_count"] == 2, "a reload or a second device learns the count"


def test_a_resent_period_is_kept_once_and_never_rewritten(app, sitting, clock):
    sitting.away(period(1, at(1, 10), at(1, 20)))
    first = stored(app, sitting.attempt["id"])
    clock.advance(seconds=30)
    again = sitting.away(period(1, at(1, 10), at(1, 20)), period(2, at(1, 25), at(1, 26)))
    assert again.get_json()["recorded"] == [1, 2] and again.get_json()["away_count"] == 2
    sitting.away(period(1, at(1, 0), at(1, 50)))   # a different story for number 1 changes nothing
    assert stored(app, sitting.attempt["id"])[0] == first[0]


def test_a_period_sent_open_is_completed_once(app, sitting, clock):
    sitting.away(period(1, at(1, 10), None))   # the page closed while away
    assert stored(app, sitting.attempt["id"]) == [(1, utc(1, 10), None, utc(1))]
    clock.advance(minutes=2)
    completed = sitting.away(period(1, at(1, 10), at(2, 30)))
    assert completed.status_code == 200 and completed.get_json()["away_count"] == 1
    sitting.away(period(1, at(1, 10), at(2, 50)))
    assert stored(app, sitting.attempt["id"]) == [(1, utc(1, 10), utc(2, 30), utc(1))]


@pytest.mark.parametrize("records, message", [
    ("not a list", "records"),
    ([period(n, at(1, 10), at(1, 11)) for n in range(1, 52)], "最多 50 条"),
    (["1"], "records"),
    ([period(0, at(1, 10), at(1, 11))], "序号"),
    ([period(10_001, at(1, 10), at(1, 11))], "序号"),
    ([period("1", at(1, 10), at(1, 11))], "序号"),
    ([period(True, at(1, 10), at(1, 11))], "序号"),
    ([period(1, "2026-12-01T01:01:10", at(1, 11))], "带时区"),
    ([period(1, "yesterday", None)], "带时区"),
    ([period(1, 1764550870, None)], "带时区"),
    ([period(1, "0001-01-01T00:00:00+01:00", None)], "带时区"),
    ([{"number": 1}], "带时区"),
    ([period(1, at(1, 20), at(1, 10))], "早于离开时间"),
    ([period(1, at(-0.5), at(0, 20))], "不在本次作答期间"),   # more than a minute before the start
    ([period(1, at(1, 10), at(2, 10))], "不在本次作答期间"),   # more than a minute after the server's now
    ([period(1, at(1, 10), at(1, 20)), period(2, at(1, 30), "later")], "第 2 条"),
])
def test_a_bad_record_is_422_and_nothing_of_the_request_is_kept(app, sitting, records, message):
    response = sitting.call("POST", f"/attempts/{sitting.attempt['id']}/away", {"records": records})
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_response" and message in response.get_json()["message"]
    assert stored(app, sitting.attempt["id"]) == []


@pytest.mark.parametrize("body", [None, [], {"record": []}])
def test_a_body_without_records_is_422(sitting, body):
    response = sitting.call("POST", f"/attempts/{sitting.attempt['id']}/away", body)
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_response"


def test_within_a_minute_of_the_start_and_of_now_is_taken(app, sitting):
    # The page's copy of the server clock may be off by a round trip either way.
    assert sitting.away(period(1, at(0, 30), at(1, 50))).status_code == 200


def test_someone_elses_attempt_is_404(app, client, sitting):
    attempt_id = sitting.attempt["id"]
    client.post("/logout", data={"csrf_token": sitting.token})
    other = Candidate(client, "cand2")
    response = other.call("POST", f"/attempts/{attempt_id}/away", {"records": [period(1, at(1, 10), at(1, 20))]})
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert stored(app, attempt_id) == []


def test_after_the_deadline_or_the_submit_is_409(app, sitting, clock, exam, client):
    clock.advance(minutes=30, seconds=20)   # inside the grace for requests in flight
    assert sitting.away(period(1, at(30), at(31))).status_code == 200
    clock.advance(seconds=15)
    late = sitting.away(period(2, at(31, 5), at(31, 10)))
    assert late.status_code == 409 and late.get_json()["error"] == "deadline_passed"

    client.post("/logout", data={"csrf_token": sitting.token})
    other = Candidate(client, "cand2")
    attempt = other.start(exam)
    other.call("POST", f"/attempts/{attempt['id']}/submit")
    closed = other.call("POST", f"/attempts/{attempt['id']}/away", {"records": [period(1, at(31, 40), None)]})
    assert closed.status_code == 409 and closed.get_json()["error"] == "attempt_closed"
    assert [r[0] for r in stored(app, sitting.attempt["id"])] == [1] and stored(app, attempt["id"]) == []


def test_without_the_csrf_header_is_400(sitting):
    response = sitting.client.post(f"/api/v1/attempts/{sitting.attempt['id']}/away",
                                   json={"records": [period(1, at(1, 10), None)]})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf_failed"


def test_nothing_is_deducted(app, sitting):
    sitting.away(*[period(n, at(1, n), at(1, n + 0.5)) for n in range(1, 21)])
    result = sitting.call("POST", f"/attempts/{sitting.attempt['id']}/submit").get_json()["result"]
    with app.app_context():
        attempt = db.session.get(Attempt, sitting.attempt["id"])
        assert attempt.score == sum(r.score for r in attempt.responses) == result["score"]


# -- organisers ---------------------------------------------------------------------------------------------------

@pytest.fixture
def away_twice(app, exam):
    """cand1 left the page twice, the second period reported only after an outage; cand2 once, closing the page
    while away; cand3 never started. Both submitted. The session alerts above one."""
    from app.attempts.away import record_away
    from app.attempts.service import start_attempt, submit_attempt
    from app.models import User
    sent = {"cand1": {utc(6): [period(1, at(5, 10), at(5, 52.4))], utc(12): [period(2, at(6), at(8, 5))]},
            "cand2": {utc(6): [period(1, at(5, 30), None)]}}
    ids = {}
    with app.app_context():
        db.session.get(ExamSession, exam).away_alert_after = 1
        db.session.commit()
        for username, batches in sent.items():
            user = db.session.scalar(select(User).where(User.username == username))
            ids[username] = start_attempt(exam, user, utc(5)).id
            for received, periods in batches.items():
                record_away(ids[username], user, periods, received)
            submit_attempt(ids[username], user, utc(13))
    return ids


def row_of(html: str, username: str) -> str:
    return html.split(f'id="candidate-{username}"')[1].split("</tr>")[0]


def test_the_session_page_counts_and_alerts_above_the_limit(organiser_client, exam, away_twice):
    html = organiser_client.get(f"/admin/sessions/{exam}").get_data(as_text=True)
    assert "<th class=\"num\">切屏</th>" in html
    banner = html.split('id="away-alert"')[1].split("</div>")[0]
    assert "1 名考生离开考试页面超过 1 次" in banner and "不自动扣分" in banner
    first, second = row_of(html, "cand1"), row_of(html, "cand2")
    assert first.startswith(' class="away-alert">') and not second.startswith(' class')
    assert f'/attempts/{away_twice["cand1"]}#away">2</a>' in first and "超过提醒线" in first
    assert '#away">1</a>' in second and "超过提醒线" not in second
    assert "—" in row_of(html, "cand3").split("away-count")[1].split("</td>")[0]


def test_no_limit_no_banner(app, organiser_client, exam, away_twice):
    with app.app_context():
        db.session.get(ExamSession, exam).away_alert_after = None
        db.session.commit()
    html = organiser_client.get(f"/admin/sessions/{exam}").get_data(as_text=True)
    assert 'id="away-alert"' not in html and "超过提醒线" not in html
    assert '#away">2</a>' in row_of(html, "cand1") and "只记录，不设提醒" in html


def test_the_results_table_and_its_downloads_have_the_count(organiser_client, exam, away_twice):
    page = organiser_client.get(f"/admin/sessions/{exam}/results?sort=away&dir=desc").get_data(as_text=True)
    assert "切屏次数" in page
    rows = list(csv.reader(io.StringIO(
        organiser_client.get(f"/admin/sessions/{exam}/results.csv").data.decode("utf-8-sig"))))
    assert rows[0][-1] == "切屏次数"
    assert {row[0]: row[-1] for row in rows[1:]} == {"cand1": "2", "cand2": "1", "cand3": ""}


def test_the_appeal_view_lists_each_period_in_shanghai_time(organiser_client, exam, away_twice):
    html = organiser_client.get(f"/admin/sessions/{exam}/attempts/{away_twice['cand1']}").get_data(as_text=True)
    section = html.split('id="away"')[1].split("<h2>")[0]
    assert "共 2 次" in section and "不自动扣分" in section and "超过 1 次时提醒" in section
    first, second = section.split("<tbody>")[1].split("</tr>")[:2]
    assert "09:05:10" in first and "09:05:52" in first and "42 秒" in first and "补报" not in first
    assert "09:06:00" in second and "09:08:05" in second and "2 分 05 秒" in second
    assert "09:12:00（断网后补报）" in second
    assert "2 分 47 秒" in section.split("<tfoot>")[1]


def test_the_appeal_view_shows_a_period_never_returned_from(organiser_client, exam, away_twice):
    html = organiser_client.get(f"/admin/sessions/{exam}/attempts/{away_twice['cand2']}").get_data(as_text=True)
    section = html.split('id="away"')[1].split("<h2>")[0]
    assert "09:05:30" in section and "未返回" in section and "<tfoot>" not in section


def test_an_attempt_without_periods_says_so(app, organiser_client, exam):
    with app.app_context():
        attempt_id = sit("cand3", exam, {"judge": True})
    html = organiser_client.get(f"/admin/sessions/{exam}/attempts/{attempt_id}").get_data(as_text=True)
    assert "共 0 次" in html and "没有离开考试页面的记录" in html


def test_counts_for_a_session_take_one_query(app, exam, away_twice):
    from sqlalchemy import event

    from app.attempts.away import away_counts
    with app.app_context():
        statements = []
        listener = lambda *args: statements.append(args[2]) if args[2].startswith("SELECT") else None  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            counts = away_counts(exam)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert counts == {away_twice["cand1"]: 2, away_twice["cand2"]: 1} and len(statements) == 1
        assert db.session.scalar(select(func.count()).select_from(AwayRecord)) == 3


def test_candidates_cannot_see_the_organisers_pages(client, exam, away_twice):
    login(client, "cand1")
    assert client.get(f"/admin/sessions/{exam}/attempts/{away_twice['cand1']}").status_code == 403

