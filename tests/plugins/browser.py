"""Helpers of the browser tests (their fixtures are in tests/browser/conftest.py): Debian's Chromium and its flags,
the watch for Content-Security-Policy violations, page_errors, a phone's viewport (PHONE, sign_in_on_phone,
expect_fits_width), sign_in, start_exam, type_in_paper_sheet (the paper fallback's entry page), and Sitting, the exam
page of one attempt."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, Response, utcnow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SAVED = 15_000   # ms to wait for a save state: a retry after the network returns can take a backoff step
PHONE = {"width": 375, "height": 812}   # a phone's viewport, in CSS pixels

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


def page_errors(page) -> list[str]:
    """The uncaught script errors of the page, as they happen: a list that grows while the test goes on."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def sign_in(page, base: str, username: str, password: str = "secret-pass-1") -> None:
    """`login` for a real browser (Playwright page) on the live server."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def sign_in_on_phone(page, base: str, username: str) -> None:
    """`sign_in` on a phone-sized viewport, as a candidate or cadre: lands on the exam list, /exam/."""
    page.set_viewport_size(PHONE)
    sign_in(page, base, username)
    page.wait_for_url(re.compile(r"/exam/$"))


def start_exam(page) -> int:
    """From the exam list, start (or resume) the open session's exam; the attempt's id, once its items are drawn."""
    page.click("#open :is(button:has-text('开始答题'), a:has-text('继续作答'))")
    confirm = page.locator("dialog[data-confirm] button[type=submit]")
    # Starting anew asks first (issue 8 §4); resuming goes straight to the paper. Wait for one or the other: on a busy
    # machine the dialog may come with the next page, after a plain count would have looked.
    expect(confirm.or_(page.locator("article.item")).first).to_be_visible()
    if confirm.is_visible():
        confirm.click()
    page.wait_for_url(re.compile(r"/exam/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    page.wait_for_selector("article.item")
    return attempt_id


def expect_fits_width(page, width: int = PHONE["width"]) -> None:
    """No sideways scrolling: the page is no wider than `width`, the viewport's (a phone's unless told)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width} px wide in a {width}-px viewport"


def type_in_paper_sheet(page, base: str, session_id: int, username: str, variant: str,
                        answers: dict[str, list[str]]) -> None:
    """On a phone, type a candidate's written answer sheet of a printed variant into the paper-fallback page, up to
    checking it: `answers` holds each item number's entries as written. The page must not scroll sideways."""
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/admin/sessions/{session_id}/paper/entry")
    page.select_option("#candidate", username)
    page.fill("#variant", variant)
    page.click("button:has-text('下一步')")
    for number, values in answers.items():
        for n, value in enumerate(values, start=1):
            page.fill(f"#answer-{number}-{n}", value)
    expect_fits_width(page)


class Sitting:
    """The exam page of one attempt, with the item numbers of each question type."""

    def __init__(self, app, page, base: str):
        self.app, self.page, self.base = app, page, base
        self.errors = page_errors(page)

    def sign_in_and_start(self) -> "Sitting":
        sign_in(self.page, self.base, "cand1")
        self.page.wait_for_url(f"{self.base}/exam/")
        self.attempt_id = start_exam(self.page)
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
