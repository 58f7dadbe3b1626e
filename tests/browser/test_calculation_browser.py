"""计算题 in Chromium on a 375-px phone (issue 11, item 1): a candidate types numbers (full-width, a thousands
separator, the unit or not) into decimal inputs with their unit beside them, submits and sees the score; a cadre
answers a calculation drill and gets the verdict in place.

The live server runs on the real clock, so sessions are scheduled around the real time.
"""
import re
import textwrap
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Response, utcnow
from plugins.banks import CALCULATION_BANK
from plugins.browser import SAVED, expect_fits_width, page_errors, sign_in_on_phone, start_exam
from plugins.exams import load_exam_content, schedule

BLUEPRINT = textwrap.dedent("""\
    paper: calc
    title: 计算小卷
    duration: 30
    draw: per_session
    shuffle: {questions: false, options: false}
    sections:
      - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 二、计算, type: calculation, points: 4, pick: [{bank: party-affairs, count: 2}]}
    """)


def test_a_candidate_answers_calculations_on_a_phone_and_sees_the_score(app, page, live_server, make_user):
    make_user("cand1", role="candidate", name="张三")
    with app.app_context():
        load_exam_content(BLUEPRINT, CALCULATION_BANK)
        schedule(["cand1"], paper="calc", opens=utcnow() - timedelta(minutes=5), minutes=120)
    errors = page_errors(page)
    sign_in_on_phone(page, live_server, "cand1")
    attempt_id = start_exam(page)
    one = page.locator("article.item", has_text="4500元")
    two = page.locator("article.item", has_text="12000元")
    expect(one.locator(".badge")).to_contain_text("计算题")
    number = one.locator("input[type=text]")
    expect(number).to_have_attribute("inputmode", "decimal")
    expect(one.locator(".unit")).to_have_text("元")
    expect(two.locator(".unit")).to_have_count(2)
    expect(two.locator(".blank-no")).to_have_text(["第 1 步", "第 2 步"])

    page.locator("article.item", has_text="人以上").locator("input[value=A]").check()
    number.click()
    page.keyboard.type("４５ 元")                     # typed on the keyboard, full-width and with the unit
    steps = two.locator("input[type=text]")
    steps.nth(0).fill("240")
    steps.nth(0).press("Tab")
    page.keyboard.type("2,880")
    expect(page.locator("#save-state")).to_contain_text("已保存", timeout=SAVED)
    expect_fits_width(page)
    expect(number).to_be_visible()
    with app.app_context():
        stored = sorted(row.value for row in db.session.scalars(
            select(Response).where(Response.attempt_id == attempt_id)) if isinstance(row.value, list))
    assert stored == [["240", "2,880"], ["４５ 元"]]

    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    expect(page.locator("#score")).to_contain_text("9 / 9 分")
    expect_fits_width(page)
    assert not errors


def test_a_cadre_answers_a_calculation_drill_on_a_phone(app, page, live_server, make_user, make_org):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", name="李练兵", org="c01")
    with app.app_context():
        load_exam_content(BLUEPRINT, CALCULATION_BANK)
    errors = page_errors(page)
    sign_in_on_phone(page, live_server, "cadre")
    page.goto(f"{live_server}/practice/")
    page.check("#start input[name=types][value=calculation]")
    page.click("#start button[type=submit]")
    page.wait_for_url(re.compile(r"/practice/drills/\d+$"))
    page.evaluate("window.__samePage = true")
    for _position in range(2):
        fields = page.locator("input[name=response]")
        expect(fields.first).to_have_attribute("inputmode", "decimal")
        expect(page.locator(".number-input .unit").first).to_have_text("元")
        if fields.count() == 1:
            fields.first.fill("４５")
        else:
            fields.nth(0).fill("240")
            fields.nth(1).fill("2,900 元")         # within 1% of 2880
        page.click("#submit")
        verdict = page.locator("#verdict")
        expect(verdict).to_contain_text("回答正确")
        expect(verdict).to_contain_text("正确答案")
        assert page.evaluate("window.__samePage") is True, "the verdict came without reloading the page"
        expect_fits_width(page)
        page.click("#next")
        page.evaluate("window.__samePage = true")
    expect(page.locator("#summary")).to_contain_text("答对 2 / 2 题")
    assert not errors
