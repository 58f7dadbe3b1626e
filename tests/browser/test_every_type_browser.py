"""Every question type on one paper (issue 11's done-when): a candidate sits it in Chromium on a 375-px phone and
answers each item right with its own widget; then a printed variant of the same paper (an A4 PDF), written with the
same answers and typed in on the paper-fallback page, scores exactly as the online attempt, item by item.

The paper draws one question of each type from the sample party-affairs bank, so the sample bank is what is sat."""
import os
import re
import textwrap
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.domain.questions import LETTERS, QUESTION_TYPES
from app.extensions import db
from app.models import Attempt, Response, User, utcnow
from plugins.banks import BANKS
from plugins.browser import SAVED, expect_fits_width, sign_in, sign_in_on_phone, start_exam, type_in_paper_sheet
from plugins.exams import load_exam_content, schedule

SAMPLE = (BANKS / "party_affairs.yaml").read_text(encoding="utf-8")
TYPES = [kind.name for kind in QUESTION_TYPES]
SHORT_ANSWER = "宣传和执行党的路线方针政策。"


def first_of_each_type() -> dict[str, str]:
    """The id of the sample bank's first question of each type, in bank order."""
    found: dict[str, str] = {}
    for block in SAMPLE.split("\n  - id: ")[1:]:
        qid, qtype = block.split("\n", 1)[0].strip(), re.search(r"^    type: (\w+)", block, re.M).group(1)
        found.setdefault(qtype, qid)
    return found


def every_type_paper() -> str:
    ids = first_of_each_type()
    assert set(ids) == set(TYPES), "the sample party-affairs bank asks every type"
    sections = "".join(f"  - {{title: 第{n}大题, type: {qtype}, points: {n + 1}, "
                       f"pick: [{{ids: [party-affairs/{ids[qtype]}]}}]}}\n" for n, qtype in enumerate(TYPES, start=1))
    return textwrap.dedent("""\
        paper: every-type
        title: 全题型卷
        duration: 60
        draw: per_session
        shuffle: {questions: true, options: true}
        multiple_scoring: strict
        ordering_scoring: strict
        sections:
        """) + sections


@pytest.fixture
def hall(app, make_user, organiser):
    make_user("cand1", role="candidate", name="张三")
    make_user("cand2", role="candidate", name="李四")
    with app.app_context():
        load_exam_content(every_type_paper(), SAMPLE)
        return schedule(["cand1", "cand2"], paper="every-type", opens=utcnow() - timedelta(minutes=5), minutes=120)


def shown(order: list[str], letter: str) -> str:
    """The letter a candidate sees for a bank letter, options shown in `order`."""
    return LETTERS[order.index(letter)] if order else letter


def typed_value(value) -> str:
    """A blank's first accepted variant, or a calculation step's number."""
    return str(value[0] if isinstance(value, list) else value["value"] if isinstance(value, dict) else value)


def answer_online(kind: str, key, order: list[str], item, parts: list) -> None:
    """Give an item's key through its widget on the exam page, as a candidate would."""
    if kind in ("single", "multiple"):
        for letter in [key] if kind == "single" else key:
            item.locator(f"input[value={shown(order, letter)}]").check()
    elif kind == "judge":
        item.locator(f"input[value={'true' if key else 'false'}]").check()
    elif kind in ("blank", "calculation"):
        for box, value in zip(item.locator("input[type=text]").all(), key, strict=True):
            box.fill(typed_value(value))
    elif kind == "short":
        item.locator("textarea").fill(SHORT_ANSWER)
    elif kind == "ordering":
        for place, letter in enumerate(shown(order, letter) for letter in key):
            now = item.locator(".order-item .letter").all_inner_texts()
            for _ in range(now.index(letter) - place):
                item.get_by_role("button", name=f"把 {letter} 项上移一位").click()
        if item.locator(".order-state").inner_text() == "未作答":
            item.get_by_role("button", name="确认此顺序").click()
    elif kind == "matching":
        for select, letter in zip(item.locator("select").all(), key, strict=True):
            select.select_option(shown(order, letter))
    else:   # a material: each part by its own type, its options in the bank's order
        for node, part, part_key in zip(item.locator("li.part").all(), parts, key, strict=True):
            answer_online(part["type"], part_key, [], node, [])


def sit_online(app, page, base: str) -> tuple[int, dict[str, float]]:
    sign_in_on_phone(page, base, "cand1")
    attempt_id = start_exam(page)
    with app.app_context():
        rows = db.session.scalars(select(Response).where(Response.attempt_id == attempt_id)).all()
        items = [(r.key, r.paper_item.revision.type, r.paper_item.revision, list(r.option_order)) for r in rows]
        for _, _, revision, _ in items:
            db.session.expunge(revision)
    assert sorted(kind for _, kind, _, _ in items) == sorted(TYPES)
    for key, kind, revision, order in items:
        answer_online(kind, revision.answer, order, page.locator(f"#q-{key}"), revision.parts)
    expect_fits_width(page)
    expect(page.locator("#save-state")).to_contain_text("已保存", timeout=SAVED)
    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        scores = {r.paper_item.revision.type: r.score for r in attempt.responses}
        points = {r.paper_item.revision.type: r.paper_item.points for r in attempt.responses}
    assert scores == {**points, "short": None}, "every objective item right, the short answer left to a judge"
    return attempt_id, scores


def printed_items(paper) -> dict[str, dict]:
    """Each printed item by its number: its stem, its options (printed letter → text), and its parts' options."""
    found = {}
    for node in paper.locator(".paper-item").all():
        number = node.locator(":scope > .stem .number").inner_text().rstrip(".")
        options = {li.locator(".letter").inner_text().rstrip("."): li.inner_text().split(" ", 1)[1].strip()
                   for li in node.locator(":scope > ol.paper-options > li").all()}
        found[number] = {"stem": node.locator(":scope > .stem").inner_text(), "options": options}
    return found


def written(kind: str, key, options: dict[str, str], printed: dict[str, str], parts: list) -> list[str]:
    """What the candidate writes on the answer sheet for the key: letters as printed, 对/错, the blanks' words."""
    def letter(bank_letter: str) -> str:
        marks = [mark for mark, text in printed.items() if text == options[bank_letter]]
        assert len(marks) == 1, (printed, options)
        return marks[0]
    if kind == "single":
        return [letter(key)]
    if kind == "multiple":
        return ["".join(sorted(letter(k) for k in key))]
    if kind == "ordering":
        return ["".join(letter(k) for k in key)]
    if kind == "matching":
        return [letter(k) for k in key]
    if kind == "judge":
        return ["对" if key else "错"]
    if kind in ("blank", "calculation"):
        return [typed_value(value) for value in key]
    if kind == "short":
        return [SHORT_ANSWER]
    entries = []
    for part, part_key in zip(parts, key, strict=True):
        part_options = part.get("options") or {}
        entries += written(part["type"], part_key, part_options, part_options, [])
    return entries


def test_every_type_sat_on_a_phone_and_on_a_printed_variant_scores_the_same(app, browser, page, live_server, hall,
                                                                           tmp_path):
    _attempt, online = sit_online(app, page, live_server)

    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    sign_in(desk, live_server, "organiser1")
    desk.goto(f"{live_server}/admin/sessions/{hall}/paper?variant=C")
    expect(desk.locator(".variant-code strong").first).to_have_text("C")
    desk.emulate_media(media="print")
    pdf = desk.pdf(path=str(tmp_path / "variant-C.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2
    printed = printed_items(desk.locator("#paper"))
    desk.emulate_media(media="screen")

    with app.app_context():
        online_attempt = db.session.scalar(select(Attempt).join(User).where(User.username == "cand1"))
        revisions = [r.paper_item.revision for r in online_attempt.responses]
        typed = {}
        for number, item in printed.items():
            body = item["stem"].split("\n", 1)[-1].strip()     # after "8. （9 分）"
            revision = max(revisions, key=lambda r: len(os.path.commonprefix([body, r.stem])))
            typed[number] = written(revision.type, revision.answer, revision.options, item["options"], revision.parts)
    assert len(typed) == len(TYPES)

    type_in_paper_sheet(desk, live_server, hall, "cand2", "c", typed)
    desk.click("button:has-text('核对并录入')")
    desk.locator("dialog[data-confirm] button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/attempts/\d+$"))
    expect(desk.locator(".flash-success")).to_contain_text("已录入 李四 的纸质答卷（变体 C）")
    with app.app_context():
        paper = db.session.scalar(select(Attempt).join(User).where(User.username == "cand2"))
        assert {r.paper_item.revision.type: r.score for r in paper.responses} == online
