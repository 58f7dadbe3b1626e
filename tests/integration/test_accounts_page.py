"""The organisers' page for logins (/admin/accounts): who is slowed or held, unlocking, signing an account out on
every device; and the sweep that prunes what the throttle has forgotten."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.attempts.sweeper import sweep_all
from app.extensions import db
from app.models import AccountThrottle, AuditEvent, LoginFailure, User, utcnow
from app.users import logins
from plugins.accounts import csrf_from, fail_logins, login


def post(client, path: str, data: dict | None = None):
    token = csrf_from(client.get("/admin/accounts").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).filter_by(action=action).options(
            joinedload(AuditEvent.actor))))


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def version(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.session_version).filter_by(username=username))


@pytest.fixture
def hall(app, make_user):
    """zhang held after a long attack, li slowed by a few failures, wang with one typo, and made-up names."""
    make_user("zhang", name="张三")
    make_user("li", name="李四")
    make_user("wang", name="王五")
    now = utcnow()
    fail_logins(app, "zhang", 100, "10.0.0.1", now - timedelta(minutes=61))
    fail_logins(app, "li", 12, "10.0.0.1", now - timedelta(minutes=1))
    fail_logins(app, "wang", 1, "10.0.0.2", now - timedelta(minutes=2))
    for name in ("ghost1", "ghost2"):
        fail_logins(app, name, 1, "10.0.0.3", now)


def test_organisers_reach_the_page_from_their_nav(organiser_client):
    html = organiser_client.get("/admin/").get_data(as_text=True)
    assert '<a href="/admin/accounts">账号与登录</a>' in html
    page = organiser_client.get("/admin/accounts").get_data(as_text=True)
    assert "近一小时没有账号登录失败" in page and "flask users unlock 用户名" in page


@pytest.mark.parametrize("role", ["candidate", "judge"])
def test_only_organisers_see_it(client, make_user, role):
    make_user("someone", role=role)
    login(client, "someone")
    assert client.get("/admin/accounts").status_code == 403
    assert client.post("/admin/accounts/someone/unlock").status_code in (400, 403)


def test_held_accounts_come_first_then_slowed_then_the_rest(organiser_client, hall):
    html = organiser_client.get("/admin/accounts").get_data(as_text=True)
    assert html.index("张三") < html.index("李四") < html.index("王五")
    assert "已暂停登录" in html and "减速中" in html and "有失败记录，未受限" in html
    assert "10.0.0.1 ×100" in html and "10.0.0.1 ×12" in html
    assert "另有 2 个不存在的用户名" in html and "ghost1" not in html


def test_unlocking_from_the_page_lets_the_owner_in_at_once_and_is_recorded(app, organiser_client, hall):
    response = post(organiser_client, "/admin/accounts/zhang/unlock")
    assert response.status_code == 302 and response.location == "/admin/accounts?q=zhang"
    assert "已解除 张三（zhang）的登录限制" in organiser_client.get(response.location).get_data(as_text=True)
    [event] = events(app, "user.unlocked")
    assert (event.subject, event.actor.username, event.details["failures"]) == ("zhang", "organiser1", 100)
    owner = app.test_client()
    assert login(owner, "zhang", REMOTE_ADDR="10.0.0.1").location == "/"


def test_a_hold_shows_its_run_of_failures_long_after_they_are_forgotten(app, organiser_client, make_user):
    make_user("zhang", name="张三")
    fail_logins(app, "zhang", 100, "10.0.0.1", utcnow() - timedelta(hours=5))
    html = organiser_client.get("/admin/accounts?q=zhang").get_data(as_text=True)
    assert "已暂停登录" in html and "连续失败 100 次" in html


def test_unlocking_an_account_without_failures_changes_nothing(app, organiser_client, make_user):
    make_user("zhao", name="赵六")
    response = post(organiser_client, "/admin/accounts/zhao/unlock")
    assert "没有登录限制，无需解锁" in organiser_client.get(response.location).get_data(as_text=True)
    assert events(app, "user.unlocked") == []


def test_an_unknown_account_is_404(organiser_client, hall):
    assert post(organiser_client, "/admin/accounts/ghost1/unlock").status_code == 404
    assert post(organiser_client, "/admin/accounts/ghost1/sign-out").status_code == 404


def test_finding_an_account_shows_its_logins_and_acts(organiser_client, hall):
    html = organiser_client.get("/admin/accounts?q=li").get_data(as_text=True)
    assert "李四（<code>li</code>" in html and "连续失败 12 次" in html
    assert 'action="/admin/accounts/li/unlock"' in html and 'action="/admin/accounts/li/sign-out"' in html
    html = organiser_client.get("/admin/accounts?q=nobody").get_data(as_text=True)
    assert "没有符合条件的账号" in html


def test_signing_out_everywhere_asks_first_then_ends_every_session_recorded(app, organiser_client, make_user):
    make_user("zhang", name="张三")
    phone, desk = app.test_client(), app.test_client()
    login(phone, "zhang")
    login(desk, "zhang")
    before = version(app, "zhang")

    asked = post(organiser_client, "/admin/accounts/zhang/sign-out")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<dialog" in html and "让张三在所有设备上退出" in html
    assert "已保存的答案不会丢失" in html and 'name="confirmed" value="1"' in html
    assert version(app, "zhang") == before and events(app, "user.signed_out_everywhere") == []
    assert phone.get("/password").status_code == 200

    done = post(organiser_client, "/admin/accounts/zhang/sign-out", {"confirmed": "1"})
    assert done.status_code == 302
    assert "张三（zhang）在所有设备上的登录都已失效" in organiser_client.get(done.location).get_data(as_text=True)
    assert phone.get("/password").status_code == desk.get("/password").status_code == 302
    [event] = events(app, "user.signed_out_everywhere")
    assert (event.subject, event.actor.username) == ("zhang", "organiser1")
    assert login(phone, "zhang").location == "/", "the password still works"


# ---- pruning -------------------------------------------------------------------------------------

def test_the_sweep_prunes_what_is_forgotten_and_keeps_holds_whatever_the_name(app, make_user):
    make_user("zhang")
    make_user("li")
    now = utcnow()
    fail_logins(app, "zhang", 100, "10.0.0.1", now - timedelta(hours=3))      # held, quiet since
    fail_logins(app, "li", 2, "10.0.0.1", now - timedelta(minutes=61))        # forgotten
    fail_logins(app, "li", 1, "10.0.0.2", now - timedelta(minutes=10))        # still counted
    fail_logins(app, "ghost", 100, "10.0.0.1", now - timedelta(hours=3))      # a made-up name, held
    with app.app_context():
        swept = sweep_all(now)
        assert swept.forgotten == 3   # the pairs zhang@1, li@1 and ghost@1; not a hold, of an account or not
        assert sorted(db.session.execute(select(LoginFailure.username, LoginFailure.address)).all()) == [
            ("li", "10.0.0.2")]
        assert sorted(db.session.scalars(select(AccountThrottle.username))) == ["ghost", "li", "zhang"]
        assert logins.unknown_names(now) == 1, "the organisers see the held made-up name"
        assert sweep_all(now).forgotten == 0


def test_made_up_names_never_pile_up(app):
    start = utcnow() - timedelta(hours=2)
    for n in range(200):
        fail_logins(app, f"nobody{n}", 1, "10.0.0.9", start)
    assert rows(app, LoginFailure) == rows(app, AccountThrottle) == 200
    with app.app_context():
        assert sweep_all(utcnow()).forgotten == 400
        assert logins.unknown_names(utcnow()) == 0
    assert rows(app, LoginFailure) == rows(app, AccountThrottle) == 0
