"""The paper fallback (issue 11, item 5): a session's paper printed in variants without keys, key sheets for markers,
and answer sheets entered by a marker and marked exactly like an online attempt; organisers only."""
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app.domain.printed import variant_seed
from app.extensions import db
from app.models import Attempt, AttemptEvent, AuditEvent, ExamSession, Response, User
from plugins.accounts import csrf_from, login
from plugins.banks import VALID
from plugins.exams import BLUEPRINT, START, Candidate, load_exam_content, schedule

# What a candidate writes, as option texts (so each variant's letters can be found on its printed page): the single
# right, the multiple half right, the judge wrong, one blank of two right, the short answer left for a judge.
CHOICES = {"single": ["三"], "multiple": ["支部党员大会", "支部委员会"]}
JUDGE, BLANKS, SHORT = "错", ["党员义务", "规矩"], "宣传和执行党的路线方针政策"
# Keys, explanations and reference answers of plugins.banks.VALID: none may reach the printed paper.
SECRETS = ["支部工作条例第五条", "三会一课。", "党章第一章第七条", "纪律", "宣传和执行党的路线方针政策", "组织党员学习",
           "示例。", "见条例"]
OPTION = re.compile(r'<li><span class="letter">([A-H])\.</span> (.*?)</li>')
ITEM = re.compile(r'<div class="paper-item">.*?<span class="number">(\d+)\.</span>(.*?)</div>\s*(?:<ol class="paper'
                  r'-options">(.*?)</ol>)?', re.S)


def url(session_id: int, page: str = "", **query) -> str:
    path = f"/admin/sessions/{session_id}/paper{page}"
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def printed_items(html: str) -> dict[str, tuple[str, dict[str, str]]]:
    """number → (stem text, {option text: letter shown}) as the printed paper shows them."""
    return {number: (unescape(re.sub(r"<[^>]+>", "", stem)),
                     {unescape(text): letter for letter, text in OPTION.findall(options or "")})
            for number, stem, options in ITEM.findall(html)}


def sheet_for(html: str) -> dict[str, list[str]]:
    """The answers of CHOICES/JUDGE/BLANKS typed off a printed variant, in its letters: answer-<number> fields."""
    form = {}
    for number, (stem, options) in printed_items(html).items():
        if "人以上" in stem:
            form[f"answer-{number}"] = ["".join(options[text] for text in CHOICES["single"])]
        elif "三会一课" in stem:
            form[f"answer-{number}"] = [",".join(options[text] for text in CHOICES["multiple"])]
        elif "预备期" in stem:
            form[f"answer-{number}"] = [JUDGE]
        elif "履行" in stem:
            form[f"answer-{number}"] = BLANKS
    return form


@pytest.fixture
def desk(app, organiser_client, exam, make_user):
    """An organiser at the marking desk of the five-question session; a judge exists too."""
    make_user("judge1", role="judge")
    return organiser_client


def enter(client, session_id: int, data: dict, *, confirmed: bool = True):
    token = csrf_from(client.get(url(session_id, "/entry")).get_data(as_text=True))
    return client.post(url(session_id, "/entry"),
                       data={**data, "csrf_token": token, **({"confirmed": "1"} if confirmed else {})})


def counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Attempt, Response, AttemptEvent, AuditEvent))


# -- printing -----------------------------------------------------------------------------------------------------

def test_the_print_view_has_the_candidate_header_the_questions_and_an_answer_sheet_and_no_key(desk, exam):
    response = desk.get(url(exam, variant="B"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for label in ("姓名", "单位", "准考证号/用户名", "变体码", "得分", "答题卡", "变体 <strong>B</strong>",
                  "满分 11 分", "30 分钟", 'id="answer-sheet"', 'href="/static/css/paper.css"'):
        assert label in html, label
    items = printed_items(html)
    assert sorted(items) == ["1", "2", "3", "4", "5"]
    assert sorted(items["1"][1].values()) == ["A", "B", "C", "D"]
    sheet = html[html.index('id="answer-sheet"'):]
    assert sheet.count('class="sheet-item sheet-') == 5 and sheet.count('class="blank-line"') == 2
    for secret in SECRETS:
        assert secret not in html, secret


def test_variants_are_fixed_orders_chosen_on_the_page(desk, exam):
    first = desk.get(url(exam, variant="C")).get_data(as_text=True)
    assert printed_items(first) == printed_items(desk.get(url(exam, variant="c")).get_data(as_text=True))
    for code in "ABCDEFGH":
        assert f'href="{url(exam, variant=code)}"' in first
    orders = {code: printed_items(desk.get(url(exam, variant=code)).get_data(as_text=True)) for code in "ABCD"}
    assert len({repr(order) for order in orders.values()}) > 1, "variants shuffle the options"
    assert desk.get(url(exam)).status_code == 200
    assert desk.get(url(exam, variant="Z")).status_code == 404


def test_the_key_sheet_gives_each_variants_key_in_its_own_letters(desk, exam):
    for code in "ABCD":
        paper = printed_items(desk.get(url(exam, variant=code)).get_data(as_text=True))
        html = desk.get(url(exam, "/key", variant=code)).get_data(as_text=True)
        assert "答案页" in html and "仅供阅卷，不得带入考场" in html
        keys = dict(re.findall(r"<td>(\d)</td>\s*<td>[^<]+</td>\s*<td><strong>([^<]+)</strong>", html))
        single = next(n for n, (stem, _) in paper.items() if "人以上" in stem)
        multiple = next(n for n, (stem, _) in paper.items() if "三会一课" in stem)
        assert keys[single] == paper[single][1]["三"]
        wanted = sorted(paper[multiple][1][text] for text in ("支部党员大会", "支部委员会", "党小组会"))
        assert keys[multiple] == "、".join(wanted)
        assert "正确" in keys.values() and "（1）义务 / 党员义务；（2）纪律" in unescape(html)
        assert "宣传和执行党的路线方针政策……" in html


def test_print_key_and_entry_are_for_organisers_only(app, client, exam, make_user):
    make_user("judge1", role="judge")
    pages = [url(exam, variant="A"), url(exam, "/key", variant="A"), url(exam, "/entry")]
    for page in pages:
        assert client.get(page).status_code == 302, page   # a stranger is sent to log in
    for username in ("cand1", "judge1"):
        other = app.test_client()
        login(other, username)
        for page in pages:
            assert other.get(page).status_code == 403, (username, page)
        token = csrf_from(other.get("/exam/" if username == "cand1" else "/marking/").get_data(as_text=True))
        posted = other.post(url(exam, "/entry"), data={"csrf_token": token, "candidate": "cand2", "variant": "A",
                                                       "answer-1": "A", "confirmed": "1"})
        assert posted.status_code == 403
    assert counts(app)[0] == 0


def test_a_session_drawing_per_candidate_has_no_paper_to_print_or_enter(app, organiser_client, exam):
    with app.app_context():
        load_exam_content(BLUEPRINT.replace("paper: five", "paper: each").replace("per_session", "per_attempt"))
        each = schedule(["cand1"], paper="each")
    for page in (url(each, variant="A"), url(each, "/key", variant="A"), url(each, "/entry")):
        response = organiser_client.get(page)
        assert response.status_code == 409
        assert "本场每人单独抽题" in response.get_data(as_text=True)
    assert "纸质备用卷" not in organiser_client.get(f"/admin/sessions/{each}").get_data(as_text=True)
    assert "纸质备用卷" in organiser_client.get(f"/admin/sessions/{exam}").get_data(as_text=True)


# -- entering an answer sheet -------------------------------------------------------------------------------------

def sit_online(client, session_id: int) -> dict:
    """cand1 gives CHOICES/JUDGE/BLANKS through the exam API, in the letters of their own order, and submits."""
    cand = Candidate(client, "cand1")
    attempt = cand.start(session_id)
    answers = {}
    for section in attempt["sections"]:
        for item in section["items"]:
            shown = {unescape(option["html"]): option["key"] for option in item.get("options", [])}
            if item["type"] in CHOICES:
                letters = sorted(shown[text] for text in CHOICES[item["type"]])
                answers[item["key"]] = letters[0] if item["type"] == "single" else letters
            elif item["type"] == "judge":
                answers[item["key"]] = JUDGE == "对"
            elif item["type"] == "blank":
                answers[item["key"]] = BLANKS
    assert cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": answers, "seq": 1}).status_code == 200
    assert cand.call("POST", f"/attempts/{attempt['id']}/submit").status_code == 200
    return attempt


def test_a_paper_sheet_is_marked_exactly_like_the_same_answers_given_online(app, desk, exam, clock):
    online = sit_online(app.test_client(), exam)
    clock.advance(minutes=90)
    html = desk.get(url(exam, variant="D")).get_data(as_text=True)
    sheet = {"candidate": "cand2", "variant": "d", **sheet_for(html)}
    response = enter(desk, exam, sheet)
    assert response.status_code == 302
    with app.app_context():
        paper = db.session.scalar(select(Attempt).join(User).where(User.username == "cand2"))
        sat = db.session.get(Attempt, online["id"])
        assert paper.score == sat.score == 3.0 and paper.status == sat.status == "submitted"
        assert paper.fully_marked is sat.fully_marked is True   # a short answer left blank scores 0, as online
        by_question = {r.paper_item.revision_id: r.score for r in sat.responses}
        assert {r.paper_item.revision_id: r.score for r in paper.responses} == by_question
        session = db.session.get(ExamSession, exam)
        assert paper.seed == variant_seed(exam, session.paper.seed, "D") and paper.paper_id == session.paper_id
        assert paper.started_at == paper.finished_at == clock.now
        events = db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == paper.id)
                                    .order_by(AttemptEvent.id)).all()
        assert [e.kind for e in events] == ["start", "save", "submit", "auto_mark"]
        entered, marked = events[:3], events[3]
        assert {e.actor.username for e in entered} == {"organiser1"} and marked.actor is None
        assert all(e.details["channel"] == "paper" and e.details["variant"] == "D" for e in entered)
        assert marked.details == {"score": 3.0, "fully_marked": True}
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.paper_entered"))
        assert (audit.channel, audit.actor.username, audit.subject) == ("paper", "organiser1", f"attempt:{paper.id}")
        assert audit.details == {"session": exam, "candidate": "cand2", "variant": "D", "score": 3.0}
        paper_id = paper.id
    assert response.headers["Location"] == f"/admin/sessions/{exam}/attempts/{paper_id}"
    record = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "已录入 cand2 的纸质答卷（变体 D），得分 3。" in record
    assert "纸质答卷 · 变体 D · 组织者甲 录入" in record


def test_the_marker_confirms_what_was_read_before_anything_is_entered(app, desk, exam):
    html = desk.get(url(exam, variant="A")).get_data(as_text=True)
    before = counts(app)
    page = enter(desk, exam, {"candidate": "cand2", "variant": "A", **sheet_for(html)}, confirmed=False)
    assert page.status_code == 200 and counts(app) == before
    text = page.get_data(as_text=True)
    assert "录入 cand2 的纸质答卷" in text and "确认录入" in text and 'name="confirmed" value="1"' in text
    assert "错误" in text and "（1）党员义务；（2）规矩" in unescape(text) and "未作答" in text


def test_results_analysis_and_the_session_page_include_the_paper_attempt(app, desk, exam, clock):
    sit_online(app.test_client(), exam)
    html = desk.get(url(exam, variant="B")).get_data(as_text=True)
    assert enter(desk, exam, {"candidate": "cand2", "variant": "B", **sheet_for(html)}).status_code == 302
    csv = desk.get(f"/admin/sessions/{exam}/results.csv").get_data(as_text=True)
    rows = {line.split(",")[0].lstrip("\ufeff"): line.split(",")[2:] for line in csv.splitlines()}
    assert rows["cand2"] == rows["cand1"] == ["", "已交卷", "3", "1", "1", "0", "1", "0", "是", "0"]
    with app.app_context():
        from app.admin.results import item_analyses
        analyses = item_analyses(db.session.get(ExamSession, exam))
        assert {a.revision.type: a.stats.count for a in analyses} == dict.fromkeys(
            ("single", "multiple", "judge", "blank", "short"), 2)
        single = next(a for a in analyses if a.revision.type == "single")
        assert {o.option: o.count for o in single.stats.options}["A"] == 2
    assert "已交卷 <strong>2</strong> 人" in desk.get(f"/admin/sessions/{exam}/results").get_data(as_text=True)


@pytest.mark.parametrize(("change", "message"), [
    ({"answer-1": "E"}, "第 1 题（单选题）填的是“E”：应是 A/B/C/D 中的一个字母。"),
    ({"answer-1": "AB"}, "第 1 题（单选题）填的是“AB”：应是 A/B/C/D 中的一个字母。"),
    ({"answer-2": "ABCDE"}, "第 2 题（多选题）填的是“ABCDE”：应是不重复的选项字母列表。"),
    ({"answer-3": "是"}, "第 3 题（判断题）填的是“是”：应填 对 或 错（也可写 √/×、正确/错误）。"),
    ({"answer-4": ["甲", "乙", "丙"]}, "第 4 题只有 2 个答案位置，却填了 3 个。"),
    ({"answer-9": "A"}, "第 9 题不在这份试卷上。"),
    ({"variant": "Z"}, "变体码应是 A、B、C、D、E、F、G、H 中的一个字母"),
    ({"candidate": "nobody"}, "请选择本场的考生。"),
])
def test_a_sheet_that_does_not_fit_its_variant_is_refused_and_changes_nothing(app, desk, exam, change, message):
    before = counts(app)
    sheet = {"candidate": "cand2", "variant": "A", "answer-1": "A", "answer-2": "AB", "answer-3": "对",
             "answer-4": ["义务", "纪律"], **change}
    response = enter(desk, exam, sheet)
    assert response.status_code == 422
    text = unescape(response.get_data(as_text=True))
    assert message in text
    if "variant" not in change and "candidate" not in change:
        typed = next(iter(change.values()))
        typed = typed[0] if isinstance(typed, list) else typed
        assert "没有录入任何内容" in text and f'value="{typed}"' in text   # the typed sheet comes back to correct
    assert counts(app) == before


def test_one_sitting_each_a_second_sheet_or_a_sheet_after_an_online_attempt_is_refused(app, desk, exam):
    sit_online(app.test_client(), exam)
    assert enter(desk, exam, {"candidate": "cand2", "variant": "A", "answer-1": "A"}).status_code == 302
    before = counts(app)
    for username in ("cand1", "cand2"):
        response = enter(desk, exam, {"candidate": username, "variant": "B", "answer-1": "B"})
        assert response.status_code == 409
        assert f"{username}（{username}）在本场已有答卷，不能再录入。" in response.get_data(as_text=True)
    assert counts(app) == before
    choose = desk.get(url(exam, "/entry")).get_data(as_text=True)
    assert '<option value="cand3">' in choose and '<option value="cand1">' not in choose


def test_no_sheet_is_entered_before_the_session_opens(app, desk, exam, clock):
    clock.now = START - timedelta(minutes=5)
    before = counts(app)
    response = enter(desk, exam, {"candidate": "cand2", "variant": "A", "answer-1": "A"})
    assert response.status_code == 409 and "考试尚未开始，不能录入纸质答卷。" in response.get_data(as_text=True)
    assert counts(app) == before


def test_a_short_answer_typed_in_waits_for_a_judge_as_online(app, desk, exam):
    html = desk.get(url(exam, variant="A")).get_data(as_text=True)
    short = next(n for n, (stem, _) in printed_items(html).items() if "基本任务" in stem)
    assert enter(desk, exam, {"candidate": "cand3", "variant": "A", f"answer-{short}": SHORT}).status_code == 302
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).join(User).where(User.username == "cand3"))
        assert attempt.fully_marked is False and attempt.score == 0
        assert next(r for r in attempt.responses if r.key == short).value == SHORT
    assert VALID  # the bank the answers above are written against
