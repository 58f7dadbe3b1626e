"""The browser layer: Debian's Chromium driven by Playwright against the live server (plugins.http). Every test here
is marked `browser` and fails when a page broke the Content-Security-Policy; helpers are in plugins/browser.py."""
import os
from datetime import timedelta
from pathlib import Path

import pytest

from app.models import utcnow
from plugins.browser import CHROMIUM, CHROMIUM_ARGS, CSP_VIOLATIONS, Sitting, watch_for_csp_violations
from plugins.exams import load_exam_content, schedule

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped where it is absent, except in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt-get install chromium")
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        watch_for_csp_violations(chromium)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def no_csp_violations():
    """A test fails when a page broke the CSP: what the policy blocked would look or work differently in a hall."""
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS, "Content-Security-Policy violations:\n" + "\n".join(CSP_VIOLATIONS)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def open_session(app, make_user):
    make_user("cand1", role="candidate", name="张三")
    with app.app_context():
        load_exam_content()
        return schedule(["cand1"], opens=utcnow() - timedelta(minutes=5), minutes=120)


@pytest.fixture
def sitting(app, page, live_server, open_session) -> Sitting:
    return Sitting(app, page, live_server).sign_in_and_start()
