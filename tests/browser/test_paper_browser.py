"""The paper fallback in Chromium: a variant printed to an A4 PDF, and a marker on a phone entering the sheet of the
same answers that another candidate gave online, for the same score; no page breaks the Content-Security-Policy."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.attempts.letters import bank_letters
from app.extensions import db
from app.models import Attempt, User, utcnow
from plugins.browser import Sitting, sign_in, type_in_paper_sheet
from plugins.exams import load_exam_content, schedule


@pytest.fixture
def hall(app, make_user, organiser):
    """cand1 and cand2 in a session that opened five minutes ago."""
    make_user("cand1", role="candidate", name="张三")
    make_user("cand2", role="candidate", name="李四")
    with app.app_context():
        load_exam_content()
        return schedule(["cand1", "cand2"], opens=utcnow() - timedelta(minutes=5), minutes=120)


def online_answers(app, page, live_server) -> tuple[float, dict[str, tuple[object, dict[str, str]]]]:
    """cand1 answers every item online and submits: the score, and per type the answer in the bank's letters with
    the question's options."""
    sitting = Sitting(app, page, live_server).sign_in_and_start()
    sitting.answer_all()
    sitting.expect_state("已保存")
    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    with app.app_context():
        attempt = db.session.get(Attempt, sitting.attempt_id)
        answers = {r.paper_item.revision.type: (bank_letters(r), r.paper_item.revision.options)
                   for r in attempt.responses}
        return attempt.score, answers


def typed_off(printed, answers) -> dict[str, list[str]]:
    """The online answers as the candidate would have written them on the printed variant: letters found by the
    option's text on the printed page."""
    typed = {}
    for item in printed.locator(".paper-item").all():
        number = item.locator(".number").inner_text().rstrip(".")
        letters = {li.locator(".letter").inner_text().rstrip("."): li.inner_text().split(" ", 1)[1]
                   for li in item.locator(".paper-options li").all()}
        stem = item.locator(".stem").inner_text()
        qtype = ("single" if "人以上" in stem else "multiple" if "三会一课" in stem else "judge" if "预备期" in stem
                 else "blank" if "履行" in stem else "short")
        value, options = answers[qtype]
        if qtype in ("single", "multiple"):
            wanted = {options[letter] for letter in ([value] if qtype == "single" else value)}
            typed[number] = ["".join(sorted(shown for shown, text in letters.items() if text in wanted))]
        elif qtype == "judge":
            typed[number] = ["√" if value else "×"]
        else:
            typed[number] = value if isinstance(value, list) else [value]
    return typed


def test_a_printed_variant_entered_on_a_phone_scores_as_the_same_answers_online(app, browser, page, live_server,
                                                                                 hall, tmp_path):
    score, answers = online_answers(app, page, live_server)

    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    sign_in(desk, live_server, "organiser1")
    desk.goto(f"{live_server}/admin/sessions/{hall}")
    desk.click("a:has-text('纸质备用卷')")
    desk.click("nav.variants a:has-text('变体 B')")
    expect(desk.locator(".variant-code strong").first).to_have_text("B")
    desk.emulate_media(media="print")
    expect(desk.locator(".topbar")).to_be_hidden()
    expect(desk.locator(".no-print")).to_be_hidden()
    pdf = desk.pdf(path=str(tmp_path / "variant-B.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) >= 2, "the answer sheet starts a page of its own"
    assert re.search(rb"/MediaBox\s*\[0 0 59[45]\.\d+ 84[12]\.\d+\]", pdf), "A4 pages"
    typed = typed_off(desk.locator("#paper"), answers)
    desk.emulate_media(media="screen")
    desk.click("a:has-text('答案页')")
    expect(desk.locator("#key-sheet")).to_contain_text("仅供阅卷")

    type_in_paper_sheet(desk, live_server, hall, "cand2", "b", typed)
    desk.click("button:has-text('核对并录入')")
    dialog = desk.locator("dialog[data-confirm]")
    expect(dialog).to_contain_text("录入 李四 的纸质答卷")
    dialog.locator("button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/attempts/\d+$"))
    expect(desk.locator(".flash-success")).to_contain_text("已录入 李四 的纸质答卷（变体 B）")
    with app.app_context():
        paper = db.session.scalar(select(Attempt).join(User).where(User.username == "cand2"))
        assert paper.score == score and paper.status == "submitted"
        online = db.session.scalar(select(Attempt).join(User).where(User.username == "cand1"))
        assert {r.paper_item.revision.type: r.score for r in paper.responses} == \
            {r.paper_item.revision.type: r.score for r in online.responses}
