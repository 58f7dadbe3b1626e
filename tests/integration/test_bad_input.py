"""Every route, as every role, against what an attacker sends (issue 9): oversize bodies, deep or malformed JSON,
NUL and lone surrogates, ids past 32 bits, huge sequence numbers and wrong types. Nothing answers 500, every
refusal says why in Chinese (JSON {"error", "message"} under /api/), and nothing stored changes.

The world is real: an exam in progress and one submitted, a mock, a drill, a contest round with judges."""
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from app.attempts.service import start_attempt
from app.domain.practice import DrillFilter
from app.extensions import db
from app.models import Drill, PaperItem, Question, Response, Round, User
from app.practice.service import start_drill
from app.scheduling.service import schedule_session
from app.web import IdConverter
from plugins.accounts import csrf_from, login
from plugins.contests import CONTEST, load, with_judges
from plugins.exams import BLUEPRINT, START, load_exam_content, schedule, sit
from plugins.http import deep_json

PER_ATTEMPT = BLUEPRINT.replace("paper: five", "paper: five-mock").replace("draw: per_session", "draw: per_attempt")
ROLES = {"anonymous": None, "candidate": "cand1", "judge": "j1", "organiser": "organiser1"}
HUGE_IDS = ("2147483648", "9223372036854775808", "1" + "0" * 30)
# Every field name a form or query string of the app reads, so a NUL reaches whatever a view would look at.
FIELDS = ("username", "password", "name", "title", "reason", "explanation", "key", "usernames", "score", "component",
          "judge", "group", "settle", "q", "next", "mode", "scope", "tag", "response", "question_id", "minutes",
          "opens", "closes", "version", "start", "end", "sort", "confirmed", "draft")


@pytest.fixture
def world(app, make_user, clock, runner, tmp_path):
    """What each path parameter names, each a real row: cand1's attempt in progress, cand2's finished one (a short
    answer for a judge), cand1's drill, the contest's preliminary round with judges j1 and j2; and a mock open."""
    make_user("organiser1", role="organiser")
    for name in ("j1", "j2", "j3"):
        make_user(name, role="judge")
    for name in ("cand1", "cand2", "cand3"):
        make_user(name, role="candidate")
    load(runner, tmp_path, with_judges(CONTEST, "[{username: j1, groups: [c01]}, {username: j2, groups: [c01, c02]}]"))
    with app.app_context():
        load_exam_content()
        load_exam_content(blueprint=PER_ATTEMPT)
        cand1 = db.session.scalar(select(User).where(User.username == "cand1"))
        drill = start_drill(cand1, DrillFilter(count=3), START)   # before the exam withholds its questions
        session_id = schedule(["cand1", "cand2", "cand3"])
        schedule_session(blueprint_slug="five-mock", title="模拟", opens_at=START, closes_at=START + timedelta(days=30),
                         usernames=["cand1"], org_code=None, review="never", show_key=False, actor=None, mock=True,
                         max_attempts=2)
        finished = sit("cand2", session_id, {"short": "答案"})
        return {
            "session_id": session_id, "drill_id": drill.id,
            "attempt_id": start_attempt(session_id, cand1, START + timedelta(minutes=1)).id,
            "revision_id": db.session.scalar(select(PaperItem.revision_id).limit(1)),
            "response_id": db.session.scalar(select(Response.id).join(PaperItem).where(
                Response.attempt_id == finished, PaperItem.section_title.like("五%"))),
            "round_id": db.session.scalar(select(Round.id).where(Round.slug == "preliminary")),
            "candidate_id": db.session.scalar(select(User.id).where(User.username == "zhao")),
            "question_id": db.session.scalar(select(Question.id).limit(1)),
            "slug": "test-2026", "round_slug": "preliminary", "fmt": "csv",
            "bank": "party-affairs", "export": "xlsx", "component": "lecture", "paper_slug": "five",
            "filename": "css/app.css",
            "username": "cand2",
        }


def dump(app) -> dict[str, list[str]]:
    """Every row of every table, as text: what 'nothing stored changed' compares."""
    with app.app_context():
        db.session.remove()
        return {table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
                for table in db.metadata.sorted_tables}


class Visitor:
    """One role's client with the CSRF token its pages carry."""

    def __init__(self, app, username: str | None):
        self.client = app.test_client()
        if username:
            login(self.client, username)
        self.token = csrf_from(self.client.get("/login" if username is None else "/standings/").get_data(as_text=True))

    def open(self, method: str, path: str, **kwargs):
        return self.client.open(path, method=method, **kwargs)


def routes(app) -> list[tuple[Rule, str]]:
    """Every rule of the app with each of its methods."""
    return [(rule, method) for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def fill(rule: Rule, values: dict) -> str:
    """The rule's path with each parameter given its value."""
    return re.sub(r"<(?:[^<>:]*:)?(\w+)>", lambda found: str(values[found.group(1)]), rule.rule)


def id_params(rule: Rule) -> list[str]:
    return [name for name, converter in rule._converters.items() if isinstance(converter, IdConverter)]


OVER_A_MEGABYTE = b"x" * (2**20 + 1)


def json_request(token: str, body: bytes) -> dict:
    return {"data": body, "headers": {"Content-Type": "application/json", "X-CSRFToken": token}}


def refused_everywhere(token: str) -> dict[str, tuple[int, dict]]:
    """Requests no route may act on, each with the status every route answers."""
    nul_form = {"csrf_token": token, **{name: f"x\x00{name}" for name in FIELDS}}
    return {
        "NUL in the query string": (400, {"query_string": "q=%00&next=%00"}),
        "NUL in form fields": (400, {"data": nul_form}),
        "NUL in an uploaded file's name": (400, {"data": {"csrf_token": token, "component": "written",
                                                          "file": (io.BytesIO(b"username,score\n"), "a\x00.csv")},
                                                 "content_type": "multipart/form-data"}),
        "JSON nested 100,000 deep": (400, json_request(token, deep_json(100_000))),
        "JSON nested 9 deep": (400, json_request(token, deep_json(9))),
        "malformed JSON": (400, json_request(token, b'{"responses": ')),
        "JSON that is not UTF-8": (400, json_request(token, b'{"responses": {"1": "\xff"}}')),
        "JSON with NaN": (400, json_request(token, b'{"responses": {}, "seq": NaN}')),
        "a lone surrogate in JSON": (422, json_request(token, b'{"responses": {"1": "\\ud800"}, "question_id": 1, '
                                                              b'"response": "\\ud800", "records": []}')),
        "NUL in JSON": (422, json_request(token, b'{"responses": {"1": "a\\u0000b"}, "seq": 1}')),
        "a lone surrogate as a JSON key": (422, json_request(token, b'{"responses": {"\\udfff": "A"}}')),
        "a claimed 200 MB body": (413, {"data": {"csrf_token": token, "password": "x"},
                                        "environ_overrides": {"CONTENT_LENGTH": str(200 * 2**20)}}),
        "a 1 MB + 1 byte body": (413, {"data": OVER_A_MEGABYTE,
                                       "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
    }


def assert_refusal(reply, status: int, path: str, what: str) -> None:
    assert reply.status_code == status, (what, path, reply.status_code, reply.get_data(as_text=True)[:300])
    if path.startswith("/api/"):
        body = reply.get_json()
        assert set(body) == {"error", "message"} and re.search(r"[\u4e00-\u9fff]", body["message"]), (what, path, body)
    else:
        assert re.search(r"[\u4e00-\u9fff]", reply.get_data(as_text=True)), (what, path)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_refuses_what_no_route_takes_and_stores_nothing(app, world, role):
    visitor = Visitor(app, ROLES[role])
    before = dump(app)
    for rule, method in routes(app):
        path = fill(rule, world)
        for what, (status, request) in refused_everywhere(visitor.token).items():   # afresh: a sent file is closed
            if getattr(app.view_functions[rule.endpoint], "takes_upload", False) and what == "a 1 MB + 1 byte body":
                status = 400   # within an upload's limit, so it is read: its form lacks the CSRF token
            assert_refusal(visitor.open(method, path, **request), status, path, what)
        for name in id_params(rule):
            for huge in (*HUGE_IDS, "-1"):
                wrong = fill(rule, {**world, name: huge})
                assert_refusal(visitor.open(method, wrong), 404, wrong, f"{name}={huge}")
    assert dump(app) == before


# -- the JSON API's own fields, sent by the owner of the attempt, the drill and the session ------------------------

def _items(app, attempt_id: int) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(select(Response.key, PaperItem.section_title).join(PaperItem)
                                  .where(Response.attempt_id == attempt_id))
        return {title[:2]: key for key, title in rows}


def save_bodies(keys: dict[str, str]) -> list:
    single, multiple, judge, blank, short = (keys[k] for k in ("一、", "二、", "三、", "四、", "五、"))
    return [
        None, [], "responses", 123, {}, {"responses": []}, {"responses": {single: "A"}, "seq": 2**63},
        {"responses": {single: "A"}, "seq": 2**31}, {"responses": {single: "A"}, "seq": -1},
        {"responses": {single: "A"}, "seq": True}, {"responses": {single: "A"}, "seq": "1"},
        {"responses": {single: "A"}, "seq": 1.5}, {"responses": {single: "A"}, "seqs": {single: 2**63}},
        {"responses": {single: "A"}, "seqs": {blank: 1}}, {"responses": {single: "A"}, "seqs": []},
        {"responses": {str(n): "A" for n in range(501)}}, {"responses": {"99": "A"}},
        {"responses": {"x" * 100_000: "A"}}, {"responses": {single: 5}}, {"responses": {single: "Z"}},
        {"responses": {single: ["A"]}}, {"responses": {multiple: ["A", "A"]}}, {"responses": {multiple: "A"}},
        {"responses": {judge: "true"}}, {"responses": {judge: 1}}, {"responses": {blank: ["a"]}},
        {"responses": {blank: ["a" * 501, "b"]}}, {"responses": {blank: [1, 2]}}, {"responses": {blank: ["\x0b", "b"]}},
        {"responses": {short: "字" * 20_001}}, {"responses": {short: "a\x1bb"}}, {"responses": {short: {"a": "b"}}},
        {"responses": {short: [[[[["deep"]]]]]}},
    ]


AWAY_BODIES = [
    None, {"records": {}}, {"records": [{}] * 51}, {"records": [None]},
    {"records": [{"number": 2**63, "left_at": "2026-12-01T01:02:00Z", "back_at": None}]},
    {"records": [{"number": True, "left_at": "2026-12-01T01:02:00Z", "back_at": None}]},
    {"records": [{"number": 1, "left_at": "9999-12-31T23:59:59+14:00", "back_at": None}]},
    {"records": [{"number": 1, "left_at": "0001-01-01T00:00:00-12:00", "back_at": None}]},
    {"records": [{"number": 1, "left_at": "2026-12-01T01:02:00", "back_at": None}]},
    {"records": [{"number": 1, "left_at": "x" * 1000, "back_at": None}]},
    {"records": [{"number": 1, "left_at": 1764550920, "back_at": None}]},
    {"records": [{"number": 1, "left_at": "2026-12-01T01:02:00Z", "back_at": "2026-12-01T01:01:00Z"}]},
    {"records": [{"number": 1, "left_at": "2027-12-01T01:02:00Z", "back_at": None}]},
]

DRILL_BODIES = [
    None, {}, {"question_id": 2**63, "response": "A"}, {"question_id": 2**31, "response": "A"},
    {"question_id": -1, "response": "A"}, {"question_id": "1", "response": "A"}, {"question_id": True, "response": "A"},
    {"question_id": 1}, {"question_id": 1, "response": None}, {"question_id": 1, "response": {"a": 1}},
]


def test_the_apis_fields_refuse_wrong_types_and_huge_numbers_and_store_nothing(app, world):
    visitor = Visitor(app, "cand1")
    attempt, drill = world["attempt_id"], world["drill_id"]
    with app.app_context():
        first = db.session.get(Drill, drill).question_ids[0]
    before = dump(app)
    cases = [("PUT", f"/api/v1/attempts/{attempt}/responses", body) for body in save_bodies(_items(app, attempt))]
    cases += [("POST", f"/api/v1/attempts/{attempt}/away", body) for body in AWAY_BODIES]
    cases += [("POST", f"/api/v1/drills/{drill}/answers", body) for body in DRILL_BODIES]
    cases += [("POST", f"/api/v1/drills/{drill}/answers", {"question_id": first, "response": bad})
              for bad in ("\x00", ["A", 1], {"x": "y"}, "字" * 20_001)]
    for method, path, body in cases:
        reply = visitor.open(method, path, **json_request(visitor.token, json.dumps(body).encode()))
        assert reply.status_code in (400, 404, 409, 422), (path, body, reply.status_code, reply.get_data(as_text=True))
        assert set(reply.get_json()) == {"error", "message"}, (path, body)
    assert dump(app) == before


# -- the pages' own fields and query strings, as the role each page is for ------------------------------------------

def page_cases(world: dict) -> list[tuple[str, str, str, dict]]:
    """(role, method, path, fields) with values no page may store or trip over."""
    session, attempt, rnd, cid = world["session_id"], world["attempt_id"], world["round_id"], world["candidate_id"]
    huge = "9" * 30
    round_page = "/admin/contests/test-2026/rounds/preliminary"
    return [
        ("organiser", "GET", "/admin/questions", {"difficulty": huge, "q": "%", "page": huge, "type": "x"}),
        ("organiser", "GET", "/admin/questions", {"difficulty": "-" + huge, "page": "-1", "bank": "x" * 5000}),
        ("organiser", "GET", f"/admin/questions/{world['question_id']}", {"rev": huge}),
        ("organiser", "GET", "/admin/contests/test-2026", {"q": "_%", "page": huge}),
        ("organiser", "GET", f"/admin/sessions/{session}/results", {"sort": "x" * 1000, "dir": "up"}),
        ("organiser", "GET", "/admin/reports/practice", {"start": "0001-01-01", "end": "9999-12-31"}),
        ("organiser", "GET", "/admin/reports/practice.xlsx", {"start": "0001-01-01", "end": "0001-01-01"}),
        ("organiser", "GET", "/admin/reports/practice.csv", {"start": "9999-12-31", "end": "9999-12-31"}),
        ("organiser", "GET", f"/standings/rounds/{rnd}", {"version": huge}),
        ("organiser", "GET", f"/standings/rounds/{rnd}.xlsx", {"version": "-" + huge}),
        ("organiser", "GET", f"/standings/rounds/{rnd}/screen", {"refresh": huge}),
        ("judge", "GET", f"/scoring/rounds/{rnd}", {"component": "x" * 1000}),
        ("candidate", "GET", "/login", {"next": "x" * 5000}),
        ("organiser", "POST", "/admin/sessions/new", {"blueprint": "five", "title": "t", "opens": "0001-01-01T00:00",
                                                     "closes": "9999-12-31T23:59", "usernames": "cand1"}),
        ("organiser", "POST", "/admin/sessions/new", {"blueprint": "five", "title": "t" * 201, "opens": huge,
                                                     "closes": "", "max_attempts": huge, "away_alert_after": huge}),
        ("organiser", "POST", f"/admin/sessions/{session}/attempts/{attempt}/extend",
         {"minutes": huge, "reason": "r", "confirmed": "1"}),
        ("organiser", "POST", f"/admin/sessions/{session}/attempts/{attempt}/extend",
         {"minutes": "١٠٠٠٠", "reason": "r" * 201, "confirmed": "1"}),
        ("organiser", "POST", f"/admin/sessions/{session}/keys/{world['revision_id']}",
         {"key": "[" * 5000, "explanation": "e", "confirmed": "1"}),
        ("organiser", "POST", f"/admin/sessions/{session}/keys/{world['revision_id']}",
         {"key": "Z", "explanation": "e" * 5001, "confirmed": "1"}),
        ("organiser", "POST", f"{round_page}/judges", {"judge": "x" * 5000, "group": "y" * 5000}),
        ("organiser", "POST", f"{round_page}/judges/remove", {"judge": "j1", "group": huge}),
        ("organiser", "POST", f"{round_page}/publish", {"confirmed": "1", "draft": "x" * 5000}),
        ("organiser", "POST", f"{round_page}/close", {"confirmed": "1", "draft": "x", "settle": ["x" * 5000] * 50}),
        ("judge", "POST", f"/scoring/rounds/{rnd}/candidates/{cid}", {"component": "lecture", "score": huge}),
        ("judge", "POST", f"/scoring/rounds/{rnd}/candidates/{cid}", {"component": "lecture", "score": "nan"}),
        ("judge", "POST", f"/scoring/rounds/{rnd}/candidates/{cid}", {"component": "lecture", "score": "1e400"}),
        ("judge", "POST", f"/scoring/rounds/{rnd}/candidates/{cid}", {"component": "x" * 1000, "score": "-inf"}),
        ("judge", "POST", f"/marking/responses/{world['response_id']}", {"score": "nan"}),
        ("judge", "POST", f"/marking/responses/{world['response_id']}", {"score": "inf"}),
        ("judge", "POST", f"/marking/responses/{world['response_id']}", {"score": "1e400"}),
        ("judge", "POST", f"/marking/responses/{world['response_id']}", {"score": "-" + huge}),
        ("candidate", "POST", "/practice/drills", {"count": huge, "low": huge, "high": "-" + huge}),
        ("candidate", "POST", "/practice/drills", {"mode": "x" * 1000, "scope": "bank:" + "x" * 1000, "types": "z"}),
        ("candidate", "POST", f"/practice/drills/{world['drill_id']}/answer", {"question_id": huge, "response": "A"}),
        ("candidate", "POST", f"/practice/drills/{world['drill_id']}/answer", {"question_id": "-1"}),
        ("candidate", "POST", "/password", {"current_password": "x" * 100_000, "new_password": "y" * 100_000,
                                            "confirm": "z"}),
    ]


def test_the_pages_fields_refuse_wrong_types_and_huge_numbers_and_store_nothing(app, world):
    visitors = {role: Visitor(app, username) for role, username in ROLES.items() if username}
    before = dump(app)
    for role, method, path, fields in page_cases(world):
        visitor = visitors[role]
        if method == "GET":
            reply = visitor.open(method, path, query_string=fields)
        else:
            reply = visitor.open(method, path, data={"csrf_token": visitor.token, **fields})
        assert reply.status_code < 500, (role, path, fields, reply.status_code, reply.get_data(as_text=True)[:500])
    assert dump(app) == before


def test_score_sheet_uploads_with_bad_bytes_import_nothing(app, world):
    organiser = Visitor(app, "organiser1")
    before = dump(app)
    sheets = [b"username,score\nzhao,9" + b"9" * 400, b"username,score\nzhao\x00,50\n", b"username,score\n\xff\xfe,1\n",
              b"username,score\nzhao,nan\n", b"username,score\nzhao,1e400\n", b"\x00" * 1000,
              b"username,judge,score\nzhao,j1,=cmd|' /C calc'!A0\n", b"name,points\n" + b"x" * (3 * 2**20)]
    for sheet in sheets:
        reply = organiser.open("POST", "/admin/contests/test-2026/rounds/preliminary/scores",
                               data={"csrf_token": organiser.token, "component": "lecture",
                                     "file": (io.BytesIO(sheet), "scores.csv")}, content_type="multipart/form-data")
        assert 400 <= reply.status_code < 500, (sheet[:40], reply.status_code, reply.get_data(as_text=True)[:300])
    assert dump(app) == before


# -- the size limit, one policy: 1 MB for answers and forms, 4 MB where a file is uploaded ---------------------------

def test_an_oversize_save_or_login_is_413_and_reads_nothing(app, world):
    candidate, anonymous = Visitor(app, "cand1"), Visitor(app, None)
    before = dump(app)
    path = f"/api/v1/attempts/{world['attempt_id']}/responses"
    for extra in ({"environ_overrides": {"CONTENT_LENGTH": str(200 * 2**20)}}, {}):
        body = json.dumps({"responses": {"1": "A" * 2**20}}).encode()
        reply = candidate.open("PUT", path, **json_request(candidate.token, body), **extra)
        assert reply.status_code == 413 and reply.get_json() == {
            "error": "too_large", "message": "提交的内容过大，超过了 1 MB 的上限，未作任何处理。"}
        reply = anonymous.open("POST", "/login", data={"csrf_token": anonymous.token, "username": "cand1",
                                                       "password": "x" * 2**20}, **extra)
        assert reply.status_code == 413 and "提交的内容过大，超过了 1 MB 的上限" in reply.get_data(as_text=True)
    assert dump(app) == before


def test_a_chunked_body_without_a_length_is_read_whole_or_refused_never_cut_short(app, world):
    """gunicorn passes a chunked body on with no Content-Length: past the limit it is 413, not parsed truncated."""
    candidate = Visitor(app, "cand1")
    keys = _items(app, world["attempt_id"])

    def chunked_save(text: str):
        body = json.dumps({"responses": {keys["五、"]: text}, "seq": 1}).encode()
        return candidate.open("PUT", f"/api/v1/attempts/{world['attempt_id']}/responses", input_stream=io.BytesIO(body),
                              headers={"Content-Type": "application/json", "X-CSRFToken": candidate.token},
                              environ_overrides={"wsgi.input_terminated": True})

    before = dump(app)
    assert chunked_save("a" * 2**20).status_code == 413
    assert dump(app) == before
    assert chunked_save("短答").status_code == 200


def test_a_whole_papers_worth_of_long_answers_is_well_within_the_limit(app, world):
    candidate = Visitor(app, "cand1")
    keys = _items(app, world["attempt_id"])
    essay = "中" * 20_000   # the longest short answer: 60 KB in UTF-8
    body = {"responses": {keys["五、"]: essay, keys["四、"]: ["空" * 500, "格" * 500]}, "seq": 1}
    reply = candidate.open("PUT", f"/api/v1/attempts/{world['attempt_id']}/responses",
                           **json_request(candidate.token, json.dumps(body, ensure_ascii=False).encode()))
    assert reply.status_code == 200, reply.get_json()


def test_a_score_sheet_may_be_larger_up_to_the_upload_limit(app, world):
    organiser = Visitor(app, "organiser1")

    def upload(size: int):
        sheet = b"username,score\n" + b"\n" * (size - 15)
        return organiser.open("POST", "/admin/contests/test-2026/rounds/preliminary/scores",
                              data={"csrf_token": organiser.token, "component": "written",
                                    "file": (io.BytesIO(sheet), "scores.csv")}, content_type="multipart/form-data")

    assert upload(3 * 2**20).status_code == 302, "3 MB of sheet is read (and holds no scores)"
    reply = upload(4 * 2**20)
    assert reply.status_code == 413 and "超过了 4 MB 的上限" in reply.get_data(as_text=True)


def test_text_typed_into_a_form_with_a_nul_is_refused_and_nothing_is_scheduled(app, world):
    organiser = Visitor(app, "organiser1")
    before = dump(app)
    reply = organiser.open("POST", "/admin/sessions/new", data={
        "csrf_token": organiser.token, "blueprint": "five", "title": "复赛\x00笔试", "opens": "2026-12-02T09:00",
        "closes": "2026-12-02T10:00", "usernames": "cand1", "review": "after_close", "max_attempts": "1"})
    assert reply.status_code == 400
    refusal = "提交的内容含有无法保存的字符（空字符、控制字符或不成对的代理项），请删除后重试。"
    assert refusal in reply.get_data(as_text=True)
    assert dump(app) == before


def test_the_command_lines_version_number_is_bounded_too(runner, world):
    result = runner.invoke(args=["standings", "show", "test-2026/preliminary", "--version", "9223372036854775808"])
    assert result.exit_code == 2 and "is not in the range" in result.output and result.exception.__class__ is SystemExit
