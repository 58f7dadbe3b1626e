"""计算题 through the app (issue 11, item 1): the exam API gives the item's input, steps and units, saves what the
candidate typed and marks it; the result page, the organisers' key correction, item analysis, practice drills, the
paper fallback, the bank commands in every format, and the schema's CHECK constraint."""
import re
import textwrap
from html import unescape

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DataError, IntegrityError

from app.extensions import db
from app.models import Attempt, AuditEvent, QuestionRevision, User
from plugins.accounts import csrf_from, login
from plugins.banks import CALCULATION_BANK
from plugins.exams import Candidate, load_exam_content, schedule
from plugins.practice import drill_state, revision_at, start
from plugins.schema import insert_revision, seed_question

BLUEPRINT = textwrap.dedent("""\
    paper: calc
    title: 计算小卷
    duration: 30
    draw: per_session
    shuffle: {questions: false, options: true}
    sections:
      - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 二、计算, type: calculation, points: 4, pick: [{bank: party-affairs, count: 2}]}
    """)
ITEM = re.compile(r'<div class="paper-item">.*?<span class="number">(\d+)\.</span>(.*?)</div>', re.S)


@pytest.fixture
def calc_exam(app, make_user, clock):
    for name in ("cand1", "cand2"):
        make_user(name, role="candidate")
    with app.app_context():
        load_exam_content(BLUEPRINT, CALCULATION_BANK)
        return schedule(["cand1", "cand2"], paper="calc", review="after_close", show_key=True)


def items_of(attempt: dict) -> dict[str, dict]:
    """The calculation items of an attempt by what their stem asks: 4500 (one step) or 12000 (two)."""
    found = {}
    for section in attempt["sections"]:
        for item in section["items"]:
            if item["type"] == "calculation":
                found["one" if "4500" in item["stem_html"] else "two"] = item
    return found


def sit(client, session_id: int, one: list[str], two: list[str]) -> dict:
    cand = Candidate(client, "cand1")
    attempt = cand.start(session_id)
    items = items_of(attempt)
    saved = cand.call("PUT", f"/attempts/{attempt['id']}/responses",
                      {"responses": {items["one"]["key"]: one, items["two"]["key"]: two}, "seq": 1})
    assert saved.status_code == 200, saved.get_json()
    submitted = cand.call("POST", f"/attempts/{attempt['id']}/submit")
    assert submitted.status_code == 200 and submitted.get_json()["result"] == {"visible": False}
    return {"attempt": attempt, "items": items, "cand": cand}


def result_after_close(sat: dict, clock) -> dict:
    clock.advance(minutes=130)
    return sat["cand"].call("GET", f"/attempts/{sat['attempt']['id']}").get_json()["result"]


def test_the_api_asks_for_numbers_with_their_units_and_marks_them(app, client, calc_exam, clock):
    sat = sit(client, calc_exam, ["４５ 元"], ["240", "2,950元"])
    one, two = sat["items"]["one"], sat["items"]["two"]
    assert (one["type_label"], one["input"], one["blanks"], one["units"]) == ("计算题", "numbers", 1, ["元"])
    assert (two["input"], two["blanks"], two["units"]) == ("numbers", 2, ["元", "元"])
    assert "answer" not in one and "45" not in str(one["units"]), "the key never reaches the paper"
    result = result_after_close(sat, clock)
    assert result["score"] == 6.0 and result["max_score"] == 9.0
    reviewed = result["items"]
    assert reviewed[one["key"]]["score"] == 4.0 and reviewed[one["key"]]["answer_text"] == "45 元"
    assert reviewed[two["key"]]["score"] == 2.0, "2,950 is outside 1% of 2880; 240 earns its half"
    assert reviewed[two["key"]]["answer_text"] == "（1）240 元（允许误差 ±1%）；（2）2880 元（允许误差 ±1%）"
    page = client.get(f"/exam/attempts/{sat['attempt']['id']}/result").get_data(as_text=True)
    assert "４５ 元" in page and "（1）240；（2）2,950元" in page and "45 元" in page


def test_whatever_was_typed_is_saved_and_an_unreadable_answer_scores_0(app, client, calc_exam, clock):
    sat = sit(client, calc_exam, ["四十五元"], ["", "2880"])
    reviewed = result_after_close(sat, clock)["items"]
    assert reviewed[sat["items"]["one"]["key"]]["score"] == 0.0
    assert reviewed[sat["items"]["two"]["key"]]["score"] == 2.0


@pytest.mark.parametrize("given", ["45", ["45", "46"], [45], ["9" * 101]])
def test_a_response_of_the_wrong_shape_is_refused(app, client, calc_exam, given):
    cand = Candidate(client, "cand1")
    attempt = cand.start(calc_exam)
    key = items_of(attempt)["one"]["key"]
    refused = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {key: given}, "seq": 1})
    assert refused.status_code == 422 and "计算结果" in str(refused.get_json())


def correct(client, session_id: int, revision_id: int, key: str):
    page = client.get(f"/admin/sessions/{session_id}/results").get_data(as_text=True)
    return client.post(f"/admin/sessions/{session_id}/keys/{revision_id}",
                       data={"key": key, "reason": "更正", "csrf_token": csrf_from(page), "confirmed": "1",
                             "explanation": "依据原文更正。"})


def test_organisers_correct_a_calculation_key_and_attempts_are_marked_again(app, client, organiser, calc_exam):
    sat = sit(app.test_client(), calc_exam, ["46"], ["240", "2880"])
    with app.app_context():
        revision_id = db.session.scalar(select(QuestionRevision.id).where(QuestionRevision.stem.contains("4500")))
    login(client, "organiser1")
    page = client.get(f"/admin/sessions/{calc_exam}/results").get_data(as_text=True)
    assert "计算题" in page and "45 元" in page
    reply = correct(client, calc_exam, revision_id, "46 元 ±0.5")
    assert reply.status_code == 302, reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, sat["attempt"]["id"]).score == 8.0, "4 + 4; the single left unanswered"
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.remark"))
        assert audit.details["new_key"] == [{"value": "46", "unit": "元", "tolerance": "0.5"}]
    page = client.get(f"/admin/sessions/{calc_exam}/results").get_data(as_text=True)
    assert "46 元（允许误差 ±0.5）" in page
    refused = correct(client, calc_exam, revision_id, "四十六")
    assert "计算题答案应有 1 步" in unescape(refused.get_data(as_text=True))


def test_a_drill_marks_a_calculation_at_once(app, client, make_user, make_org, clock):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", org="c01")
    with app.app_context():
        load_exam_content(BLUEPRINT, CALCULATION_BANK)
    login(client, "cadre")
    drill_id = start(client, count="10")
    token = csrf_from(client.get(f"/practice/drills/{drill_id}").get_data(as_text=True))
    seen = {}
    for _position in range(3):
        revision = revision_at(app, drill_id)
        page = client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
        response = "A"
        if revision.type == "calculation":
            assert 'data-input="numbers"' in page and 'inputmode="decimal"' in page and "元</em>" in page
            response = ["１，２００"] if len(revision.answer) == 1 else ["240", "2,870 元"]
        reply = client.post(f"/api/v1/drills/{drill_id}/answers", json={"question_id": revision.question_id,
                                                                        "response": response},
                            headers={"X-CSRFToken": token})
        assert reply.status_code == 200, reply.get_json()
        which = "4500" if "4500" in revision.stem else "12000" if "12000" in revision.stem else "single"
        seen[which] = (reply.get_json()["correct"], reply.get_json()["answer_text"])
    assert drill_state(app, drill_id).finished_at is not None
    assert seen == {"4500": (False, "45 元"), "single": (True, "A"),
                    "12000": (True, "（1）240 元（允许误差 ±1%）；（2）2880 元（允许误差 ±1%）")}


def test_a_paper_sheet_of_calculations_is_marked_like_online(app, client, organiser, calc_exam, clock):
    sat = sit(app.test_client(), calc_exam, ["45"], ["240", "3000"])
    clock.advance(minutes=60)
    login(client, "organiser1")
    html = client.get(f"/admin/sessions/{calc_exam}/paper?variant=A").get_data(as_text=True)
    numbers = {("one" if "4500" in stem else "two"): number for number, stem in ITEM.findall(html)
               if "工资收入" in stem}
    assert 'class="sheet-item sheet-numbers"' in html
    single = next(number for number, stem in ITEM.findall(html) if "人以上" in stem)
    token = csrf_from(client.get(f"/admin/sessions/{calc_exam}/paper/entry").get_data(as_text=True))
    form = {"candidate": "cand2", "variant": "A", "csrf_token": token, "confirmed": "1",
            f"answer-{numbers['one']}": ["４５元"], f"answer-{numbers['two']}": ["240", "3000"],
            f"answer-{single}": [""]}
    reply = client.post(f"/admin/sessions/{calc_exam}/paper/entry", data=form)
    assert reply.status_code == 302, unescape(reply.get_data(as_text=True))
    with app.app_context():
        paper = db.session.scalar(select(Attempt).join(User).where(User.username == "cand2"))
        online = db.session.get(Attempt, sat["attempt"]["id"])
        assert paper.score == online.score == 6.0, "45 right, 240 right and 3000 wrong, the single left empty"


def test_item_analysis_counts_calculations(app, client, organiser, calc_exam):
    sit(app.test_client(), calc_exam, ["45"], ["240", "2880"])
    login(client, "organiser1")
    page = client.get(f"/admin/sessions/{calc_exam}/results").get_data(as_text=True)
    assert page.count("计算题") >= 2


@pytest.mark.parametrize("fmt", ["yaml", "xlsx", "moodle"])
def test_the_sample_banks_export_and_import_back_unchanged(runner, tmp_path, fmt):
    from plugins.banks import BANKS, sample_count, sample_materials
    assert runner.invoke(args=["bank", "import", str(BANKS)]).exit_code == 0
    assert runner.invoke(args=["bank", "export", str(tmp_path), "--format", fmt]).exit_code == 0
    again = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert again.exit_code == 0, again.output
    retired = 0 if fmt == "yaml" else len(sample_materials())     # the materials are YAML's only
    assert f"added 0, changed 0, retired {retired}, unchanged {sample_count() - retired}" in again.stdout


def test_gift_and_qti_exports_carry_the_calculations(runner, tmp_path):
    from plugins.banks import BANKS
    assert runner.invoke(args=["bank", "import", str(BANKS)]).exit_code == 0
    for fmt in ("gift", "qti"):
        assert runner.invoke(args=["bank", "export", str(tmp_path), "--format", fmt]).exit_code == 0
    gift = (tmp_path / "party_affairs.gift").read_text()
    assert "{#45:0####" in gift and "// PA-0045（计算题）：有 2 个空" in gift
    validated = runner.invoke(args=["bank", "validate", str(tmp_path / "party_affairs.gift")])
    assert validated.exit_code == 0, validated.output


def test_the_schema_takes_calculation_and_still_refuses_an_unknown_type(app):
    with app.app_context():
        load_exam_content(BLUEPRINT, CALCULATION_BANK)
        assert db.session.scalar(select(QuestionRevision).where(QuestionRevision.type == "calculation")) is not None
        revision = db.session.scalar(select(QuestionRevision).limit(1))
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE question_revisions SET type = 'bogus' WHERE id = :id"), {"id": revision.id})
        db.session.rollback()


def test_the_migration_lets_calculation_in_and_its_downgrade_takes_it_out(scratch_app):
    with scratch_app.app_context():
        upgrade(revision="14bc4b4eb9d8")
        seed_question()
        insert_revision(1, "single")
        with pytest.raises((IntegrityError, DataError)):    # PostgreSQL: too long for VARCHAR(10) first
            insert_revision(2, "calculation")
        upgrade()
        insert_revision(2, "calculation")
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM question_revisions")).scalar() == 2
        with pytest.raises(IntegrityError):
            insert_revision(3, "bogus")
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM question_revisions WHERE type = 'calculation'"))
        downgrade(revision="14bc4b4eb9d8")
        with pytest.raises((IntegrityError, DataError)):
            insert_revision(2, "calculation")
        db.engine.dispose()
