"""Requests over real HTTP to the live server, keeping cookies as a browser does (a Secure cookie is never sent back
over plain HTTP), for what the test client cannot show: concurrency, and what a browser drops."""
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

from conftest import csrf_from


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(path)

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        return self._open(path, urllib.parse.urlencode(form).encode())

    def login_form(self) -> str:
        """The login page's CSRF token, with the session cookie it came with (if the cookie jar kept it)."""
        return csrf_from(self.get("/login")[1])

    def _open(self, path: str, data: bytes | None = None) -> tuple[int, str]:
        try:
            with self.opener.open(f"{self.base}{path}", data) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()
