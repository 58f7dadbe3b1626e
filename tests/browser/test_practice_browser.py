"""Issue 5 §5: practice in Chromium on a phone-sized screen — a drill answered to the end, the book filling and
emptying, a mock paper sat through the exam page, and a drill on a phone without JavaScript.

The live server runs on the real clock, so mocks are scheduled around the real time.
"""
import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import PracticeAnswer, QuestionRevision, User, utcnow
from app.practice.service import current_revision
from app.scheduling.service import schedule_session
from plugins.browser import PHONE, expect_fits_width, page_errors, sign_in_on_phone
from plugins.exams import load_exam_content
from plugins.practice import OBJECTIVE, PER_ATTEMPT, right, wrong

SHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(page, name: str, full_page: bool = False) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=full_page)


@pytest.fixture
def content(app, make_user, make_org):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", name="李练兵", org="c01")
    with app.app_context():
        load_exam_content()


class Phone:
    """One cadre on a 375 px screen."""

    def __init__(self, app, page, base: str, username: str = "cadre"):
        self.app, self.page, self.base = app, page, base
        self.errors = page_errors(page)
        sign_in_on_phone(page, base, username)

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")

    def fits(self) -> None:
        expect_fits_width(self.page)

    def start_drill(self, *types: str) -> None:
        self.open("/practice/")
        for qtype in types:
            self.page.check(f"#start input[name=types][value={qtype}]")
        self.page.click("#start button[type=submit]")
        self.page.wait_for_url(re.compile(r"/practice/drills/\d+$"))

    def revision(self) -> QuestionRevision:
        question_id = int(self.page.locator("input[name=question_id]").input_value())
        with self.app.app_context():
            revision = current_revision(question_id)
            db.session.expunge(revision)
            return revision

    def give(self, response, qtype: str) -> None:
        page = self.page
        if qtype == "blank":
            for index, text in enumerate(response):
                page.locator("input[name=response]").nth(index).fill(text)
            return
        values = response if isinstance(response, list) else [response]
        for value in values:
            field = ("true" if value else "false") if isinstance(value, bool) else value
            page.locator(".choice", has=page.locator(f"input[value={field}]")).click()

    def answer(self, correct: bool) -> QuestionRevision:
        revision = self.revision()
        self.give(right(revision) if correct else wrong(revision), revision.type)
        self.page.click("#submit")
        expect(self.page.locator("#verdict")).to_contain_text("回答正确" if correct else "回答错误")
        return revision

    def book_size(self) -> int:
        self.open("/practice/book")
        empty = self.page.locator("#book-empty")
        return 0 if empty.count() else int(self.page.locator("#book-size").inner_text())


@pytest.fixture
def phone(app, page, live_server, content) -> Phone:
    return Phone(app, page, live_server)


def test_a_drill_is_answered_to_the_end_on_a_phone(phone):
    page = phone.page
    phone.start_drill()
    page.evaluate("window.__samePage = true")
    for position in range(OBJECTIVE):
        expect(page.locator("#counter")).to_have_text(f"第 {position + 1} / {OBJECTIVE} 题")
        expect(page.locator("#verdict")).to_be_hidden()
        assert "正确答案" not in page.content()
        if position == 0:
            phone.fits()
            shot(page, "drill-phone-question.png")
        revision = phone.answer(correct=position != 0)
        verdict = page.locator("#verdict")
        expect(verdict).to_contain_text("正确答案")
        expect(verdict).to_contain_text(revision.explanation)
        assert page.evaluate("window.__samePage") is True, "the verdict came without reloading the page"
        expect(page.locator("#submit")).to_be_hidden()
        expect(page.locator("input[name=response]").first).to_be_disabled()
        if position == 0:
            expect(page.locator(".choice.wrong, .blank-input").first).to_be_visible()
            expect(page.locator("#next")).to_be_in_viewport()
        phone.fits()
        shot(page, f"drill-phone-{revision.type}-{'right' if position else 'wrong'}.png")
        next_label = "查看本次结果" if position == OBJECTIVE - 1 else "下一题"
        expect(page.locator("#next")).to_have_text(next_label)
        page.click("#next")
        page.evaluate("window.__samePage = true")
    expect(page.locator("#summary")).to_contain_text(f"答对 {OBJECTIVE - 1} / {OBJECTIVE} 题")
    phone.fits()
    shot(page, "drill-phone-summary.png", full_page=True)
    assert not phone.errors


def test_an_empty_answer_is_asked_for_before_anything_is_sent(phone):
    page = phone.page
    phone.start_drill("single")
    page.click("#submit")
    expect(page.locator("#problem")).to_have_text("请先作答。")
    expect(page.locator("#verdict")).to_be_hidden()
    phone.answer(correct=True)
    assert not phone.errors


def test_the_book_fills_after_a_miss_and_empties_after_enough_right_answers(app, phone):
    page = phone.page
    assert phone.book_size() == 0
    phone.start_drill("judge")
    phone.answer(correct=False)
    assert phone.book_size() == 1
    expect(page.locator(".entry")).to_contain_text(re.compile(r"答错\s*1 次"))
    shot(page, "book-phone.png")
    for done in range(1, app.config["BOOK_LEAVE_AFTER"] + 1):
        phone.open("/practice/book")
        page.click("#book-head button[type=submit]")
        page.wait_for_url(re.compile(r"/practice/drills/\d+$"))
        expect(page.locator(".drill-head")).to_contain_text("错题本练习")
        phone.answer(correct=True)
        page.click("#next")
        expect(page.locator("#summary")).to_contain_text("答对 1 / 1 题")
        if done < app.config["BOOK_LEAVE_AFTER"]:
            assert phone.book_size() == 1
            expect(page.locator(".entry")).to_contain_text(f"之后已连续答对 {done} 次")
    assert phone.book_size() == 0
    expect(page.locator("#book-empty")).to_be_visible()
    assert not phone.errors


def test_a_mock_paper_is_sat_through_the_exam_page_and_reviewed_at_once(app, phone):
    with app.app_context():
        load_exam_content(blueprint=PER_ATTEMPT)
        schedule_session(blueprint_slug="five-mock", title="第一次模拟考试", opens_at=utcnow() - timedelta(minutes=5),
                         closes_at=utcnow() + timedelta(hours=2), usernames=["cadre"], org_code=None,
                         review="never", show_key=False, actor=None, mock=True, max_attempts=2)
    page = phone.page
    phone.open("/practice/")
    mock = page.locator("#mocks .session", has_text="第一次模拟考试")
    expect(mock).to_contain_text("已用 0 / 2 次")
    mock.locator("button", has_text="开始模拟考试").click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("这是第 1 次（共 2 次）")
    dialog.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/exam/attempts/\d+$"))
    page.wait_for_selector("article.item")
    judge = page.locator("article.item", has=page.locator("input[value=true]"))
    judge.locator("input[value=true]").check()
    expect(page.locator("#save-state")).to_contain_text("已保存", timeout=15_000)
    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    expect(page.locator("#score")).to_contain_text("1 / 11 分")
    expect(page.locator(".review-item").first).to_contain_text("正确答案")
    expect(page.locator(".review-item", has_text="预备党员的预备期为一年")).to_contain_text("正确答案正确")

    phone.open("/practice/")
    expect(mock).to_contain_text("已用 1 / 2 次")
    expect(mock.locator("button")).to_have_text("再考一次")
    shot(page, "practice-home-phone.png", full_page=True)
    assert phone.book_size() == OBJECTIVE - 1, "the mock's unanswered objective items went into the book"
    assert not phone.errors


def test_a_drill_works_without_javascript(app, browser, live_server, content):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", java_script_enabled=False)
    try:
        phone = Phone(app, context.new_page(), live_server)
        page = phone.page
        phone.start_drill("single", "judge")
        for _ in range(2):
            revision = phone.revision()
            phone.give(right(revision), revision.type)
            page.click("#submit")
            page.wait_for_url(re.compile(r"/answer$"))
            expect(page.locator("#verdict")).to_contain_text("回答正确")
            expect(page.locator("#verdict")).to_contain_text("正确答案")
            page.click("#next")
        expect(page.locator("#summary")).to_contain_text("答对 2 / 2 题")
    finally:
        context.close()


def test_progress_and_report_pages_fit_and_draw_their_charts(app, page, live_server, content, make_user):
    make_user("organiser1", role="organiser", name="组织者甲")
    now = utcnow()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "cadre"))
        revisions = db.session.scalars(select(QuestionRevision).where(QuestionRevision.type != "short")).all()
        for week in range(6):
            for index, revision in enumerate(revisions):
                db.session.add(PracticeAnswer(
                    user_id=user.id, question_id=revision.question_id, revision_id=revision.id, source="drill",
                    response=None, correct=(index + week) % 3 != 0,
                    answered_at=now - timedelta(weeks=week, hours=index)))
        db.session.commit()
    phone = Phone(app, page, live_server)
    phone.open("/practice/progress")
    chart = page.locator("#chart-party_affairs svg")
    expect(chart).to_be_visible()
    assert chart.locator("circle").count() >= 5 and chart.locator("polyline").count() >= 1
    expect(page.locator("#coverage svg")).to_contain_text("4 / 4")
    phone.fits()
    shot(page, "progress-phone.png", full_page=True)

    organiser = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        desk = organiser.new_page()
        desk.set_viewport_size({"width": 1280, "height": 800})
        desk.goto(f"{live_server}/login")
        desk.fill("input[name=username]", "organiser1")
        desk.fill("input[name=password]", "secret-pass-1")
        desk.click("button[type=submit]")
        desk.wait_for_url(re.compile(r"/admin/$"))
        desk.click("nav >> text=练兵通报")
        expect(desk.locator("#report tbody tr")).to_have_count(2)
        expect(desk.locator("#report")).to_contain_text("教育局机关党委")
        expect(desk.locator("#chart-share svg")).to_contain_text("1/1 人 100%")
        shot(desk, "report-desktop.png", full_page=True)
        desk.set_viewport_size(PHONE)
        expect_fits_width(desk)
        shot(desk, "report-phone.png", full_page=True)
    finally:
        organiser.close()
