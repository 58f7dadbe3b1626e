"""An organiser in a real browser: log in, see the banks, filter questions, open one with its history."""
import os

import pytest

from app.banks.service import check_sources, import_sources
from app.extensions import db
from plugins.banks import BANKS
from plugins.banks import sample_banks as banks_of_samples

SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def sample_banks(app):
    with app.app_context():
        import_sources(check_sources([BANKS]))
        db.session.commit()


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 812}, {"width": 1280, "height": 800}])
def test_organiser_browses_banks(page, live_server, organiser, sample_banks, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "organiser1")
    page.fill("input[name=password]", "secret-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    assert page.locator("h2", has_text="党务业务知识").count() == 1
    shot(page, f"admin-index-{viewport['width']}.png")

    page.click("a[href='/admin/questions']")
    page.select_option("select#type", "blank")
    page.select_option("select#bank", "theory")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table tbody tr")
    assert rows.count() == sum(q.type == "blank" for bank in banks_of_samples() if bank.slug == "theory"
                               for q in bank.questions)
    assert all("theory/TH-" in rows.nth(i).inner_text() for i in range(rows.count()))
    shot(page, f"admin-questions-{viewport['width']}.png")

    page.click("a:has-text('theory/TH-0031')")
    assert "（各空顺序不限）" in page.locator(".key").inner_text()
    assert page.locator(".blank").count() == 4
    assert page.locator("text=首次导入").count() == 1
    shot(page, f"admin-question-{viewport['width']}.png")
