"""The app over real HTTP: the live_server fixture, and Browser — requests to it keeping cookies as a browser does (a
Secure cookie is never sent back over plain HTTP), for what the test client cannot show: concurrency, and what a
browser drops. Also deep_json, a request body nested as deep as asked."""
import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from plugins.accounts import csrf_from


class _Handler(WSGIRequestHandler):
    # A browser's idle keep-alive connection gives up its thread after this long, so teardown can wait for it.
    timeout = 2


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, for the browser.

    Teardown waits for every request still running (a page's last beacon, say): the app fixture empties the
    tables next, and on PostgreSQL a request still holding row locks would deadlock with that."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Handler)
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(path)

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        return self._open(path, urllib.parse.urlencode(form).encode())

    def log_in(self, username: str, password: str = "secret-pass-1") -> str:
        """Log in through the form; returns the exam page's CSRF token, which the exam API wants in X-CSRFToken."""
        status, _ = self.post("/login", {"username": username, "password": password, "csrf_token": self.login_form()})
        assert status == 200, f"{username} was not logged in"
        return csrf_from(self.get("/exam/")[1])

    def call(self, method: str, path: str, token: str, body=None) -> tuple[int, dict]:
        """The exam API, as the exam page calls it."""
        request = urllib.request.Request(f"{self.base}/api/v1{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"X-CSRFToken": token, "Content-Type": "application/json"})
        try:
            with self.opener.open(request) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as refused:
            return refused.code, json.load(refused)

    def login_form(self) -> str:
        """The login page's CSRF token, with the session cookie it came with (if the cookie jar kept it)."""
        return csrf_from(self.get("/login")[1])

    def _open(self, path: str, data: bytes | None = None) -> tuple[int, str]:
        try:
            with self.opener.open(f"{self.base}{path}", data) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()


def deep_json(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels
