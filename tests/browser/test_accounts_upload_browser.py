"""An organiser hands out logins for a whole list from Excel, on a phone and on a laptop (issue 12 §2): downloads the
template, uploads a list with a mistake and reads it by its line, uploads it fixed, checks the preview, confirms and
prints the slips; a new candidate signs in with one. No page scrolls sideways."""
import os

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.domain.workbooks import sheet_rows
from app.exports import to_xlsx
from app.extensions import db
from app.models import User
from plugins.browser import PHONE, expect_fits_width, sign_in

SHOTS = os.environ.get("SCREENSHOT_DIR")
HEADER = ["账号", "姓名", "角色", "组织"]


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}])
def test_an_organiser_uploads_a_list_of_accounts_and_prints_its_slips(app, page, live_server, organiser, make_org,
                                                                      make_user, tmp_path, viewport):
    width = viewport["width"]
    make_org("c01", "市教育体育局机关党委")
    make_user("lisi", name="李四", role="candidate")
    page.set_viewport_size(viewport)
    sign_in(page, live_server, "organiser1")
    page.goto(f"{live_server}/admin/accounts")
    page.click("a:has-text('添加账号或导入名单')")
    with page.expect_download() as download:
        page.click("a:has-text('Excel（.xlsx）')")
    assert sheet_rows(download.value.path().read_bytes())[0] == HEADER

    listed = tmp_path / "名单.xlsx"
    listed.write_bytes(to_xlsx(HEADER, [["wangfang", "王芳", "考生", "市教育体育局机关党委"],
                                        ["lisi", "李四", "评委", ""], ["zhaolei", "赵磊", "书记", "c01"]]))
    page.set_input_files("#accounts-file", str(listed))
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview")).to_contain_text("第 4 行：角色 书记 不认识")
    expect(page.locator("#preview")).to_contain_text("没有导入任何账号")
    expect_fits_width(page, width)
    shot(page, f"accounts-upload-problem-{width}.png")

    listed.write_bytes(to_xlsx(HEADER, [["wangfang", "王芳", "考生", "市教育体育局机关党委"],
                                        ["lisi", "李四", "评委", ""], ["zhaolei", "赵磊", "考生", "c01"]]))
    page.set_input_files("#accounts-file", str(listed))
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview")).to_contain_text("将新建 2 个账号，更改 1 个，0 个不变")
    expect(page.locator("#preview")).to_contain_text("角色：考生 → 评委")
    expect_fits_width(page, width)
    shot(page, f"accounts-upload-preview-{width}.png")
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="wangfang")) is None, "a preview writes nothing"

    page.click("button:has-text('确认导入')")
    slips = page.locator(".slip")
    expect(slips).to_have_count(2)
    expect(slips.first).to_contain_text("市教育体育局机关党委")
    expect(page.locator(".flash-success")).to_contain_text("新建 2 个，更改 1 个，未变 0 个")
    password = slips.filter(has_text="wangfang").locator("dd.code").nth(1).inner_text()
    expect_fits_width(page, width)
    shot(page, f"accounts-upload-slips-{width}.png")

    candidate = page.context.browser.new_context(viewport=viewport).new_page()
    sign_in(candidate, live_server, "wangfang", password)
    expect(candidate.locator("h1")).to_contain_text("修改密码")
