"""材料分析题 in Chromium on a 375-px phone (issue 11, material): the material folds, its parts are answered with their
own types' widgets by keyboard, autosaved as one list, and the score comes after submitting; a cadre answers a
material drill and gets the verdict in place.

The live server runs on the real clock, so sessions are scheduled around the real time.
"""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Response, utcnow
from plugins.banks import MATERIAL_BANK, MATERIAL_BLUEPRINT
from plugins.browser import SAVED, expect_fits_width, page_errors, sign_in_on_phone, start_exam
from plugins.exams import load_exam_content, schedule


def test_a_candidate_answers_a_material_on_a_phone_by_keyboard(app, page, live_server, make_user):
    make_user("cand1", role="candidate", name="张三")
    with app.app_context():
        load_exam_content(MATERIAL_BLUEPRINT, MATERIAL_BANK)
        schedule(["cand1"], paper="mat", opens=utcnow() - timedelta(minutes=5), minutes=120)
    errors = page_errors(page)
    sign_in_on_phone(page, live_server, "cand1")
    attempt_id = start_exam(page)
    item = page.locator("article.item", has_text="某机关党支部")
    expect(item.locator(".item-head .badge")).to_contain_text("材料分析题 · 8 分")
    material = item.locator("details.material")
    expect(material).to_have_attribute("open", "")
    expect(item.locator(".part-no")).to_have_text(["（1）", "（2）", "（3）"])
    expect(item.locator("li.part .badge")).to_have_text(["单选题 · 4 分", "判断题 · 2 分", "填空题 · 2 分"])

    material.locator("summary").focus()
    page.keyboard.press("Enter")                          # folds the material, by keyboard
    expect(material).not_to_have_attribute("open", "")
    parts = item.locator("li.part")
    parts.nth(0).locator("input[value=B]").focus()
    page.keyboard.press("Space")
    parts.nth(1).locator("input[value=false]").check()
    parts.nth(2).locator("input[type=text]").click()
    page.keyboard.type("一")
    expect(page.locator("#save-state")).to_contain_text("已保存", timeout=SAVED)
    expect(page.locator(".nav-item.done")).to_have_count(1)       # the material counts as one answered item
    expect_fits_width(page)
    with app.app_context():
        stored = [row.value for row in db.session.scalars(select(Response).where(Response.attempt_id == attempt_id))
                  if row.value is not None]
    assert stored == [["B", False, ["一"]]]

    page.reload()                                          # the saved answer comes back into each part's widget
    item = page.locator("article.item", has_text="某机关党支部")
    expect(item.locator("li.part").nth(0).locator("input[value=B]")).to_be_checked()
    expect(item.locator("li.part").nth(1).locator("input[value=false]")).to_be_checked()
    expect(item.locator("li.part").nth(2).locator("input[type=text]")).to_have_value("一")

    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    expect(page.locator("#score")).to_contain_text("8 / 9 分")
    expect_fits_width(page)
    assert not errors


def test_a_cadre_answers_a_material_drill_on_a_phone(app, page, live_server, make_user, make_org):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", name="李练兵", org="c01")
    with app.app_context():
        load_exam_content(MATERIAL_BLUEPRINT, MATERIAL_BANK)
    errors = page_errors(page)
    sign_in_on_phone(page, live_server, "cadre")
    page.goto(f"{live_server}/practice/")
    page.check("#start input[name=types][value=material]")
    page.click("#start button[type=submit]")
    page.wait_for_url(re.compile(r"/practice/drills/\d+$"))
    page.evaluate("window.__samePage = true")
    page.click("#submit")
    expect(page.locator("#problem")).to_contain_text("请先作答")
    page.locator("li.part").nth(0).locator("input[value=B]").check()
    page.locator("li.part").nth(1).locator("input[value=true]").check()     # wrong: the key is 错误
    page.locator("li.part").nth(2).locator("input[type=text]").fill("一")
    page.click("#submit")
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("回答错误")
    expect(verdict).to_contain_text("第1问 B；第2问 错误")
    expect(page.locator("li.part").nth(1).locator(".choice.wrong")).to_have_count(1)
    expect(page.locator("li.part").nth(1).locator(".choice.correct")).to_contain_text("错误")
    assert page.evaluate("window.__samePage") is True, "the verdict came without reloading the page"
    expect_fits_width(page)
    assert not errors
