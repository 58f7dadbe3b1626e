"""Logging in and out, choosing one's own password and failed-login throttling, through the HTTP pages."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from flask_login import current_user, login_required
from sqlalchemy import select

from app import create_app
from app.attempts.sweeper import sweep_all
from app.extensions import db
from app.models import AccountThrottle, AuditEvent, LoginFailure, User
from app.users.service import check_password
from plugins.accounts import csrf_from, fail_logins, login
from plugins.http import Browser

T0 = datetime(2022, 10, 8, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = T0

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("app.auth.routes.utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def zhang(make_user):
    return make_user("zhang", name="张三")


def page(client, path: str, **environ) -> str:
    return client.get(path, environ_overrides=environ).get_data(as_text=True)


def is_logged_in(client, **environ) -> bool:
    return client.get("/password", environ_overrides=environ).status_code == 200


def stored(app, model, **filters):
    with app.app_context():
        return db.session.scalar(select(model).filter_by(**filters))


def change_password(client, current: str, new: str, confirm: str | None = None):
    token = csrf_from(page(client, "/password"))
    return client.post("/password", data={"current_password": current, "new_password": new,
                                          "confirm": new if confirm is None else confirm, "csrf_token": token})


# ---- the login page ------------------------------------------------------------------------------

def test_the_login_page_shows_the_form_with_a_csrf_token(client):
    html = page(client, "/login")
    assert 'name="username"' in html and 'name="password"' in html and csrf_from(html)
    assert "登录" in html


def test_a_login_without_the_csrf_token_is_refused(client, zhang):
    response = client.post("/login", data={"username": "zhang", "password": "secret-pass-1"})
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_a_wrong_password_is_refused_with_a_clear_message(client, zhang):
    response = login(client, "zhang", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert not is_logged_in(client)


def alert(html: str) -> str:
    return re.search(r'role="alert">([^<]*)<', html).group(1)


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_password(client, zhang):
    wrong = login(client, "zhang", "wrong-password")
    unknown = login(client, "nobody", "wrong-password")
    assert wrong.status_code == unknown.status_code == 200
    assert alert(wrong.get_data(as_text=True)) == alert(unknown.get_data(as_text=True)) == "用户名或密码错误。"


def test_an_empty_form_asks_for_the_fields(client):
    html = login(client, "", "").get_data(as_text=True)
    assert "请输入用户名" in html and "请输入密码" in html


def test_a_good_login_goes_home_and_stays_logged_in(client, zhang):
    response = login(client, "zhang")
    assert response.status_code == 302 and response.location == "/"
    assert is_logged_in(client)


def test_surrounding_spaces_in_the_username_are_ignored(client, zhang):
    assert login(client, "  zhang ").location == "/"


def test_a_logged_in_user_visiting_the_login_page_is_sent_on(client, zhang):
    login(client, "zhang")
    assert client.get("/login?next=/exam/").location == "/exam/"


def test_passwords_are_stored_hashed(app, zhang):
    user = stored(app, User, username="zhang")
    assert "secret-pass-1" not in user.password_hash
    assert check_password(user, "secret-pass-1")


def test_an_inactive_account_is_refused(app, client, zhang):
    with app.app_context():
        db.session.get(User, zhang.id).active = False
        db.session.commit()
    html = login(client, "zhang").get_data(as_text=True)
    assert "该账号已停用" in html
    assert not is_logged_in(client)


# ---- where a login leads -------------------------------------------------------------------------

def login_to(client, next_url: str):
    token = csrf_from(page(client, "/login"))
    return client.post("/login", query_string={"next": next_url},
                       data={"username": "zhang", "password": "secret-pass-1", "csrf_token": token})


def test_a_login_goes_on_to_the_local_page_asked_for(client, zhang):
    assert login_to(client, "/exam/?session=3").location == "/exam/?session=3"


def test_the_login_form_keeps_the_next_page(client):
    assert 'action="/login?next=/exam/"' in page(client, "/login?next=/exam/")


def test_a_protected_page_sends_a_stranger_to_login_and_back(client, zhang):
    response = client.get("/password")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    token = csrf_from(page(client, response.location))
    back = client.post(response.location, data={"username": "zhang", "password": "secret-pass-1", "csrf_token": token})
    assert back.location == "/password"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                      "/\t/evil.example", "javascript:alert(1)", "evil.example"])
def test_a_next_page_off_the_site_is_ignored(client, zhang, next_url):
    assert login_to(client, next_url).location == "/"


# ---- staying logged in ---------------------------------------------------------------------------

def test_the_session_survives_a_change_of_address(app, client, zhang):
    @login_required
    def whoami():
        return current_user.username

    app.add_url_rule("/whoami", view_func=whoami)
    login(client, "zhang", REMOTE_ADDR="10.1.0.7")
    response = client.get("/whoami", environ_overrides={"REMOTE_ADDR": "172.16.4.2"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "zhang"
    assert is_logged_in(client, REMOTE_ADDR="172.16.4.2")


def test_logged_in_pages_carry_the_csrf_meta_tag(client, zhang):
    login(client, "zhang")
    assert '<meta name="csrf-token"' in page(client, "/password")


def test_logout_is_a_post_with_the_csrf_token(client, zhang):
    login(client, "zhang")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert is_logged_in(client)
    response = client.post("/logout", data={"csrf_token": csrf_from(page(client, "/password"))})
    assert response.status_code == 302 and response.location == "/login"
    assert not is_logged_in(client)


# ---- choosing one's own password -----------------------------------------------------------------

@pytest.fixture
def newcomer(make_user):
    return make_user("li", name="李四", password="initial-pass", must_change_password=True)


def test_an_account_with_a_generated_password_is_sent_to_choose_its_own(client, newcomer):
    assert login(client, "li", "initial-pass").location == "/"
    for path in ("/", "/exam/", "/admin/", "/login"):
        assert client.get(path).location == "/password", path
    assert "请先设置您自己的密码" in page(client, "/password")


def test_static_files_and_logout_stay_open_before_the_password_is_chosen(client, newcomer):
    login(client, "li", "initial-pass")
    assert client.get("/static/css/app.css").status_code == 200
    token = csrf_from(page(client, "/password"))
    assert client.post("/logout", data={"csrf_token": token}).location == "/login"


def test_scripts_get_json_while_the_password_is_due(client, newcomer):
    login(client, "li", "initial-pass")
    response = client.get("/api/v1/sessions")
    assert response.status_code == 403 and response.get_json()["error"] == "password_change_required"


def test_choosing_a_new_password_lets_the_account_in(app, client, newcomer):
    login(client, "li", "initial-pass")
    response = change_password(client, "initial-pass", "my-own-password")
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").location == "/exam/"
    user = stored(app, User, username="li")
    assert not user.must_change_password and check_password(user, "my-own-password")
    event = stored(app, AuditEvent, action="user.password_changed")
    assert event.subject == "li" and event.actor_id == user.id


def test_the_new_password_works_and_the_old_one_no_longer_does(client, zhang):
    login(client, "zhang")
    change_password(client, "secret-pass-1", "another-pass-2")
    client.post("/logout", data={"csrf_token": csrf_from(page(client, "/password"))})
    assert "用户名或密码错误" in login(client, "zhang", "secret-pass-1").get_data(as_text=True)
    assert login(client, "zhang", "another-pass-2").location == "/"


@pytest.mark.parametrize("current, new, confirm, message", [
    ("wrong-pass", "my-own-password", None, "原密码不正确"),
    ("initial-pass", "short-pass", None, "密码至少 12 个字符（连续的空格算一个）"),
    ("initial-pass", "a           b", None, "密码至少 12 个字符"),
    ("initial-pass", "password1234", None, "这是常见密码"),
    ("initial-pass", "12345678", None, "密码至少 12 个字符"),
    ("initial-pass", "李四的党课讲得非常好听啊", None, "密码不能包含用户名或姓名"),
    ("initial-pass", "x" * 129, None, "密码不超过 128 个字符"),
    ("initial-pass", "abcabcabcabc", None, "密码不能只是重复或连续的字符"),
    ("initial-pass", "my-own-password", "my-own-passw0rd", "两次输入的新密码不一致"),
    ("initial-pass", "initial-pass", None, "新密码不能与原密码相同"),
])
def test_a_bad_new_password_is_refused_and_nothing_changes(app, client, newcomer, current, new, confirm, message):
    login(client, "li", "initial-pass")
    response = change_password(client, current, new, confirm)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    user = stored(app, User, username="li")
    assert user.must_change_password and check_password(user, "initial-pass")
    assert stored(app, AuditEvent, action="user.password_changed") is None


def test_the_username_itself_is_refused_as_a_new_password(app, make_user, client):
    make_user("zhangsan-2022", name="张三")
    login(client, "zhangsan-2022")
    html = change_password(client, "secret-pass-1", "zhangsan-2022").get_data(as_text=True)
    assert "密码不能包含用户名或姓名" in html
    assert check_password(stored(app, User, username="zhangsan-2022"), "secret-pass-1")


def test_a_username_too_short_to_look_for_may_appear(client, newcomer):
    """"li" turns up in too many good passphrases; the name 李四 is what may not."""
    login(client, "li", "initial-pass")
    assert change_password(client, "initial-pass", "believe in the light").location == "/"


def test_the_password_form_says_the_rules_and_hints_from_a_script_file(client, zhang):
    login(client, "zhang")
    html = page(client, "/password")
    assert "至少 12 个字符" in html and "不能包含用户名或姓名" in html and "不能是常见密码" in html
    assert 'data-minimum="12"' in html and 'data-personal="zhang\n张三"' in html
    assert 'aria-describedby="password-rules"' in html
    assert re.search(r'<script src="/static/js/password\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script: the CSP forbids them"
    assert client.get("/static/js/password.js").status_code == 200


# ---- throttling failed logins --------------------------------------------------------------------

HALL = "10.0.0.1"


@pytest.fixture
def checks(monkeypatch):
    """How many passwords were actually checked against a hash (the decoy for unknown names included)."""
    from app.users import service
    counted = []
    real = service.check_password_hash
    monkeypatch.setattr(service, "check_password_hash", lambda *args: counted.append(1) or real(*args))
    return counted


def try_login(client, username: str, password: str = "wrong-password", address: str = HALL):
    return login(client, username, password, REMOTE_ADDR=address)


def fail(client, username: str, times: int, clock: Clock, address: str = HALL) -> None:
    """Fail `times` logins, each as soon as the wait the previous ones earned allows (as a script paced by
    Retry-After would)."""
    for _ in range(times):
        response = try_login(client, username, address=address)
        if response.status_code == 429:
            clock.advance(int(response.headers["Retry-After"]))
            response = try_login(client, username, address=address)
        assert response.status_code == 200 and "用户名或密码错误" in response.get_data(as_text=True)


def test_after_the_free_failures_a_try_must_wait_and_its_password_is_not_checked(client, zhang, clock, checks):
    fail(client, "zhang", 3, clock)
    assert len(checks) == 3
    response = try_login(client, "zhang", "secret-pass-1")
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "尝试过于频繁，请 1 秒后再试" in response.get_data(as_text=True)
    assert len(checks) == 3 and not is_logged_in(client)
    clock.advance(1)
    assert try_login(client, "zhang", "secret-pass-1").location == "/"


def test_the_wait_grows_with_each_failure_up_to_half_a_minute(client, zhang, clock):
    fail(client, "zhang", 6, clock)
    assert "请 8 秒后再试" in try_login(client, "zhang").get_data(as_text=True)
    clock.advance(5)
    assert "请 3 秒后再试" in try_login(client, "zhang").get_data(as_text=True)
    clock.advance(3)
    fail(client, "zhang", 2, clock, address="10.0.0.1")
    assert try_login(client, "zhang").headers["Retry-After"] == "30"


def test_the_neighbours_attack_never_keeps_the_owner_out_of_the_hall_for_a_minute(client, zhang, clock, checks):
    """A neighbour in the same hall (same address) guesses the owner's password as fast as Retry-After allows;
    the owner, typing the right password at the same address, is in within a minute of the last guess."""
    fail(client, "zhang", 30, clock)
    attack_over = clock.now
    response = try_login(client, "zhang", "secret-pass-1")
    while response.status_code == 429:
        clock.advance(int(response.headers["Retry-After"]))
        response = try_login(client, "zhang", "secret-pass-1")
    assert response.location == "/" and is_logged_in(client)
    assert (clock.now - attack_over).total_seconds() <= 60


def test_the_account_is_paced_across_every_address(client, zhang, clock, checks):
    """Twenty addresses buy no more guesses than one: after ten failures the account hears one try per 40 s."""
    for n in range(20):
        for _ in range(3):
            try_login(client, "zhang", address=f"10.1.0.{n}")
    assert len(checks) == 10
    response = try_login(client, "zhang", "secret-pass-1", address="10.9.9.9")
    assert response.status_code == 429 and response.headers["Retry-After"] == "40"
    clock.advance(40)
    assert try_login(client, "zhang", "secret-pass-1", address="10.9.9.9").location == "/"


def test_a_long_run_of_failures_holds_the_account_for_an_organiser(app, client, zhang, clock, checks):
    fail(client, "zhang", 100, clock, address="10.2.0.1")
    clock.advance(3 * 3600)
    response = try_login(client, "zhang", "secret-pass-1", address="10.3.0.1")
    assert response.status_code == 429 and "Retry-After" not in response.headers
    assert "该账号因连续多次密码错误已暂停登录，请联系组织者解锁" in response.get_data(as_text=True)
    assert len(checks) == 100
    assert app.test_cli_runner().invoke(args=["users", "unlock", "zhang"]).exit_code == 0
    assert try_login(client, "zhang", "secret-pass-1", address="10.3.0.1").location == "/"


def test_one_accounts_failures_do_not_slow_others_behind_the_same_address(client, make_user, clock):
    make_user("a1")
    make_user("b1")
    fail(client, "a1", 30, clock)
    assert try_login(client, "a1").status_code == 429
    assert try_login(client, "b1", "secret-pass-1").location == "/"


def test_an_addresses_failures_slow_the_account_elsewhere_only_past_the_accounts_free_ones(client, zhang, clock):
    fail(client, "zhang", 9, clock, address="10.8.8.8")
    assert try_login(client, "zhang", address="10.8.8.8").status_code == 429
    assert try_login(client, "zhang", "secret-pass-1", address="10.9.9.9").location == "/"


def test_unknown_usernames_are_throttled_the_same_way(app, client, zhang, clock):
    known, unknown = [], []
    for username, answers in (("zhang", known), ("ghost", unknown)):
        for _ in range(4):
            response = try_login(client, username)
            html = response.get_data(as_text=True)
            answers.append((response.status_code, response.headers.get("Retry-After"), alert(html)))
    assert known == unknown
    assert stored(app, LoginFailure, username="ghost").failures == 3
    assert stored(app, AccountThrottle, username="ghost").failures == 3


def test_a_held_made_up_name_answers_as_a_held_account_after_the_sweep(app, client, zhang, clock):
    """100 failures in a row hold any name. Were a made-up name's hold pruned by the sweep after a quiet hour and an
    account's kept, one more try would then sort guessed names into accounts (still 429, 暂停登录) and not (heard
    again: 用户名或密码错误), holding every real one found."""
    for username in ("zhang", "ghost"):
        fail_logins(app, username, 100, "10.9.0.1", clock.now)
    clock.advance(3 * 3600)
    with app.app_context():
        sweep_all(clock.now)
    answers = [(response.status_code, alert(response.get_data(as_text=True)))
               for response in (try_login(client, "zhang"), try_login(client, "ghost"))]
    assert answers[0] == answers[1] == (429, "该账号因连续多次密码错误已暂停登录，请联系组织者解锁。")


def test_failures_are_kept_in_the_database_so_every_app_process_agrees(app, zhang, clock):
    fail(app.test_client(), "zhang", 5, clock)
    other_process = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    assert try_login(other_process.test_client(), "zhang").status_code == 429
    with other_process.app_context():
        db.engine.dispose()


def test_a_good_login_forgets_the_accounts_failures_but_not_other_addresses(app, client, zhang, clock):
    fail(client, "zhang", 2, clock)
    fail(client, "zhang", 4, clock, address="10.6.6.6")
    assert stored(app, AccountThrottle, username="zhang").failures == 6
    assert try_login(client, "zhang", "secret-pass-1").location == "/"
    assert stored(app, LoginFailure, username="zhang", address=HALL) is None
    assert stored(app, AccountThrottle, username="zhang") is None
    assert stored(app, LoginFailure, username="zhang", address="10.6.6.6").failures == 4


def test_failures_an_hour_old_are_forgotten(app, client, zhang, clock):
    fail(client, "zhang", 9, clock)
    clock.advance(3600)
    assert try_login(client, "zhang").status_code == 200
    assert stored(app, LoginFailure, username="zhang").failures == 1
    assert stored(app, AccountThrottle, username="zhang").failures == 1


def test_a_refused_try_is_not_counted(app, client, zhang, clock):
    fail(client, "zhang", 3, clock)
    for _ in range(5):
        assert try_login(client, "zhang").status_code == 429
    assert stored(app, LoginFailure, username="zhang").failures == 3


def test_guessing_the_current_password_on_the_password_page_is_throttled_too(client, zhang, clock):
    login(client, "zhang", REMOTE_ADDR=HALL)
    for _ in range(3):
        change_password(client, "wrong-pass", "another-pass-2")
    response = change_password(client, "secret-pass-1", "another-pass-2")
    assert response.status_code == 429 and "尝试过于频繁" in response.get_data(as_text=True)


# ---- many tries at once --------------------------------------------------------------------------

def all_at_once(tries: list, attempt) -> list:
    """Run attempt(try) for every try in its own thread, released together."""
    start = threading.Barrier(len(tries))

    def released(one):
        start.wait()
        return attempt(one)

    with ThreadPoolExecutor(len(tries)) as pool:
        return list(pool.map(released, tries))


def test_forty_wrong_logins_at_once_over_http_get_no_more_checks_than_one_after_another(live_server, zhang, clock,
                                                                                        checks):
    """The slot is taken (and committed) before the password is checked, so racing tries see it."""
    browsers = [Browser(live_server) for _ in range(40)]
    tokens = [browser.login_form() for browser in browsers]
    statuses = all_at_once(list(zip(browsers, tokens, strict=True)), lambda one: one[0].post("/login", {
        "username": "zhang", "password": "wrong-password", "csrf_token": one[1]})[0])
    assert len(checks) == 3
    assert sorted(statuses) == [200] * 3 + [429] * 37


def test_sixty_wrong_logins_at_once_from_twenty_addresses_get_the_accounts_ten(app, zhang, clock, checks):
    clients = [(app.test_client(), f"10.4.0.{n % 20}") for n in range(60)]
    tokens = [csrf_from(page(client, "/login", REMOTE_ADDR=address)) for client, address in clients]

    def attempt(one):
        (client, address), token = one
        return client.post("/login", environ_overrides={"REMOTE_ADDR": address}, data={
            "username": "zhang", "password": "wrong-password", "csrf_token": token}).status_code

    statuses = all_at_once(list(zip(clients, tokens, strict=True)), attempt)
    assert len(checks) == 10
    assert sorted(statuses) == [200] * 10 + [429] * 50
