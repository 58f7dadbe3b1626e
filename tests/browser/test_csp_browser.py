"""Issue 9 item 5 in Chromium: under the Content-Security-Policy every page shows and works with nothing blocked —
the exam page's clock, autosave, offline queue and submit above all — and no page, not even one of the site's own,
can frame the exam page. Every browser test fails on a violation (conftest.no_csp_violations); the first test here
shows that check sees what the policy blocks."""
import re

import pytest
from playwright.sync_api import expect

from plugins.browser import CSP_VIOLATIONS, sign_in
from plugins.site import ROLES, paths


def reported(page, count: int) -> list[str]:
    """The violations the watch has noted, once there are `count` of them (the console reports them a moment late)."""
    for _ in range(100):
        if len(CSP_VIOLATIONS) >= count:
            break
        page.wait_for_timeout(50)
    return list(CSP_VIOLATIONS)


def test_the_watch_sees_what_the_policy_blocks(page, live_server):
    page.goto(f"{live_server}/login")
    page.evaluate("""() => {
        document.body.setAttribute("style", "background: rgb(255, 0, 0)");
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.head.appendChild(script);
    }""")
    seen = reported(page, 2)
    assert any("inline style" in text for text in seen) and any("inline script" in text for text in seen), seen
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert page.evaluate("window.inlineRan") is None
    CSP_VIOLATIONS.clear()


def test_the_exam_page_keeps_time_saves_queues_and_submits_under_the_policy(sitting):  # noqa: F811
    page = sitting.page
    response = page.reload()
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    sitting.wait_until_drawn()
    assert abs(sitting.seconds_shown() - sitting.seconds_left()) <= 3

    sitting.item("judge").locator("input[value=true]").check()
    sitting.expect_state("已保存")
    page.context.set_offline(True)
    sitting.item("single").locator("input[value=B]").check()
    sitting.expect_state("未保存（网络断开，恢复后自动重试）")
    page.context.set_offline(False)
    sitting.expect_state("已保存")
    assert (sitting.stored()["judge"], sitting.stored()["single"]) == (True, "B")

    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    assert sitting.attempt().status == "submitted"
    assert not sitting.errors


def test_no_page_may_frame_the_exam_page(sitting):  # noqa: F811
    """Not even a page of the same origin, whose frame would carry the candidate's cookie and show the real 交卷."""
    page, exam = sitting.page, sitting.page.url
    framing = f"{sitting.base}/a-page-framing-the-exam"
    page.route(framing, lambda route: route.fulfill(content_type="text/html",
                                                    body=f'<iframe src="{exam}" width="800" height="600"></iframe>'))
    page.goto(framing)
    seen = reported(page, 1)
    assert seen and all("frame-ancestors 'none'" in text for text in seen), seen
    expect(page.frame_locator("iframe").locator("#submit")).to_have_count(0)
    CSP_VIOLATIONS.clear()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_shows_without_a_violation(app, page, live_server, site, role):  # noqa: F811
    """Every page of the URL map, as each role; conftest's check fails the test on anything the policy blocked."""
    if ROLES[role]:
        sign_in(page, live_server, ROLES[role])
    for endpoint, method, path in paths(app, site):
        if method == "GET" and endpoint != "static" and not endpoint.endswith("download"):
            page.goto(f"{live_server}{path}")
