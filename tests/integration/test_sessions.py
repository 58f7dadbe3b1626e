"""Sessions that end: logout, a new password and an organiser's sign-out kill every copy of every cookie of the
account; and a plain-HTTP deployment with secure cookies says why the login did not stick."""
from flask_login.utils import encode_cookie
from sqlalchemy import event, inspect

from app.extensions import db
from app.models import Organisation, User
from app.users.logins import session_account
from plugins.accounts import csrf_from, login
from plugins.http import Browser


def is_logged_in(client) -> bool:
    return client.get("/password").status_code == 200


def copy_of(app, device):
    """Another client carrying a copy of the device's session cookie, as someone who captured it would."""
    thief = app.test_client()
    thief.set_cookie("session", device.get_cookie("session").value)
    return thief


def log_out(client):
    token = csrf_from(client.get("/password").get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": token})


def change_password(client, current: str, new: str):
    token = csrf_from(client.get("/password").get_data(as_text=True))
    return client.post("/password", data={"current_password": current, "new_password": new, "confirm": new,
                                          "csrf_token": token})


def test_a_captured_cookie_works_until_logout_and_not_after(app, make_user):
    make_user("zhang")
    device = app.test_client()
    login(device, "zhang")
    captured = copy_of(app, device)
    assert is_logged_in(captured)
    response = log_out(device)
    assert "所有设备上的登录都已失效" in device.get(response.location).get_data(as_text=True)
    assert not is_logged_in(captured) and not is_logged_in(device)


def test_logout_signs_the_account_out_on_every_device(app, make_user):
    make_user("zhang")
    phone, desk = app.test_client(), app.test_client()
    login(phone, "zhang")
    login(desk, "zhang")
    log_out(phone)
    assert not is_logged_in(desk)
    assert login(desk, "zhang").location == "/" and is_logged_in(desk)


def test_logout_leaves_other_accounts_signed_in(app, make_user):
    make_user("zhang")
    make_user("li")
    zhang, li = app.test_client(), app.test_client()
    login(zhang, "zhang")
    login(li, "li")
    log_out(zhang)
    assert is_logged_in(li)


def test_a_new_password_keeps_this_device_and_ends_every_other(app, make_user):
    make_user("zhang")
    phone, desk = app.test_client(), app.test_client()
    login(phone, "zhang")
    login(desk, "zhang")
    captured = copy_of(app, desk)
    response = change_password(desk, "secret-pass-1", "a brand new passphrase")
    assert response.status_code == 302
    assert "其他设备上的登录都已失效" in desk.get("/password").get_data(as_text=True)
    assert is_logged_in(desk)
    assert not is_logged_in(phone) and not is_logged_in(captured)


def test_a_password_reset_by_an_organiser_ends_the_accounts_sessions(app, make_user):
    make_user("zhang", name="张三")
    device = app.test_client()
    login(device, "zhang")
    result = app.test_cli_runner().invoke(args=["users", "add", "zhang", "--name", "张三", "--role", "candidate",
                                                "--password", "organiser-chose-this"])
    assert result.exit_code == 0, result.output
    assert not is_logged_in(device)


def test_a_remember_me_cookie_ends_with_the_sessions(app, make_user):
    user = make_user("zhang")
    with app.test_request_context():
        remember = encode_cookie(user.get_id())
    browser = app.test_client()
    browser.set_cookie("remember_token", remember)
    assert is_logged_in(browser), "a remember-me cookie of the current version logs in"
    device = app.test_client()
    login(device, "zhang")
    log_out(device)
    stale = app.test_client()
    stale.set_cookie("remember_token", remember)
    assert not is_logged_in(stale)


def test_a_session_from_before_versions_is_not_honoured(app, make_user):
    user = make_user("zhang")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not is_logged_in(client)


def test_a_deactivated_account_loses_its_sessions(app, make_user):
    make_user("zhang")
    device = app.test_client()
    login(device, "zhang")
    with app.app_context():
        db.session.scalar(db.select(User).filter_by(username="zhang")).active = False
        db.session.commit()
    assert not is_logged_in(device)


def test_the_account_a_session_names_is_read_as_stored_into_the_session_and_outside_its_transaction(app, make_user):
    """Built from one Core read, not loaded by the ORM: it must be the account the ORM would give, in the session, its
    organisation loading on demand and a change to it written; on PostgreSQL it leaves the unit of work unbegun."""
    with app.app_context():
        db.session.add(Organisation(code="d1", name="第一党支部", type="direct_branch"))
        db.session.commit()
    user = make_user("zhang", org="d1", must_change_password=True)
    began: list[str | None] = []

    def begun(connection) -> None:
        began.append(connection.get_execution_options().get("isolation_level"))

    with app.test_request_context():
        event.listen(db.engine, "begin", begun)
        found = session_account(user.get_id())
        event.remove(db.engine, "begin", begun)
        assert inspect(found).persistent and found in db.session
        assert (found.id, found.username, found.name, found.role, found.password_hash, found.must_change_password,
                found.active, found.session_version, found.created_at) == (
                user.id, "zhang", "zhang", "candidate", user.password_hash, True, True, 0, user.created_at)
        assert not db.session.dirty
        assert began == ([None] if db.engine.dialect.name == "sqlite" else ["AUTOCOMMIT"])
        assert session_account(user.get_id()) is found   # the session's own, as Session.get would give
        assert found.organisation.name == "第一党支部"
        found.name = "张三"
        db.session.commit()
    with app.app_context():
        assert db.session.get(User, user.id).name == "张三"
        assert session_account(f"{user.id}:1") is None and session_account(f"{user.id + 1}:0") is None
        assert session_account("not-a-key") is None


# ---- plain HTTP with secure cookies (item 7) -------------------------------------------------------

def browser_login(base: str, username: str, password: str = "secret-pass-1") -> tuple[int, str]:
    browser = Browser(base)
    return browser.post("/login", {"username": username, "password": password, "csrf_token": browser.login_form()})


def test_plain_http_with_secure_cookies_says_why_the_login_did_not_stick(app, live_server, make_user):
    make_user("zhang")
    app.config["SESSION_COOKIE_SECURE"] = True   # the production default
    status, html = browser_login(live_server, "zhang")
    assert status == 400
    assert "SESSION_COOKIE_SECURE=1" in html and "SESSION_COOKIE_SECURE=0" in html and "https://" in html
    assert "请求有误" not in html
    assert 'name="username"' in html, "the login form is right there to try again"


def test_plain_http_logs_in_once_secure_cookies_are_off(app, live_server, make_user):
    make_user("zhang")
    app.config["SESSION_COOKIE_SECURE"] = False
    status, html = browser_login(live_server, "zhang")
    assert status == 200 and "我的考试" in html


def test_https_with_secure_cookies_logs_in_and_keeps_the_referrer_check(app, make_user):
    make_user("zhang")
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    page = client.get("/login", base_url="https://exam.example")
    assert "; Secure" in page.headers["Set-Cookie"]
    form = {"username": "zhang", "password": "secret-pass-1", "csrf_token": csrf_from(page.get_data(as_text=True))}
    assert client.post("/login", base_url="https://exam.example", data=form).status_code == 400, "no Referer"
    response = client.post("/login", base_url="https://exam.example", data=form,
                           headers={"Referer": "https://exam.example/login"})
    assert response.status_code == 302


def test_an_old_login_page_asks_to_log_in_again(app, make_user):
    make_user("zhang")
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "zhang", "password": "secret-pass-1", "csrf_token": "stale"})
    assert response.status_code == 400 and "页面已过期，请重新输入用户名和密码" in response.get_data(as_text=True)


def test_a_browser_refusing_cookies_is_told_so(app, make_user):
    make_user("zhang")
    client = app.test_client(use_cookies=False)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "zhang", "password": "secret-pass-1", "csrf_token": token})
    assert response.status_code == 400 and "请允许本站使用 Cookie" in response.get_data(as_text=True)


def test_pages_renew_the_login_and_api_calls_and_static_files_leave_the_cookie_alone(app, make_user):
    """A login lasts 12 hours from the last page opened: the cookie is sent again with pages only (an autosave need not
    re-sign it); a session that changed is always sent."""
    from plugins.exams import Candidate

    make_user("cand1", role="candidate")
    candidate = Candidate(app.test_client(), "cand1")
    api = candidate.call("GET", "/sessions")
    static = candidate.client.get("/static/css/app.css")
    page = candidate.client.get("/exam/")
    assert api.status_code == static.status_code == page.status_code == 200
    assert "Set-Cookie" not in api.headers and "Set-Cookie" not in static.headers
    assert "session=" in page.headers["Set-Cookie"] and "Expires=" in page.headers["Set-Cookie"]
    assert "session=" in log_out(candidate.client).headers["Set-Cookie"]   # changed: sent whatever the request
