"""Every page an organiser opens, at a phone's, a laptop's and a hall screen's width: none scrolls sideways and no table
is cut off (a wide table reads as cards on the phone). SCREENSHOT_DIR=dir keeps a picture of each, to look at."""
import os
import re

import pytest

from plugins.browser import sign_in
from plugins.site import paths

SHOTS = os.environ.get("SCREENSHOT_DIR")
WIDTHS = [{"width": 375, "height": 812}, {"width": 1280, "height": 800}, {"width": 1920, "height": 1080}]
# Files, redirects and pages meant for paper rather than a screen.
NOT_SCREENS = re.compile(r"download$|^static$|^admin\.(paper_print|paper_key)$|^auth\.|^index$")
CLIPPED = """() => [...document.querySelectorAll('table')]
    .filter(t => t.offsetParent !== null)
    .filter(t => t.getBoundingClientRect().right > innerWidth + 1 || t.scrollWidth > t.parentElement.clientWidth + 1)
    .map(t => (t.className || 'table') + ': ' + (t.querySelector('th, td') || t).textContent.trim().slice(0, 20))"""


def organiser_pages(app, site) -> list[str]:
    return sorted({path for endpoint, method, path in paths(app, site)
                   if method == "GET" and endpoint.split(".")[0] in ("admin", "marking", "standings")
                   and not NOT_SCREENS.search(endpoint)})


@pytest.mark.parametrize("viewport", WIDTHS, ids=lambda v: str(v["width"]))
def test_no_organiser_page_scrolls_sideways_or_cuts_a_table(app, page, live_server, site, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, live_server, "organiser1")
    width, problems = viewport["width"], []
    for path in organiser_pages(app, site):
        response = page.goto(live_server + path)
        if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{path}: {scroll_width} px wide")
        problems += [f"{path}: table cut off — {table}" for table in page.evaluate(CLIPPED)]
        if SHOTS:
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
            page.screenshot(path=os.path.join(SHOTS, f"{width}-{name}.png"), full_page=True)
    assert problems == [], "\n".join(problems)
