"""Issue 12 §6 in Chromium: the projector view of a 复赛 of 82 and a 决赛 of 10 at 1920×1080 and 1366×768. Walking
every screen, every candidate's row is on one of them whole and unclipped, nothing scrolls, and the awards and
十佳党课 have a screen of their own; the screens turn by themselves, by key, and without script."""
import os

import pytest
from playwright.sync_api import expect

from plugins.browser import sign_in
from plugins.contests import round_id

SHOTS = os.environ.get("SCREENSHOT_DIR")
VIEWPORTS = [{"width": 1920, "height": 1080}, {"width": 1366, "height": 768}]
TURNED = 15_000   # ms: a screen turns every 2 s in these tests; a slow machine may take longer to fetch it

# Every row on the screen as [username, top, bottom] and every cell whose text does not fit its width.
MEASURE = """() => ({
  rows: Array.from(document.querySelectorAll("tr[data-username]"), row => {
    const box = row.getBoundingClientRect();
    return [row.dataset.username, box.top, box.bottom];
  }),
  cut: Array.from(document.querySelectorAll(".board-table td, .board-table th, h1, h2"))
    .filter(cell => cell.scrollWidth > cell.clientWidth).map(cell => cell.textContent),
  scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
})"""


@pytest.fixture
def projector(browser, live_server, organiser, request):
    """An organiser's browser at one projector's size."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=request.param)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "organiser1")
    yield page
    context.close()


def walk(page, base: str, round_: int, name: str) -> dict[str, list[list[str]]]:
    """Every screen of the round in turn (→ key), each measured: the rows seen, by username, as their cells' text."""
    page.goto(f"{base}/standings/rounds/{round_}/screen?every=300")
    count = int(page.locator("main").get_attribute("data-screens"))
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    seen: dict[str, list[list[str]]] = {}
    for number in range(1, count + 1):
        if count > 1:
            expect(page.locator(".board-page")).to_have_text(f"第 {number}/{count} 屏")
        measured = page.evaluate(MEASURE)
        assert measured["scroll"][0] <= width and measured["scroll"][1] <= height, f"screen {number} scrolls"
        assert measured["cut"] == [], f"screen {number} cuts text short"
        for username, top, bottom in measured["rows"]:
            assert top >= 0 and bottom <= height, f"{username}'s row is outside the screen ({top}..{bottom})"
        for row in page.locator("tr[data-username]").all():
            seen.setdefault(row.get_attribute("data-username"), []).append(row.locator("td").all_inner_texts())
        if SHOTS or number <= 3:
            page.screenshot(path=os.path.join(SHOTS or "/tmp", f"projector-{name}-{width}-{number}.png"))
        page.keyboard.press("ArrowRight")
    if count > 1:
        expect(page.locator(".board-page")).to_have_text(f"第 1/{count} 屏")
    return seen


@pytest.mark.parametrize("projector", VIEWPORTS, ids=["1920x1080", "1366x768"], indirect=True)
def test_every_screen_fits_and_every_candidate_is_on_one(app, projector, live_server, big_rounds):
    semifinal = walk(projector, live_server, round_id(app, "semifinal"), "semifinal")
    assert sorted(semifinal) == sorted(u for u, _, _ in big_rounds.semifinalists)
    assert all(len(rows) == 1 for rows in semifinal.values()), "each of the 82 is on exactly one screen"

    final = walk(projector, live_server, round_id(app, "final"), "final")
    assert sorted(final) == sorted(u for u, _, _ in big_rounds.finalists)
    # Each finalist's row in the table, on the awards screen and on the 十佳党课 screen.
    assert all(len(rows) == 3 for rows in final.values())
    awards = [rows[1][0] for rows in final.values()]
    assert sorted(awards) == sorted(["一等奖"] + ["二等奖"] * 3 + ["三等奖"] * 6)
    assert [rows[0][-1] for rows in final.values()] == awards, "the award in the table is the one on its screen"


@pytest.mark.parametrize("projector", VIEWPORTS[:1], ids=["1920x1080"], indirect=True)
def test_the_screens_turn_by_themselves_and_by_key(app, projector, live_server, big_rounds):
    page = projector
    page.goto(f"{live_server}/standings/rounds/{round_id(app, 'semifinal')}/screen?every=2")
    expect(page.locator(".board-page")).to_have_text("第 2/10 屏", timeout=TURNED)
    expect(page.locator("h2")).to_have_text("第一联系片组（续）")
    page.goto(f"{live_server}/standings/rounds/{round_id(app, 'semifinal')}/screen?every=300&screen=3")
    page.keyboard.press("Space")
    expect(page.locator(".board-page")).to_have_text("第 4/10 屏")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".board-page")).to_have_text("第 2/10 屏")
    assert page.url.endswith("screen=2"), "a reload stays on the screen shown"
    page.click("a[aria-label=上一屏]")
    expect(page.locator(".board-page")).to_have_text("第 1/10 屏")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".board-page")).to_have_text("第 10/10 屏")


def test_without_script_the_screens_turn_by_page_loads(app, browser, live_server, big_rounds, organiser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", java_script_enabled=False,
                                  viewport=VIEWPORTS[1])
    page = context.new_page()
    sign_in(page, live_server, "organiser1")
    page.goto(f"{live_server}/standings/rounds/{round_id(app, 'final')}/screen?every=2&screen=2")
    expect(page.locator("h2")).to_have_text("获奖名单")
    expect(page.locator(".board-page")).to_have_text("第 3/3 屏", timeout=TURNED)
    expect(page.locator("h2")).to_have_text("十佳党课")
    expect(page.locator(".board-page")).to_have_text("第 1/3 屏", timeout=TURNED)
    context.close()
