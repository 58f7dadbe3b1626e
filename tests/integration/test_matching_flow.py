"""匹配题 through the app (issue 11, matching): the exam API sends the prompts and the shuffled right items without
the key, saves one shown letter (or null) per prompt and marks by pairs; wrong shapes are refused; the result page,
the organisers' key correction, practice drills, the paper fallback and the schema. The right items are shuffled away
from the key everywhere, even on a paper that does not shuffle options."""
import re
import textwrap
from html import unescape

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Attempt, QuestionRevision, Response, User
from plugins.accounts import csrf_from, login
from plugins.banks import MATCHING_BANK
from plugins.exams import Candidate, load_exam_content, schedule
from plugins.practice import revision_at, start

BLUEPRINT = textwrap.dedent("""\
    paper: match
    title: 匹配小卷
    duration: 30
    draw: per_session
    shuffle: {questions: false, options: true}
    sections:
      - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 二、匹配, type: matching, points: 3, pick: [{bank: party-affairs, count: 1}]}
    """)
# The same paper keeping options in the bank's order: a matching's right items are shuffled all the same.
UNSHUFFLED = BLUEPRINT.replace("paper: match", "paper: match-plain").replace("options: true", "options: false")
BANK_TEXT = {"A": "一般每季度召开1次", "B": "一般每月召开1次"}
PAIR_OPTION = re.compile(r'<li><span class="letter">([A-H])\.</span> (.*?)</li>')
ITEM = re.compile(r'<div class="paper-item">.*?<span class="number">(\d+)\.</span>(.*?)</div>', re.S)


@pytest.fixture
def match_exam(app, make_user, clock):
    for name in ("cand1", "cand2"):
        make_user(name, role="candidate")
    with app.app_context():
        load_exam_content(BLUEPRINT, MATCHING_BANK)
        return schedule(["cand1", "cand2"], paper="match", review="after_close", show_key=True)


def matching_item(attempt: dict) -> dict:
    return next(item for section in attempt["sections"] for item in section["items"] if item["type"] == "matching")


def shown_letters(item: dict) -> list[str]:
    """The letters this candidate sees for the right pairs (党员大会 → 每季度, 支委会 → 每月)."""
    by_text = {unescape(option["html"]): option["key"] for option in item["options"]}
    return [by_text[BANK_TEXT["A"]], by_text[BANK_TEXT["B"]]]


def test_the_api_asks_with_prompts_and_marks_by_pairs(app, client, match_exam, clock):
    cand = Candidate(client, "cand1")
    attempt = cand.start(match_exam)
    item = matching_item(attempt)
    assert (item["type_label"], item["input"]) == ("匹配题", "pairs")
    assert item["prompts"] == ["党支部党员大会", "党支部委员会会议"] and len(item["options"]) == 4
    assert "answer" not in item and "answer" not in str(attempt["responses"]), "the key never reaches the paper"
    right = shown_letters(item)
    saved = cand.call("PUT", f"/attempts/{attempt['id']}/responses",
                      {"responses": {item["key"]: [right[0], None]}, "seq": 1})
    assert saved.status_code == 200, saved.get_json()
    assert cand.call("POST", f"/attempts/{attempt['id']}/submit").status_code == 200
    clock.advance(minutes=130)
    result = cand.call("GET", f"/attempts/{attempt['id']}").get_json()["result"]
    reviewed = result["items"][item["key"]]
    assert reviewed["score"] == 1.5 and reviewed["answer"] == right
    assert reviewed["answer_text"] == f"1-{right[0]}，2-{right[1]}"
    page = client.get(f"/exam/attempts/{attempt['id']}/result").get_data(as_text=True)
    assert f"1-{right[0]}，2-未配" in page and '<ol class="prompts">' in page


def test_a_list_of_nulls_is_no_answer(app, client, match_exam, clock):
    cand = Candidate(client, "cand1")
    attempt = cand.start(match_exam)
    item = matching_item(attempt)
    saved = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {item["key"]: [None, None]}})
    assert saved.status_code == 200
    cand.call("POST", f"/attempts/{attempt['id']}/submit")
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.key == item["key"]))
        assert response.score == 0.0


@pytest.mark.parametrize("given", ["AB", ["A"], ["A", "A"], ["A", "Z"], ["A", 1], ["A", None, None]])
def test_a_response_of_the_wrong_shape_is_refused(app, client, match_exam, given):
    cand = Candidate(client, "cand1")
    attempt = cand.start(match_exam)
    key = matching_item(attempt)["key"]
    refused = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {key: given}, "seq": 1})
    assert refused.status_code == 422 and "第 " in refused.get_json()["message"], given


def test_organisers_correct_a_matching_key(app, client, organiser, match_exam):
    cand = Candidate(app.test_client(), "cand1")
    attempt = cand.start(match_exam)
    item = matching_item(attempt)
    right = shown_letters(item)
    cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {item["key"]: right[::-1]}})
    cand.call("POST", f"/attempts/{attempt['id']}/submit")
    with app.app_context():
        revision_id = db.session.scalar(select(QuestionRevision.id).where(QuestionRevision.type == "matching"))
    login(client, "organiser1")
    page = client.get(f"/admin/sessions/{match_exam}/results").get_data(as_text=True)
    assert "1-A，2-B" in page
    token = csrf_from(page)
    form = {"reason": "更正", "csrf_token": token, "confirmed": "1", "explanation": "依据原文更正。"}
    refused = client.post(f"/admin/sessions/{match_exam}/keys/{revision_id}", data={**form, "key": "AA"})
    assert "匹配题答案应按 2 个左项的顺序" in unescape(refused.get_data(as_text=True))
    reply = client.post(f"/admin/sessions/{match_exam}/keys/{revision_id}", data={**form, "key": "1-B，2-A"})
    assert reply.status_code == 302, unescape(reply.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Attempt, attempt["id"]).score == 3.0, "the reversed pairs are now the key"


def test_a_drill_asks_with_selects_and_is_right_only_when_every_pair_is(app, client, make_user, make_org):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", org="c01")
    with app.app_context():
        load_exam_content(BLUEPRINT, MATCHING_BANK)
    login(client, "cadre")
    drill_id = start(client, count="10")
    token = csrf_from(client.get(f"/practice/drills/{drill_id}").get_data(as_text=True))
    seen, right = {}, []
    for _position in range(2):
        revision = revision_at(app, drill_id)
        page = client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
        response = "A"
        if revision.type == "matching":
            assert 'data-input="pairs"' in page and page.count('<select name="response"') == 2
            assert "一般每季度召开1次" in page and "selected" not in page
            shown = {text: letter for letter, text in PAIR_OPTION.findall(page)}
            right = [shown[BANK_TEXT["A"]], shown[BANK_TEXT["B"]]]
            assert right != ["A", "B"], "the bank's order is the key here: a drill shuffles the right items"
            response = [right[0], shown["一般每半年召开1次"]]
        reply = client.post(f"/api/v1/drills/{drill_id}/answers",
                            json={"question_id": revision.question_id, "response": response},
                            headers={"X-CSRFToken": token})
        assert reply.status_code == 200, reply.get_json()
        seen[revision.type] = (reply.get_json()["correct"], reply.get_json()["answer_text"])
    assert seen == {"single": (True, "A"), "matching": (False, f"1-{right[0]}，2-{right[1]}")}


def test_a_drill_on_the_plain_form_reads_the_pairs_in_the_letters_shown(app, client, make_user, make_org):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", org="c01")
    with app.app_context():
        load_exam_content(BLUEPRINT, MATCHING_BANK)
    login(client, "cadre")
    drill_id = start(client, count="10", types="matching")
    page = client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
    shown = {text: letter for letter, text in PAIR_OPTION.findall(page)}
    right = [shown[BANK_TEXT["A"]], shown[BANK_TEXT["B"]]]
    reply = client.post(f"/practice/drills/{drill_id}/answer",
                        data={"csrf_token": csrf_from(page), "question_id": revision_at(app, drill_id).question_id,
                              "response": right})
    body = reply.get_data(as_text=True)
    assert "回答正确" in body and f"1-{right[0]}，2-{right[1]}" in body
    assert PAIR_OPTION.findall(body) == PAIR_OPTION.findall(page), "the verdict keeps the drill's order"


def test_a_paper_that_keeps_option_order_still_shuffles_the_right_items_away_from_the_key(
        app, client, organiser, make_user, clock):
    """Authors write prompt k's right item as option k (AB, ABC, ABCD…): shown in the bank's order, answering the
    diagonal would score full marks. The single keeps the paper's setting."""
    names = [f"cand{n}" for n in range(1, 7)]
    for name in names:
        make_user(name, role="candidate")
    with app.app_context():
        load_exam_content(UNSHUFFLED, MATCHING_BANK)
        session = schedule(names, paper="match-plain", review="after_close", show_key=True)
    for name in names:
        attempt = Candidate(app.test_client(), name).start(session)
        item = matching_item(attempt)
        assert shown_letters(item) != ["A", "B"], f"{name} sees the right items so that AB is the key"
        single = next(i for section in attempt["sections"] for i in section["items"] if i["type"] == "single")
        assert [unescape(option["html"]) for option in single["options"]] == ["三", "五", "七", "十"]
    login(client, "organiser1")
    for code in "ABCD":
        key = client.get(f"/admin/sessions/{session}/paper/key?variant={code}").get_data(as_text=True)
        assert "1-" in key and "1-A，2-B" not in key, f"variant {code} prints the right items in the bank's order"


def test_a_paper_sheet_of_a_matching_is_marked_like_online(app, client, organiser, match_exam, clock):
    clock.advance(minutes=60)
    login(client, "organiser1")
    html = client.get(f"/admin/sessions/{match_exam}/paper?variant=A").get_data(as_text=True)
    assert 'class="sheet-item sheet-pairs"' in html and '<ol class="prompts">' in html
    number = next(number for number, stem in ITEM.findall(html) if "召开频次" in stem)
    key = client.get(f"/admin/sessions/{match_exam}/paper?variant=A&key=1").get_data(as_text=True)
    entry = client.get(f"/admin/sessions/{match_exam}/paper/entry").get_data(as_text=True)
    form = {"candidate": "cand2", "variant": "A", "csrf_token": csrf_from(entry), "confirmed": "1",
            f"answer-{number}": ["A", "BC"]}
    refused = client.post(f"/admin/sessions/{match_exam}/paper/entry", data=form)
    assert "每个方框填一个字母" in unescape(refused.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Attempt).join(User).where(User.username == "cand2")) is None
    assert key


def test_the_schema_takes_matching_with_its_prompts(app):
    with app.app_context():
        load_exam_content(BLUEPRINT, MATCHING_BANK)
        revision = db.session.scalar(select(QuestionRevision).where(QuestionRevision.type == "matching"))
        assert revision.prompts == ["党支部党员大会", "党支部委员会会议"] and revision.slots == 2
        single = db.session.scalar(select(QuestionRevision).where(QuestionRevision.type == "single"))
        assert single.prompts == []
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE question_revisions SET type = 'bogus' WHERE id = :id"), {"id": single.id})
        db.session.rollback()
