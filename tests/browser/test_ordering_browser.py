"""排序题 in Chromium on a 375-px phone: the items come shuffled with ↑/↓ buttons; nothing is saved until the
candidate moves an item or confirms the order; 清除 clears it; the keyboard alone can order the items; the score
comes after submitting. A cadre orders a drill's items with one select per place.

The live server runs on the real clock, so sessions are scheduled around the real time.
"""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Response, utcnow
from plugins.banks import ORDERING_BANK, ORDERING_BLUEPRINT, STAGES, STEPS
from plugins.browser import SAVED, expect_fits_width, page_errors, sign_in_on_phone, start_exam
from plugins.exams import load_exam_content, schedule


def texts(card) -> list[str]:
    return [text.strip() for text in card.locator(".order-item .choice-text").all_inner_texts()]


def put_in_order(card, wanted: list[str]) -> None:
    """Press ↑ on each item until it stands in its place, first to last (a selection sort by buttons); when the
    shuffle happened to show the right order, confirm it as it stands, as a candidate would."""
    moved = False
    for place, text in enumerate(wanted):
        while texts(card).index(text) > place:
            card.locator(".order-item", has_text=text).locator("button").first.click()
            moved = True
    if not moved:
        card.locator("button", has_text="确认此顺序").click()


def stored(app, attempt_id: int) -> list:
    with app.app_context():
        return [row.value for row in db.session.scalars(select(Response).where(Response.attempt_id == attempt_id))
                if isinstance(row.value, list)]


def test_a_candidate_orders_items_on_a_phone_and_sees_the_score(app, page, live_server, make_user):
    make_user("cand1", role="candidate", name="张三")
    with app.app_context():
        load_exam_content(ORDERING_BLUEPRINT, ORDERING_BANK)
        schedule(["cand1"], paper="order", opens=utcnow() - timedelta(minutes=5), minutes=120)
    errors = page_errors(page)
    sign_in_on_phone(page, live_server, "cand1")
    attempt_id = start_exam(page)
    stages = page.locator("article.item", has_text="身份")
    steps = page.locator("article.item", has_text="步骤")
    expect(stages.locator(".badge")).to_contain_text("排序题")
    assert texts(stages) != STEPS, "never shown in the bank's order"
    expect(stages.locator(".order-state")).to_have_text("未作答")
    expect(stages.locator("button[aria-label^='把 A 项上移']")).to_have_count(1)

    put_in_order(stages, STEPS)
    expect(page.locator("#save-state")).to_contain_text("已保存", timeout=SAVED)
    expect(stages.locator(".order-state")).to_contain_text("已作答")

    # The keyboard alone: focus stays on the moved item's button, so Enter moves it again.
    first = texts(steps)
    steps.locator(".order-item", has_text=first[-1]).locator("button").first.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert texts(steps)[-3] == first[-1]
    steps.locator("button", has_text="清除").click()
    expect(steps.locator(".order-state")).to_have_text("未作答")
    assert texts(steps) == first
    put_in_order(steps, STAGES)
    expect(page.locator("#save-state")).to_contain_text("已保存", timeout=SAVED)
    assert len(stored(app, attempt_id)) == 2
    expect_fits_width(page)

    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    expect(page.locator("#score")).to_contain_text("8 / 9 分")
    assert not errors


def test_a_cadre_orders_a_drill_with_a_select_per_place(app, page, live_server, make_user):
    make_user("cadre", role="candidate", name="李练兵")
    with app.app_context():
        load_exam_content(ORDERING_BLUEPRINT, ORDERING_BANK)
    errors = page_errors(page)
    sign_in_on_phone(page, live_server, "cadre")
    page.goto(f"{live_server}/practice/")
    page.check("#start input[name=types][value=ordering]")
    page.click("#start button[type=submit]")
    page.wait_for_url(re.compile(r"/practice/drills/\d+$"))
    for _position in range(2):
        shown = {}
        for row in page.locator(".order-items li").all():
            letter, text = row.locator(".letter").inner_text().rstrip("."), row.locator("span").nth(1).inner_text()
            shown[text.strip()] = letter
        wanted = STEPS if set(shown) == set(STEPS) else STAGES
        selects = page.locator("select[name=response]")
        selects.nth(0).select_option(shown[wanted[0]])
        selects.nth(1).select_option(shown[wanted[0]])
        page.click("#submit")
        expect(page.locator("#problem")).to_contain_text("每项只能用一次")
        for place, text in enumerate(wanted):
            selects.nth(place).select_option(shown[text])
        page.click("#submit")
        expect(page.locator("#verdict")).to_contain_text("回答正确")
        expect(page.locator("#verdict")).to_contain_text("→".join(shown[text] for text in wanted))
        expect_fits_width(page)
        page.click("#next")
    expect(page.locator("#summary")).to_contain_text("答对 2 / 2 题")
    assert not errors
