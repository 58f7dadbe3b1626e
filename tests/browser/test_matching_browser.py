"""匹配题 in Chromium on a 375-px phone (issue 11, matching): a candidate pairs each left item by keyboard with a select
of the shown letters, a letter taken twice moves, the page autosaves one letter or null per prompt and fits the width.

The live server runs on the real clock, so sessions are scheduled around the real time.
"""
import textwrap
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Response, utcnow
from plugins.banks import MATCHING_BANK
from plugins.browser import SAVED, expect_fits_width, page_errors, sign_in_on_phone, start_exam
from plugins.exams import load_exam_content, schedule

BLUEPRINT = textwrap.dedent("""\
    paper: match
    title: 匹配小卷
    duration: 30
    draw: per_session
    shuffle: {questions: false, options: false}
    sections:
      - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 二、匹配, type: matching, points: 2, pick: [{bank: party-affairs, count: 1}]}
    """)


def test_a_candidate_pairs_items_on_a_phone_with_the_keyboard(app, page, live_server, make_user):
    make_user("cand1", role="candidate", name="张三")
    with app.app_context():
        load_exam_content(BLUEPRINT, MATCHING_BANK)
        schedule(["cand1"], paper="match", opens=utcnow() - timedelta(minutes=5), minutes=120)
    errors = page_errors(page)
    sign_in_on_phone(page, live_server, "cand1")
    attempt_id = start_exam(page)
    item = page.locator("article.item", has_text="召开频次")
    expect(item.locator(".badge")).to_contain_text("匹配题")
    expect(item.locator(".pair-options li")).to_have_count(4)
    selects = item.locator("select")
    expect(selects).to_have_count(2)
    expect(item.locator(".pair-prompt")).to_have_text(["党支部党员大会", "党支部委员会会议"])

    selects.nth(0).select_option("B")
    selects.nth(1).select_option("B")              # B moves to the second prompt: one right item, one prompt
    expect(selects.nth(0)).to_have_value("")
    selects.nth(0).focus()
    page.keyboard.press("ArrowDown")                 # keyboard: the first select steps to A
    expect(selects.nth(0)).not_to_have_value("")
    expect(page.locator("#save-state")).to_contain_text("已保存", timeout=SAVED)
    expect_fits_width(page)
    with app.app_context():
        stored = [row.value for row in db.session.scalars(select(Response).where(Response.attempt_id == attempt_id))
                  if isinstance(row.value, list)]
    assert len(stored) == 1 and stored[0][1] == "B" and stored[0][0] in ("A", "C", "D")
    assert errors == []
