"""Issue 12 in Chromium, on a phone: the organiser sees the organisation tree, draws the speaking order (出场顺序) of a
round's lectures through the confirmation dialog, and the judge's sheet then lists the lecturers by turn."""
import os
import re

from playwright.sync_api import expect

from plugins.browser import PHONE, expect_fits_width, sign_in
from plugins.contests import CONTEST, PRELIMINARY, load, round_id, with_judges

SHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_an_organiser_draws_the_order_on_a_phone_and_the_judge_sees_it(app, browser, page, live_server, runner,
                                                                          tmp_path, make_user, organiser):
    make_user("j1", role="judge", name="评委甲")
    load(runner, tmp_path, with_judges(CONTEST, "[{username: j1, groups: [c01, c02]}]"))
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "organiser1")

    page.goto(f"{live_server}/admin/contests/test-2026")
    tree = page.locator(".org-tree").first
    expect(tree).to_contain_text("第一联系片组")
    expect(tree).to_contain_text("钱二、赵一")
    expect_fits_width(page)
    shot(page, "contest-tree-phone.png")

    page.goto(f"{live_server}{PRELIMINARY}#speaking")
    expect(page.locator("#speaking li")).to_have_count(6)
    expect_fits_width(page)
    page.click("#speaking button:has-text('随机抽签')")
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert page.evaluate("document.querySelector('dialog.confirm-dialog').matches(':modal')")
    expect(dialog).to_contain_text("6 位讲党课的考生")
    shot(page, "speaking-draw-dialog-phone.png")
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("已随机抽签确定出场顺序")
    numbers = [int(value) for value in page.locator("#speaking input[name=order]").evaluate_all(
        "inputs => inputs.map(input => input.value)")]
    assert numbers == [1, 2, 3, 4, 5, 6], "the list shows the drawn order, first speaker first"
    expect_fits_width(page)
    shot(page, "speaking-order-phone.png")
    if SHOTS:
        page.locator("#speaking").screenshot(path=os.path.join(SHOTS, "speaking-section-phone.png"))

    judge = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE).new_page()
    sign_in(judge, live_server, "j1")
    judge.goto(f"{live_server}/scoring/rounds/{round_id(app)}")
    turns = [int(n) for text in judge.locator(".speaking-turn").all_inner_texts()
             for n in re.findall(r"第(\d+)位", text)]
    assert len(turns) == 4 and turns[0] < turns[1] and turns[2] < turns[3], "each group's lecturers by turn"
    expect_fits_width(judge)
    shot(judge, "scoring-turns-phone.png")
    judge.context.close()
