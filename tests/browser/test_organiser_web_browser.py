"""An organiser with a browser and no shell, on a phone and on a laptop (issue 12, first steps): uploads a bank with a
mistake, reads the problem with its line, uploads it fixed, confirms the previewed import; adds a candidate and prints
the password slip to an A4 PDF; the candidate signs in with it. No page scrolls sideways."""
import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Question
from plugins.banks import VALID, line_of
from plugins.browser import PHONE, expect_fits_width, sign_in

SHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}])
def test_an_organiser_brings_a_bank_in_and_hands_out_a_login(app, page, live_server, organiser, tmp_path, viewport):
    width = viewport["width"]
    page.set_viewport_size(viewport)
    sign_in(page, live_server, "organiser1")
    page.goto(f"{live_server}/admin/")
    page.click("a:has-text('上传题库或试卷方案')")

    broken = VALID.replace("answer: A\n", "answer: E\n", 1)
    (tmp_path / "party_affairs.yaml").write_text(broken, encoding="utf-8")
    page.set_input_files("#banks", str(tmp_path / "party_affairs.yaml"))
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview")).to_contain_text(
        f"party_affairs.yaml:{line_of(broken, 'answer: E')}: [PA-0001] 答案 E 不在选项 A, B, C, D 中")
    expect(page.locator("#preview")).to_contain_text("没有导入任何内容")
    expect_fits_width(page, width)
    shot(page, f"bank-upload-problem-{width}.png")

    (tmp_path / "party_affairs.yaml").write_text(VALID, encoding="utf-8")
    page.set_input_files("#banks", str(tmp_path / "party_affairs.yaml"))
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview")).to_contain_text("新增 5 道")
    expect_fits_width(page, width)
    shot(page, f"bank-upload-preview-{width}.png")
    with app.app_context():
        assert db.session.scalar(select(Question)) is None, "a preview writes nothing"
    page.click("button:has-text('确认导入')")
    page.wait_for_url(f"{live_server}/admin/")
    expect(page.locator(".flash-success")).to_contain_text("已导入：新增 5 道")
    with app.app_context():
        assert len(db.session.scalars(select(Question)).all()) == 5

    page.goto(f"{live_server}/admin/accounts/new")
    page.fill("#name", "王芳")
    page.fill("#username", "wangfang")
    page.click("button:has-text('添加并打印密码条')")
    slip = page.locator(".slip")
    expect(slip).to_contain_text("wangfang")
    password = slip.locator("dd.code").nth(1).inner_text()
    expect_fits_width(page, width)
    shot(page, f"account-slips-{width}.png")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and re.search(rb"/MediaBox\s*\[0 0 59[45]\.\d+ 84[12]\.\d+\]", pdf)
    page.emulate_media(media="screen")

    candidate = page.context.browser.new_context(viewport=viewport).new_page()
    sign_in(candidate, live_server, "wangfang", password)
    expect(candidate.locator("h1")).to_contain_text("修改密码")
