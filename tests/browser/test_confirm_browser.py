"""Issue 8 §4 in Chromium: what cannot be undone asks first, in a dialog that reads well on a phone, with and without
JavaScript — a candidate starting an exam, an organiser correcting a key and extending a candidate's time."""
import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.attempts.service import start_attempt
from app.extensions import db
from app.models import Attempt, ExamSession, User
from plugins.browser import sign_in
from plugins.exams import START, sit

SHOTS = os.environ.get("SCREENSHOT_DIR")
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name))


def in_view(page, selector: str) -> bool:
    """The element lies wholly inside the viewport: nothing of the dialog is cut off on a phone."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight;
    }""", selector)


def test_a_candidate_confirms_the_start_on_a_phone(page, live_server, exam, app):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "cand1")
    page.goto(f"{live_server}/exam/")
    page.click("#open button[type=submit]")
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert page.evaluate("document.querySelector('dialog.confirm-dialog').matches(':modal')"), "modal with script"
    assert "交卷截止 09:31" in dialog.inner_text() and "不会暂停" in dialog.inner_text()
    assert in_view(page, "dialog.confirm-dialog")
    shot(page, "confirm-start-phone.png")

    page.keyboard.press("Escape")                    # changed their mind: back, nothing started
    page.wait_for_url(f"{live_server}/exam/")
    with app.app_context():
        assert db.session.scalar(select(Attempt)) is None

    page.click("#open button[type=submit]")
    page.locator("dialog.confirm-dialog button[type=submit]").click()
    page.wait_for_url(f"{live_server}/exam/attempts/*")
    page.locator("#clock").wait_for()
    with app.app_context():
        assert db.session.scalar(select(Attempt)).status == "in_progress"


def test_without_javascript_the_dialog_is_there_and_works(browser, live_server, exam, app):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    try:
        sign_in(page, live_server, "cand1")
        page.goto(f"{live_server}/exam/")
        page.click("#open button[type=submit]")
        dialog = page.locator("dialog.confirm-dialog[open]")
        assert dialog.is_visible() and in_view(page, "dialog.confirm-dialog")
        shot(page, "confirm-start-phone-noscript.png")
        dialog.locator("button[type=submit]").click()
        page.wait_for_url(f"{live_server}/exam/attempts/*")
    finally:
        context.close()
    with app.app_context():
        assert db.session.scalar(select(Attempt)) is not None


@pytest.fixture
def submitted(app, exam):
    with app.app_context():
        return [sit("cand2", exam, {"single": "A"}), sit("cand3", exam, {"single": "B"})]


def test_an_organiser_corrects_a_key_and_extends_time_through_dialogs_on_a_phone(page, live_server, organiser, exam,
                                                                              submitted, app):
    with app.app_context():
        single = next(item.revision_id for item in db.session.get(ExamSession, exam).paper.items
                      if item.revision.type == "single")
        cand1 = db.session.scalar(select(User).where(User.username == "cand1"))
        running = start_attempt(exam, cand1, START + timedelta(minutes=1)).id
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "organiser1")

    page.goto(f"{live_server}/admin/sessions/{exam}/results#item-{single}")
    section = page.locator(f"#item-{single}")
    section.locator("summary").click()
    section.locator("textarea[name=key]").fill("B")
    section.locator("textarea[name=explanation]").fill("依据条例第五条，正确答案为 B。")
    section.locator("button[type=submit]").click()
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    text = dialog.inner_text()
    assert "2 份答卷将按新答案重新评分，其中 2 份成绩会变动" in text and "A → B" in text
    assert in_view(page, "dialog.confirm-dialog")
    shot(page, "confirm-key-phone.png")
    dialog.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/admin/sessions/{exam}/results#corrections")
    assert "已更正" in page.locator(".flash-success").inner_text()

    page.goto(f"{live_server}/admin/sessions/{exam}")
    row = page.locator("#candidate-cand1")
    row.locator("input[name=minutes]").fill("15")
    row.locator("input[name=reason]").fill("电脑死机")
    row.locator("button[type=submit]").click()
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert "12-01 09:31:00" in dialog.inner_text() and "12-01 09:46:00" in dialog.inner_text()
    shot(page, "confirm-extend-phone.png")
    dialog.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/admin/sessions/{exam}")
    with app.app_context():
        assert db.session.get(Attempt, running).deadline.strftime("%H:%M") == "01:46"
