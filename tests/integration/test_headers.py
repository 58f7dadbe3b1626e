"""Issue 9 item 5: every response carries the security headers (app/security.py) — every route in the URL map, as a
stranger and as each role, its pages, redirects, refusals, errors and API replies — and only static files may be
cached; HSTS only with secure cookies; ProxyFix believes exactly PROXY_COUNT proxies."""
import os
import subprocess
import sys

import pytest
from flask import request

from app import create_app
from app.extensions import db
from plugins.accounts import csrf_from, login
from plugins.site import ROLES, paths

POLICY = {
    "default-src": "'none'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self'",
    "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'", "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def client_as(app, username: str | None):
    client = app.test_client()
    if username:
        assert login(client, username).status_code == 302
    return client


def check_headers(response, where: str) -> None:
    headers = response.headers
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy == POLICY, where
    assert "unsafe" not in headers["Content-Security-Policy"], where
    assert headers["X-Frame-Options"] == "DENY", where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "same-origin", where
    assert "Strict-Transport-Security" not in headers, f"{where}: HSTS over plain HTTP"
    if response.request.path.startswith("/static/") and response.status_code < 400:
        assert headers.get("Cache-Control") != "no-store", where
    else:
        assert headers["Cache-Control"] == "no-store", where


def test_every_route_as_everyone_carries_the_headers(app, site):
    walk = paths(app, site)
    assert {endpoint for endpoint, _, _ in walk} == {rule.endpoint for rule in app.url_map.iter_rules()}
    shown: dict[str, bool] = {}
    for role, username in ROLES.items():
        client = client_as(app, username)
        for endpoint, method, path in walk:
            # Writes go without a CSRF token: refused (400) before they change anything, headers all the same.
            response = client.open(path, method=method)
            where = f"{method} {path} as {role} ({response.status_code})"
            assert response.status_code < 500, where
            check_headers(response, where)
            if method == "GET":
                shown[endpoint] = shown.get(endpoint, False) or response.status_code == 200
    # The walk reaches the pages themselves, not only redirects and refusals. These only redirect: home to one's
    # start page, the next answer to mark to it, and the result of cand1's attempt, still in progress, to the paper.
    assert {endpoint for endpoint, ok in shown.items() if not ok} == {"index", "marking.next_response", "exam.result"}


def test_a_sitting_from_login_to_result_carries_the_headers(app, site):
    candidate = app.test_client()
    form = csrf_from(candidate.get("/login").get_data(as_text=True))
    logged_in = candidate.post("/login", data={"username": "cand1", "password": "secret-pass-1", "csrf_token": form})
    assert logged_in.status_code == 302
    check_headers(logged_in, "POST /login")
    token = csrf_from(candidate.get("/exam/").get_data(as_text=True))
    api = f"/api/v1/attempts/{site['attempt_id']}"
    saved = candidate.put(f"{api}/responses", json={"responses": {}, "seq": 1}, headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    check_headers(saved, "PUT responses")
    submitted = candidate.post(f"{api}/submit", headers={"X-CSRFToken": token})
    assert submitted.status_code == 200
    check_headers(submitted, "POST submit")
    result = candidate.get(f"/exam/attempts/{site['attempt_id']}/result")
    assert result.status_code == 200
    check_headers(result, "GET result")


@pytest.mark.parametrize("path", ["/nowhere", "/static/css/nowhere.css", "/api/v1/nowhere"])
def test_not_found_is_not_cached_either(client, path):
    response = client.get(path)
    assert response.status_code == 404
    check_headers(response, f"GET {path} (404)")


def test_a_static_file_may_be_cached_but_not_sniffed(client):
    response = client.get("/static/js/exam.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    check_headers(response, "GET /static/js/exam.js")
    assert response.headers["Cache-Control"] != "no-store" and response.headers["ETag"]


@pytest.fixture
def app_with(_schema):
    """Another app on the test database, with some configuration of its own: app_with(PROXY_COUNT=1)."""
    made = []

    def make(**overrides):
        made.append(create_app("testing", SQLALCHEMY_DATABASE_URI=_schema, **overrides))
        return made[-1]
    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def test_hsts_only_when_the_cookies_are_secure(app_with):
    assert "Strict-Transport-Security" not in app_with().test_client().get("/login").headers
    secure = app_with(SESSION_COOKIE_SECURE=True)
    assert secure.test_client().get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def request_seen(app, environ: dict, headers: dict) -> tuple[str, str]:
    """The client address and scheme a view sees for one request."""
    with app.test_client() as client:
        client.get("/login", environ_base=environ, headers=headers)
        return request.remote_addr, request.scheme


FORGED_THEN_PROXIED = "198.51.100.4, 203.0.113.9"   # what the client sent, then the address our proxy saw


@pytest.mark.parametrize("proxies, seen", [
    (0, ("10.0.0.2", "http")),          # no proxy: the headers are anyone's to forge, none is believed
    (1, ("203.0.113.9", "https")),      # the address our proxy saw, not the one the client put before it
    (2, ("198.51.100.4", "https")),     # a load balancer, then a proxy: both appended an address
])
def test_proxy_count_decides_which_forwarded_address_is_believed(app_with, proxies, seen):
    app = app_with(PROXY_COUNT=proxies)
    forwarded = {"X-Forwarded-For": FORGED_THEN_PROXIED, "X-Forwarded-Proto": "https"}
    assert request_seen(app, {"REMOTE_ADDR": "10.0.0.2"}, forwarded) == seen


def test_proxy_count_comes_from_the_environment():
    read = [sys.executable, "-c", "import config; print(config.Config.PROXY_COUNT)"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for given, expected in ((None, "0"), ("2", "2")):
        env = {k: v for k, v in os.environ.items() if k != "PROXY_COUNT"} | ({"PROXY_COUNT": given} if given else {})
        assert subprocess.run(read, cwd=root, env=env, capture_output=True, text=True,
                              check=True).stdout.strip() == expected


def test_over_https_the_exam_page_saves_with_the_referrer_the_policy_keeps(app_with, site):
    """Over HTTPS Flask-WTF wants a Referer from the same host on every write, the exam page's saves included:
    `same-origin` sends one; `no-referrer` would have every save refused."""
    app = app_with(PROXY_COUNT=1)
    https = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    page = f"https://localhost/exam/attempts/{site['attempt_id']}"
    client = app.test_client()
    form = csrf_from(client.get("/login", headers=https).get_data(as_text=True))
    fields = {"username": "cand1", "password": "secret-pass-1", "csrf_token": form}
    assert client.post("/login", data=fields, headers=https | {"Referer": "https://localhost/login"}).status_code == 302
    token = csrf_from(client.get("/exam/", headers=https).get_data(as_text=True))
    save = {"json": {"responses": {}, "seq": 1}, "path": f"/api/v1/attempts/{site['attempt_id']}/responses"}
    assert client.put(**save, headers=https | {"X-CSRFToken": token}).status_code == 400
    assert client.put(**save, headers=https | {"X-CSRFToken": token, "Referer": page}).status_code == 200
