"""排序题 through the app (issue 11, ordering): the exam API asks for an order without ever sending the items in the
bank's order or the key, saves the candidate's order in the letters shown, marks it by the paper's ordering_scoring;
the result page, practice drills (shuffled there too), key correction, and the schema's CHECK and new column."""
import re
from html import unescape

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Attempt, Paper, QuestionRevision
from plugins.accounts import csrf_from, login
from plugins.banks import ORDERING_BANK, ORDERING_BLUEPRINT, STAGES, STEPS
from plugins.exams import Candidate, load_exam_content, schedule
from plugins.practice import drill_state, revision_at, start
from plugins.schema import insert_revision, seed_question


@pytest.fixture
def order_exam(app, make_user, clock):
    for name in ("cand1", "cand2", "cand3", "cand4"):
        make_user(name, role="candidate")
    with app.app_context():
        load_exam_content(ORDERING_BLUEPRINT, ORDERING_BANK)
        return schedule(["cand1", "cand2", "cand3", "cand4"], paper="order", review="after_close", show_key=True)


def items_of(attempt: dict) -> dict[str, dict]:
    found = {}
    for section in attempt["sections"]:
        for item in section["items"]:
            found["stages" if "身份" in item["stem_html"] else "steps" if "步骤" in item["stem_html"]
                  else "single"] = item
    return found


def order_of(item: dict, texts: list[str]) -> list[str]:
    """The shown letters that put the item's options in the order of these texts."""
    by_text = {option["html"]: option["key"] for option in item["options"]}
    return [by_text[each] for each in texts]


def test_the_api_never_sends_the_items_in_the_banks_order_nor_the_key(app, client, order_exam):
    for name in ("cand1", "cand2", "cand3", "cand4"):
        attempt = Candidate(app.test_client(), name).start(order_exam)
        items = items_of(attempt)
        assert [o["html"] for o in items["single"]["options"]] == ["三", "五", "七", "十"], "shuffle.options: false"
        stages = items["stages"]
        assert (stages["type_label"], stages["input"]) == ("排序题", "order")
        shown = [o["html"] for o in stages["options"]]
        assert sorted(shown) == sorted(STEPS) and shown != STEPS, "the bank's order is the key here"
        assert [o["key"] for o in stages["options"]] == ["A", "B", "C", "D", "E"]
        assert "answer" not in str(attempt) and "ABCDE" not in str(attempt)


def sit(client, session_id: int, name: str, stages: list[str] | None, steps: list[str] | None) -> dict:
    cand = Candidate(client, name)
    attempt = cand.start(session_id)
    items = items_of(attempt)
    responses = {}
    if stages is not None:
        responses[items["stages"]["key"]] = order_of(items["stages"], stages)
    if steps is not None:
        responses[items["steps"]["key"]] = order_of(items["steps"], steps)
    saved = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": responses, "seq": 1})
    assert saved.status_code == 200, saved.get_json()
    assert cand.call("POST", f"/attempts/{attempt['id']}/submit").status_code == 200
    return {"attempt": attempt, "items": items, "cand": cand}


def test_orders_are_marked_by_position_and_reviewed_in_the_letters_shown(app, client, order_exam, clock):
    swapped = [STAGES[0], STAGES[2], STAGES[1], STAGES[3]]          # two of four in place
    sat = sit(client, order_exam, "cand1", STEPS, swapped)
    clock.advance(minutes=130)
    result = sat["cand"].call("GET", f"/attempts/{sat['attempt']['id']}").get_json()["result"]
    stages, steps = sat["items"]["stages"], sat["items"]["steps"]
    assert result["score"] == 6.0 and result["max_score"] == 9.0
    assert result["items"][stages["key"]]["score"] == 4.0
    assert result["items"][steps["key"]]["score"] == 2.0
    assert result["items"][steps["key"]]["answer_text"] == "→".join(order_of(steps, STAGES))
    page = client.get(f"/exam/attempts/{sat['attempt']['id']}/result").get_data(as_text=True)
    assert "→".join(order_of(steps, swapped)) in page and "→".join(order_of(steps, STAGES)) in page


def test_strict_papers_give_all_or_nothing(app, client, order_exam, clock):
    with app.app_context():
        for paper in db.session.scalars(select(Paper)):
            paper.ordering_scoring = "strict"
        db.session.commit()
    sat = sit(client, order_exam, "cand2", STEPS, [STAGES[0], STAGES[2], STAGES[1], STAGES[3]])
    with app.app_context():
        assert db.session.get(Attempt, sat["attempt"]["id"]).score == 4.0


@pytest.mark.parametrize("given", ["ABCDE", ["A", "B", "C", "D"], ["A", "B", "C", "D", "D"], ["A", "B", "C", "D", "F"],
                                   [1, 2, 3, 4, 5]])
def test_a_response_that_is_not_an_order_of_every_item_is_refused(app, client, order_exam, given):
    cand = Candidate(client, "cand1")
    attempt = cand.start(order_exam)
    key = items_of(attempt)["stages"]["key"]
    refused = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {key: given}, "seq": 1})
    assert refused.status_code == 422 and "顺序" in str(refused.get_json())
    cleared = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {key: None}, "seq": 2})
    assert cleared.status_code == 200


def correct(client, session_id: int, revision_id: int, key: str):
    page = client.get(f"/admin/sessions/{session_id}/results").get_data(as_text=True)
    return client.post(f"/admin/sessions/{session_id}/keys/{revision_id}",
                       data={"key": key, "reason": "更正", "csrf_token": csrf_from(page), "confirmed": "1",
                             "explanation": "依据原文更正。"})


def test_organisers_correct_an_ordering_key_typed_any_usual_way(app, client, organiser, order_exam):
    sat = sit(app.test_client(), order_exam, "cand1", None, [STAGES[1], STAGES[0], STAGES[2], STAGES[3]])
    with app.app_context():
        revision_id = db.session.scalar(select(QuestionRevision.id).where(QuestionRevision.stem.contains("步骤")))
        assert db.session.get(Attempt, sat["attempt"]["id"]).score == 2.0
    login(client, "organiser1")
    page = client.get(f"/admin/sessions/{order_exam}/results").get_data(as_text=True)
    assert "排序题" in page and "B→D→A→C" in page
    reply = correct(client, order_exam, revision_id, "D、B、A、C")
    assert reply.status_code == 302, unescape(reply.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Attempt, sat["attempt"]["id"]).score == 4.0
    refused = correct(client, order_exam, revision_id, "DBA")
    assert "排序题答案应是全部 4 个选项字母" in unescape(refused.get_data(as_text=True))


def test_a_drill_shows_the_items_shuffled_and_reads_the_order_in_the_letters_shown(app, client, make_user, clock):
    make_user("cadre", role="candidate")
    with app.app_context():
        load_exam_content(ORDERING_BLUEPRINT, ORDERING_BANK)
    login(client, "cadre")
    drill_id = start(client, count="10")
    token = csrf_from(client.get(f"/practice/drills/{drill_id}").get_data(as_text=True))
    seen = {}
    for _position in range(3):
        revision = revision_at(app, drill_id)
        page = client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
        response = "A"
        if revision.type == "ordering":
            assert 'data-input="order"' in page and page.count('<select name="response">') == len(revision.options)
            shown = re.findall(r'<li><span class="letter">([A-H])\.</span>\s*<span>(.*?)</span></li>', page)
            texts = [text for _, text in shown]
            bank_texts = [revision.options[letter] for letter in revision.answer]
            assert sorted(texts) == sorted(revision.options.values()) and texts != list(revision.options.values())
            by_text = {text: letter for letter, text in shown}
            response = [by_text[each] for each in bank_texts]
            again = client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
            assert re.findall(r'<span class="letter">([A-H])\.</span>\s*<span>(.*?)</span>', again) == shown, \
                "the same order again"
        reply = client.post(f"/api/v1/drills/{drill_id}/answers", json={"question_id": revision.question_id,
                                                                        "response": response},
                            headers={"X-CSRFToken": token})
        assert reply.status_code == 200, reply.get_json()
        data = reply.get_json()
        seen[revision.stem[:4]] = data["correct"]
        if revision.type == "ordering":
            assert data["answer_text"] == data["response_text"] == "→".join(response)
    assert drill_state(app, drill_id).finished_at is not None
    assert list(seen.values()) == [True, True, True]


def test_a_drill_takes_an_order_from_the_plain_form(app, client, make_user, clock):
    make_user("cadre", role="candidate")
    with app.app_context():
        load_exam_content(ORDERING_BLUEPRINT, ORDERING_BANK)
    login(client, "cadre")
    drill_id = start(client, count="10", types="ordering")
    revision = revision_at(app, drill_id)
    page = client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
    letters = [chr(ord("A") + n) for n in range(len(revision.options))]
    reply = client.post(f"/practice/drills/{drill_id}/answer",
                        data={"question_id": revision.question_id, "response": letters,
                              "csrf_token": csrf_from(page)})
    assert reply.status_code == 200
    body = unescape(reply.get_data(as_text=True))
    assert "→".join(letters) in body
    if revision.answer == sorted(revision.answer):
        assert "回答错误" in body, "the order shown is never the bank's, here the key"
    again = client.post(f"/practice/drills/{drill_id}/answer",
                        data={"question_id": revision_at(app, drill_id).question_id, "response": ["A", "A", "", ""],
                              "csrf_token": csrf_from(page)})
    assert again.status_code == 422


def test_the_migration_lets_ordering_in_and_gives_papers_strict_scoring(scratch_app):
    with scratch_app.app_context():
        upgrade(revision="3c1a7e5d9f20")
        seed_question()
        with pytest.raises(IntegrityError):
            insert_revision(1, "ordering")
        upgrade()
        insert_revision(1, "ordering")
        with db.engine.begin() as connection:
            columns = {c["name"]: c for c in db.inspect(db.engine).get_columns("papers")}
            assert "ordering_scoring" in columns
            connection.execute(text("DELETE FROM question_revisions WHERE type = 'ordering'"))
        downgrade(revision="3c1a7e5d9f20")
        with pytest.raises(IntegrityError):
            insert_revision(2, "ordering")
        db.engine.dispose()


ITEM = re.compile(r'<div class="paper-item">.*?<span class="number">(\d+)\.</span>(.*?)</div>', re.S)


def test_a_paper_sheet_order_is_entered_as_letters_and_marked_like_online(app, client, organiser, order_exam,
                                                                           clock):
    clock.advance(minutes=60)
    login(client, "organiser1")
    html = client.get(f"/admin/sessions/{order_exam}/paper?variant=A&key=1").get_data(as_text=True)
    assert 'class="sheet-item sheet-order"' in html and "按正确顺序写出全部字母" in html
    number = next(number for number, stem in ITEM.findall(html) if "步骤" in stem)
    block = html[html.index(f'<span class="number">{number}.</span>'):]
    block = block[:block.index("</ol>")]
    shown = dict(re.findall(r"<li>\s*<span class=\"letter\">([A-H])[.．]</span>\s*(.*?)</li>", block, re.S)) or \
        dict(re.findall(r"([A-H])[.．]\s*([^<]+)", block))
    by_text = {text.strip(): letter for letter, text in shown.items()}
    typed = "".join(by_text[stage] for stage in STAGES)
    token = csrf_from(client.get(f"/admin/sessions/{order_exam}/paper/entry").get_data(as_text=True))
    reply = client.post(f"/admin/sessions/{order_exam}/paper/entry",
                        data={"candidate": "cand2", "variant": "A", "csrf_token": token, "confirmed": "1",
                              f"answer-{number}": [typed.lower()]})
    assert reply.status_code == 302, unescape(reply.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Attempt.score).where(Attempt.user.has(username="cand2"))) == 4.0
