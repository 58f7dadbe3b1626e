"""Every POST form carries Flask-WTF's CSRF token, through a FlaskForm or the one helper (app/forms.py csrf_field):
a post without it is refused with nothing written, the same post with its page's token is taken, and no template
writes the token input by hand."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, Drill, JudgeAssignment, ScoreEntry, User
from plugins.accounts import csrf_from, login
from plugins.contests import PRELIMINARY, client_for, count, round_id

APP = Path(__file__).resolve().parents[2] / "app"
REFUSED = "请求有误，请返回重试。"


def without_then_with_token(client, page: str, url: str, fields: dict):
    """The form posted without a token, then with the token its page carries."""
    bare = client.post(url, data=fields)
    token = csrf_from(client.get(page).get_data(as_text=True))
    return bare, client.post(url, data={**fields, "csrf_token": token})


def assert_refused(reply) -> None:
    assert reply.status_code == 400 and REFUSED in reply.get_data(as_text=True)


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


# -- a sample of the forms: fields (FlaskForm) and buttons (ActionForm) -----------------------------------------

def test_a_judge_assignment_needs_the_token(app, organiser_client, contest):
    fields = {"judge": "j3", "group": "c03"}
    bare, sent = without_then_with_token(organiser_client, PRELIMINARY, f"{PRELIMINARY}/judges", fields)
    assert_refused(bare)
    assert sent.status_code == 302 and sent.location.endswith("#judges")
    assert count(app, JudgeAssignment) == 4


def test_a_judges_score_needs_the_token(app, contest):
    j1 = client_for(app, "j1")
    sheet = f"/scoring/rounds/{round_id(app)}"
    url = f"{sheet}/candidates/{user_id(app, 'zhao')}"
    bare = j1.post(url, data={"component": "lecture", "score": "88"})
    assert_refused(bare)
    assert count(app, ScoreEntry) == 0
    token = csrf_from(j1.get(sheet).get_data(as_text=True))
    sent = j1.post(url, data={"component": "lecture", "score": "88", "csrf_token": token})
    assert sent.status_code == 302 and count(app, ScoreEntry) == 1


def test_a_drill_needs_the_token(app, cadre_client):
    fields = {"mode": "filtered", "count": "10"}
    bare, sent = without_then_with_token(cadre_client, "/practice/", "/practice/drills", fields)
    assert_refused(bare)
    assert sent.status_code == 302 and "/practice/drills/" in sent.location
    assert count(app, Drill) == 1


def test_starting_an_exam_needs_the_token_even_when_confirmed(app, client, exam):
    login(client, "cand1")
    bare, sent = without_then_with_token(client, "/exam/", f"/exam/sessions/{exam}/start", {"confirmed": "1"})
    assert_refused(bare)
    assert sent.status_code == 302 and "/exam/attempts/" in sent.location
    assert count(app, Attempt) == 1


def test_a_stale_or_forged_token_is_refused_like_none(organiser_client, contest):
    reply = organiser_client.post(f"{PRELIMINARY}/judges", data={"judge": "j3", "group": "c03", "csrf_token": "x"})
    assert_refused(reply)


def test_logout_needs_the_token(client, make_user):
    make_user("zhang")
    login(client, "zhang")
    assert_refused(client.post("/logout"))
    token = csrf_from(client.get("/exam/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).location == "/login"


@pytest.mark.parametrize("body", [b"[1]", b"123", b'"x"', b'{"mode": "x"}'])
def test_a_pages_form_reads_no_json_body(cadre_client, body):
    """JSON is the API's: a page's form posted as JSON reads as an empty form, whatever the JSON holds."""
    token = csrf_from(cadre_client.get("/practice/").get_data(as_text=True))
    reply = cadre_client.post("/practice/drills", data=body,
                              headers={"Content-Type": "application/json", "X-CSRFToken": token})
    assert reply.status_code == 302 and "/practice/drills/" in reply.location


@pytest.mark.parametrize("path", ["/exam/", "/practice/", "/practice/book"])
def test_pages_write_the_token_the_way_they_always_have(cadre_client, path):
    html = cadre_client.get(path).get_data(as_text=True)
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', html)
    assert 'id="csrf_token"' not in html


# -- no hand-written token ------------------------------------------------------------------------------------

HAND_WRITTEN = re.compile(r"""name=["']csrf_token["']|csrf_token\(\)""")
SCRIPTS_TOKEN = '<meta name="csrf-token" content="{{ csrf_token() }}">'   # what page scripts send to the API
POST_FORM = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.S | re.I)


def templates() -> list[Path]:
    return sorted(APP.rglob("*.html"))


def test_no_template_writes_the_csrf_input_by_hand():
    found = [f"{path.relative_to(APP)}:{number}" for path in templates()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if HAND_WRITTEN.search(line.replace(SCRIPTS_TOKEN, ""))]
    assert templates() and found == []


def test_no_code_writes_the_csrf_input_by_hand():
    found = [str(path.relative_to(APP)) for path in sorted(APP.rglob("*.py"))
             if HAND_WRITTEN.search(path.read_text(encoding="utf-8"))]
    assert found == []


def test_every_post_form_in_a_template_carries_the_token():
    missing = [f"{path.relative_to(APP)}: {body.strip()[:60]}" for path in templates()
               for body in POST_FORM.findall(path.read_text(encoding="utf-8"))
               if "{{ csrf_field() }}" not in body and "{{ form.csrf_token }}" not in body]
    assert missing == []
