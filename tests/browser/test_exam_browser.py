"""Issue 3 §7: a candidate sits a real paper in Chromium — answers kept across reloads and devices, saved after
the network returns, the right time left on a wrong device clock, and a paper that runs out submits itself.
Issue 6 §9: leaving the page (切屏) is recorded once per absence, queued while offline, shown to the organisers.

The live server runs on the real clock, so sessions are scheduled around the real time, not the test clock.
"""
import json
import os
import re
import textwrap
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import AwayRecord, utcnow
from plugins.accounts import login
from plugins.browser import SAVED, Sitting, expect_fits_width
from plugins.exams import load_exam_content, schedule

SHOTS = os.environ.get("SCREENSHOT_DIR")

ONE_MINUTE = textwrap.dedent("""\
    paper: one-minute
    title: 一分钟小卷
    duration: 1
    draw: per_session
    shuffle: {questions: false, options: false}
    multiple_scoring: strict
    sections:
      - {title: 一、判断, type: judge, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 二、填空, type: blank, points: 2, pick: [{bank: party-affairs, count: 1}]}
    """)

# The device's clock runs `window.__shift` ms off; everything else about Date behaves as usual.
SKEWED_CLOCK = """
(() => {
  const Real = Date;
  window.__shift = %d;
  class Skewed extends Real {
    constructor(...args) { if (args.length) super(...args); else super(Real.now() + window.__shift); }
    static now() { return Real.now() + window.__shift; }
  }
  window.Date = Skewed;
})();
"""


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=False)


def test_answers_survive_a_reload_and_another_device(app, browser, live_server, sitting):
    sitting.answer_all()
    sitting.item("short").locator("button.flag").click()
    sitting.expect_state("已保存")
    assert sitting.stored() == {"single": "B", "multiple": ["A", "C"], "judge": True, "blank": ["义务", "纪律"],
                                "short": "宣传和执行党的路线方针政策。"}
    expect(sitting.page.locator(".nav-item.done")).to_have_count(5)

    sitting.page.reload()
    sitting.wait_until_drawn()
    sitting.expect_all_answered()
    expect(sitting.page.locator(f".nav-item.flagged[href='#q-{sitting.keys['short']}']")).to_have_count(1)
    sitting.expect_state("已保存")

    other = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        elsewhere = Sitting(app, other.new_page(), live_server)
        elsewhere.sign_in_and_start()
        assert elsewhere.attempt_id == sitting.attempt_id
        elsewhere.expect_all_answered()
        assert not elsewhere.errors
    finally:
        other.close()
    assert not sitting.errors


def test_answers_given_offline_are_saved_when_the_network_returns(sitting):
    page = sitting.page
    sitting.item("judge").locator("input[value=false]").check()
    sitting.expect_state("已保存")

    page.context.set_offline(True)
    sitting.item("single").locator("input[value=C]").check()
    sitting.item("judge").locator("input[value=true]").check()
    sitting.item("blank").locator("input[type=text]").nth(0).fill("义务")
    sitting.expect_state("未保存（网络断开，恢复后自动重试）")
    assert len(page.evaluate(f"JSON.parse(localStorage.getItem('exam.{sitting.attempt_id}.queue'))")) == 3
    assert sitting.stored()["judge"] is False and sitting.stored()["single"] is None

    page.context.set_offline(False)
    sitting.expect_state("已保存")
    stored = sitting.stored()
    assert (stored["single"], stored["judge"], stored["blank"]) == ("C", True, ["义务", ""])
    assert page.evaluate(f"JSON.parse(localStorage.getItem('exam.{sitting.attempt_id}.queue'))") == {}
    assert not sitting.errors


def test_answers_queued_on_a_page_closed_offline_are_sent_when_the_exam_is_opened_again(sitting):
    page, context = sitting.page, sitting.page.context
    # Chromium's offline emulation has let a save through on CI; a route that drops the saves is what a dead
    # network does, whatever the emulation holds back.
    saves = "**/api/v1/attempts/*/responses"
    context.route(saves, lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    sitting.item("short").locator("textarea").fill("断网时写下的答案")
    sitting.expect_state("未保存")
    # A page that dies (a flat battery, a killed browser) runs no pagehide handler. Closing it here would run
    # exam.js's keepalive flush, which Chromium sometimes sends despite the offline emulation.
    page.evaluate("addEventListener('pagehide', (event) => event.stopImmediatePropagation(), {capture: true})")
    page.close()
    assert sitting.stored()["short"] is None

    context.unroute(saves)
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"{sitting.base}/exam/attempts/{sitting.attempt_id}")
    again.wait_for_selector("article.item")
    expect(again.locator("#save-state")).to_have_text("已保存", timeout=SAVED)
    assert sitting.stored()["short"] == "断网时写下的答案"
    expect(again.locator(f"#q-{sitting.keys['short']} textarea")).to_have_value("断网时写下的答案")


@pytest.mark.parametrize("minutes_off", [10, -10])
def test_countdown_follows_the_server_on_a_wrong_device_clock(app, page, live_server, open_session, minutes_off):
    page.add_init_script(SKEWED_CLOCK % (minutes_off * 60_000))
    sitting = Sitting(app, page, live_server).sign_in_and_start()
    assert abs(page.evaluate("Date.now() - performance.timeOrigin - performance.now()") - minutes_off * 60_000) < 2000
    assert abs(sitting.seconds_shown() - sitting.seconds_left()) <= 3
    assert not sitting.errors


def test_countdown_resyncs_on_a_save_and_on_returning_to_the_tab(sitting):
    page = sitting.page
    page.evaluate("""(() => {
      const Real = Date; window.__shift = 0;
      window.Date = class extends Real {
        constructor(...a) { if (a.length) super(...a); else super(Real.now() + window.__shift); }
        static now() { return Real.now() + window.__shift; }
      };
    })()""")
    page.evaluate("window.__shift = 7 * 60 * 1000")   # the device clock jumps while the page is open
    expect(page.locator("#clock")).not_to_have_text(re.compile(r"^2[89]:"))
    sitting.item("judge").locator("input[value=true]").check()
    sitting.expect_state("已保存")
    assert abs(sitting.seconds_shown() - sitting.seconds_left()) <= 3

    page.evaluate("window.__shift = -4 * 60 * 1000")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#clock")).to_have_text(re.compile(r"^2[89]:"))
    assert abs(sitting.seconds_shown() - sitting.seconds_left()) <= 3


def test_submit_lists_what_is_unanswered_then_goes_to_the_result(sitting):
    page = sitting.page
    sitting.item("judge").locator("input[value=true]").check()
    sitting.expect_state("已保存")
    page.click("#submit")
    dialog = page.locator("#confirm")
    expect(dialog).to_be_visible()
    unanswered = sorted(int(sitting.keys[t]) for t in ("single", "multiple", "blank", "short"))
    expect(dialog).to_contain_text(f"还有 4 题未作答：第 {'、'.join(map(str, unanswered))} 题。")
    page.click("#confirm-cancel")
    expect(dialog).to_be_hidden()
    assert sitting.attempt().status == "in_progress"

    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    attempt = sitting.attempt()
    assert attempt.status == "submitted" and attempt.score == 1.0
    expect(page.locator("#score")).to_contain_text("1 / 11 分")
    assert page.evaluate(f"localStorage.getItem('exam.{sitting.attempt_id}.queue')") is None


def test_a_one_minute_paper_runs_out_and_is_submitted_and_marked(app, page, live_server, make_user):
    make_user("cand1", role="candidate", name="张三")
    with app.app_context():
        load_exam_content(blueprint=ONE_MINUTE)
        schedule(["cand1"], paper="one-minute", opens=utcnow() - timedelta(minutes=1), minutes=60)
    sitting = Sitting(app, page, live_server).sign_in_and_start()
    assert 45 <= sitting.seconds_shown() <= 60
    sitting.item("judge").locator("input[value=true]").check()
    blanks = sitting.item("blank").locator("input[type=text]")
    blanks.nth(0).fill("党员义务")
    blanks.nth(1).fill("纪律")
    sitting.expect_state("已保存")

    page.wait_for_url(re.compile(r"/result$"), timeout=75_000)
    attempt = sitting.attempt()
    assert attempt.status in ("submitted", "closed")
    assert attempt.score == 3.0 and attempt.fully_marked
    expect(page.locator("#score")).to_contain_text("3 / 3 分")
    assert not sitting.errors


@pytest.mark.parametrize("viewport, name", [({"width": 375, "height": 812}, "exam-phone.png"),
                                            ({"width": 1280, "height": 800}, "exam-desktop.png")])
def test_the_exam_page_fits_the_screen(sitting, viewport, name):
    page = sitting.page
    page.set_viewport_size(viewport)
    sitting.item("single").locator("input[value=A]").check()
    sitting.item("short").locator("button.flag").click()
    sitting.expect_state("已保存")
    page.evaluate("window.scrollTo(0, 0)")
    expect_fits_width(page, viewport["width"])
    for selector in ("#clock", "#save-state", "#submit"):
        expect(page.locator(selector)).to_be_in_viewport()
    shot(page, name)
    if viewport["width"] < 900:
        expect(page.locator("#navigator")).to_be_hidden()
        page.click("#nav-toggle")
        expect(page.locator("#navigator")).to_be_visible()
        shot(page, name.replace(".png", "-sheet.png"))
        page.click(f".nav-item[href='#q-{sitting.keys['short']}']")
        expect(page.locator("#navigator")).to_be_hidden()
        expect(sitting.item("short")).to_be_in_viewport()
    else:
        expect(page.locator("#navigator")).to_be_visible()
        expect(page.locator("#nav-toggle")).to_be_hidden()
    assert not sitting.errors


# -- leaving the page (切屏) ----------------------------------------------------------------------------------------

# Headless Chromium never hides a page by itself (not behind another page, not minimised), so the test decides
# what document.visibilityState says and fires the event a real browser would.
VISIBILITY_SWITCH = """(() => {
  window.__visibility = "visible";
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => window.__visibility});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => window.__visibility === "hidden"});
})()"""


def set_visibility(page, state: str) -> None:
    page.evaluate(f"window.__visibility = '{state}'; document.dispatchEvent(new Event('visibilitychange'))")


def away_records(app, attempt_id: int) -> list[AwayRecord]:
    with app.app_context():
        records = db.session.scalars(select(AwayRecord).where(AwayRecord.attempt_id == attempt_id)
                                     .order_by(AwayRecord.number)).all()
        db.session.expunge_all()
        return list(records)


def wait_for(page, check, timeout_ms: int = SAVED) -> None:
    for _ in range(timeout_ms // 100):
        if check():
            return
        page.wait_for_timeout(100)
    assert check()


@pytest.fixture
def seated(app, page, live_server, open_session) -> Sitting:
    """cand1 signed in on the page of an attempt started for them (the start button's flow is tested above)."""
    from app.attempts.service import start_attempt
    from app.models import User
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "cand1"))
        attempt_id = start_attempt(open_session, user, utcnow()).id
    sitting = Sitting(app, page, live_server)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "cand1")
    page.fill("input[name=password]", "secret-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/exam/")
    page.goto(f"{live_server}/exam/attempts/{attempt_id}")
    sitting.attempt_id = attempt_id
    sitting.wait_until_drawn()
    return sitting


def queued_away(sitting) -> dict:
    return json.loads(sitting.page.evaluate(f"localStorage.getItem('exam.{sitting.attempt_id}.away')") or "{}")


def test_leaving_the_page_is_recorded_once_per_absence_and_organisers_see_it(app, seated, open_session, make_user):
    page = seated.page
    # Playwright keeps every page focused unless told not to; then a page brought to the front really blurs this one.
    page.context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    page.evaluate(VISIBILITY_SWITCH)
    expect(page.locator("#away-state")).to_have_text("")
    before = utcnow()

    other = page.context.new_page()
    other.bring_to_front()                 # the exam page loses focus…
    set_visibility(page, "hidden")         # …and, as on a phone switching apps, is hidden: still one absence
    set_visibility(page, "visible")        # visible again but not focused: still away
    page.wait_for_timeout(300)
    assert away_records(app, seated.attempt_id) == [], "sent when the candidate comes back, not before"
    page.bring_to_front()

    expect(page.locator("#away-state")).to_have_text("离开考试页面 1 次，已记录", timeout=SAVED)
    wait_for(page, lambda: away_records(app, seated.attempt_id))
    [record] = away_records(app, seated.attempt_id)
    assert record.number == 1 and record.back_at is not None
    assert before - timedelta(seconds=2) <= record.left_at < record.back_at <= utcnow() + timedelta(seconds=2)
    wait_for(page, lambda: queued_away(seated) == {})   # the page forgets it once the reply is read
    shot(page, "exam-away.png")

    make_user("organiser1", role="organiser")
    organiser = app.test_client()
    login(organiser, "organiser1")
    html = organiser.get(f"/admin/sessions/{open_session}").get_data(as_text=True)
    row = html.split('id="candidate-cand1"')[1].split("</tr>")[0]
    assert f'/attempts/{seated.attempt_id}#away">1</a>' in row
    assert not seated.errors


def test_an_absence_while_offline_is_queued_and_reaches_the_server_once(app, seated):
    page = seated.page
    page.evaluate(VISIBILITY_SWITCH)
    replies = []
    page.on("response", lambda r: replies.append(r.status) if r.url.endswith("/away") else None)
    page.context.set_offline(True)
    set_visibility(page, "hidden")
    set_visibility(page, "visible")

    expect(page.locator("#away-state")).to_have_text("离开考试页面 1 次，已记录")
    page.wait_for_timeout(500)
    assert away_records(app, seated.attempt_id) == []
    [queued] = queued_away(seated).values()
    assert queued["number"] == 1 and queued["back_at"] is not None

    page.context.set_offline(False)
    wait_for(page, lambda: queued_away(seated) == {})
    page.wait_for_timeout(500)
    assert replies == [200]
    [record] = away_records(app, seated.attempt_id)
    assert record.back_at is not None and record.left_at.isoformat(timespec="milliseconds") == \
        queued["left_at"].replace("Z", "+00:00")
    assert not seated.errors


def test_a_page_closed_while_away_sends_the_period_open_and_completes_it_on_return(app, seated, monkeypatch):
    from app.api import routes
    received, record_away = [], routes.record_away

    def keeping(attempt_id, user, records, now):   # the keepalive request escapes Playwright: watch the server
        received.append(records)
        return record_away(attempt_id, user, records, now)
    monkeypatch.setattr(routes, "record_away", keeping)
    page = seated.page
    page.evaluate(VISIBILITY_SWITCH)
    set_visibility(page, "hidden")
    page.reload()                          # pagehide while away: the open period goes with keepalive
    seated.wait_until_drawn()

    wait_for(page, lambda: [r.back_at is not None for r in away_records(app, seated.attempt_id)] == [True])
    assert sorted([record["back_at"] is None for record in records] for records in received) == [[False], [True]]
    expect(page.locator("#away-state")).to_have_text("离开考试页面 1 次，已记录")
    assert not seated.errors



def test_a_reload_is_not_leaving_the_page(app, seated):
    seated.page.reload()
    seated.wait_until_drawn()
    seated.page.wait_for_timeout(1000)
    assert away_records(app, seated.attempt_id) == [] and queued_away(seated) == {}
    expect(seated.page.locator("#away-state")).to_have_text("")


def test_a_page_closed_and_opened_again_later_was_away_meanwhile(app, seated):
    url, context = seated.page.url, seated.page.context
    seated.page.close()
    page = context.new_page()
    page.goto(url.rsplit("/exam/", 1)[0] + "/exam/")
    # Closed a minute ago rather than just now: longer than any reload takes.
    page.evaluate(f"""(() => {{ const name = 'exam.{seated.attempt_id}.goneAt';
        localStorage.setItem(name, String(Number(localStorage.getItem(name)) - 60000)); }})()""")
    page.goto(url)
    expect(page.locator("#away-state")).to_have_text("离开考试页面 1 次，已记录", timeout=SAVED)
    wait_for(page, lambda: away_records(app, seated.attempt_id))
    [record] = away_records(app, seated.attempt_id)
    assert 59 <= record.seconds <= 65


class _StalledMarker:
    """A marking thread that has not got round to the paper yet: the result page must say so, then show the score."""

    def __init__(self):
        self.pid = os.getpid()

    def add(self, attempt_id: int) -> None:
        pass


def test_a_paper_still_being_marked_shows_submitted_then_its_score_by_itself(app, sitting):
    from app.attempts.service import mark_pending
    app.extensions["marker"] = _StalledMarker()
    page = sitting.page
    sitting.item("judge").locator("input[value=true]").check()
    sitting.expect_state("已保存")
    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    expect(page.locator("#marking")).to_contain_text("成绩计算中")
    expect(page.locator(".meta")).to_contain_text("已交卷")
    with app.app_context():
        assert mark_pending(utcnow(), [sitting.attempt_id]) == 1
    expect(page.locator("#score")).to_contain_text("1 / 11 分", timeout=15_000)   # the page reloaded by itself
    assert not sitting.errors
