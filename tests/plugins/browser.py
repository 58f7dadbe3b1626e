"""Helpers of the browser tests (their fixtures are in tests/browser/conftest.py): Debian's Chromium and its flags,
the watch for Content-Security-Policy violations, sign_in, and Sitting, the exam page of one attempt."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, Response, utcnow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SAVED = 15_000   # ms to wait for a save state: a retry after the network returns can take a backoff step

CSP_VIOLATIONS: list[str] = []      # reported by the browser's pages during the current test


def watch_for_csp_violations(chromium) -> None:
    """Every context the browser opens notes the Content-Security-Policy violations its pages report.

    Tests open contexts of their own (a second device, JavaScript off), so the watch goes where contexts are made.
    Chromium logs each violation to the console, with or without JavaScript."""
    open_context = chromium.new_context

    def new_context(**options):
        context = open_context(**options)
        context.on("console", _note_csp_violation)
        return context

    chromium.new_context = new_context


def _note_csp_violation(message) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(f"{message.page.url if message.page else ''}: {message.text}")


def sign_in(page, base: str, username: str, password: str = "secret-pass-1") -> None:
    """`login` for a real browser (Playwright page) on the live server."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


class Sitting:
    """The exam page of one attempt, with the item numbers of each question type."""

    def __init__(self, app, page, base: str):
        self.app, self.page, self.base = app, page, base
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def sign_in_and_start(self) -> "Sitting":
        page = self.page
        page.goto(f"{self.base}/login")
        page.fill("input[name=username]", "cand1")
        page.fill("input[name=password]", "secret-pass-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.base}/exam/")
        page.click("#open :is(button:has-text('开始答题'), a:has-text('继续作答'))")
        confirm = page.locator("dialog[data-confirm] button[type=submit]")
        if confirm.count():          # starting anew asks first (issue 8 §4); resuming does not
            confirm.click()
        page.wait_for_url(re.compile(r"/exam/attempts/\d+$"))
        self.attempt_id = int(page.url.rsplit("/", 1)[1])
        self.wait_until_drawn()
        with self.app.app_context():
            rows = db.session.scalars(select(Response).where(Response.attempt_id == self.attempt_id))
            self.keys = {row.paper_item.revision.type: row.key for row in rows}
        return self

    def wait_until_drawn(self) -> None:
        self.page.wait_for_selector("article.item")
        expect(self.page.locator("#clock")).not_to_have_text("--:--")

    def item(self, qtype: str):
        return self.page.locator(f"#q-{self.keys[qtype]}")

    def answer_all(self) -> None:
        self.item("single").locator("input[value=B]").check()
        self.item("multiple").locator("input[value=A]").check()
        self.item("multiple").locator("input[value=C]").check()
        self.item("judge").locator("input[value=true]").check()
        blanks = self.item("blank").locator("input[type=text]")
        blanks.nth(0).fill("义务")
        blanks.nth(1).fill("纪律")
        self.item("short").locator("textarea").fill("宣传和执行党的路线方针政策。")

    def expect_all_answered(self) -> None:
        expect(self.item("single").locator("input[value=B]")).to_be_checked()
        expect(self.item("multiple").locator("input[value=A]")).to_be_checked()
        expect(self.item("multiple").locator("input[value=C]")).to_be_checked()
        expect(self.item("multiple").locator("input[value=B]")).not_to_be_checked()
        expect(self.item("judge").locator("input[value=true]")).to_be_checked()
        expect(self.item("blank").locator("input[type=text]").nth(0)).to_have_value("义务")
        expect(self.item("blank").locator("input[type=text]").nth(1)).to_have_value("纪律")
        expect(self.item("short").locator("textarea")).to_have_value("宣传和执行党的路线方针政策。")

    def expect_state(self, text: str) -> None:
        expect(self.page.locator("#save-state")).to_contain_text(text, timeout=SAVED)

    def stored(self) -> dict[str, object]:
        with self.app.app_context():
            rows = db.session.scalars(select(Response).where(Response.attempt_id == self.attempt_id))
            return {row.paper_item.revision.type: row.value for row in rows}

    def attempt(self) -> Attempt:
        with self.app.app_context():
            attempt = db.session.get(Attempt, self.attempt_id)
            db.session.expunge(attempt)
            return attempt

    def seconds_shown(self) -> int:
        parts = [int(part) for part in self.page.locator("#clock").inner_text().split(":")]
        return sum(value * 60 ** power for power, value in enumerate(reversed(parts)))

    def seconds_left(self) -> float:
        return (self.attempt().deadline - utcnow()).total_seconds()
