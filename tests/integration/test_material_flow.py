"""材料分析题 through the app (issue 11, material): the exam API gives the material once and its parts each with its
own input and share of the points (never a key), saves one sub-response per part, marks each part by its type; the
result page shows each part's answer and score; organisers correct the key one block per part; item analysis, the
practice drill, the paper fallback, the bank commands and the schema."""
import json
import re
from html import unescape

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Attempt, AuditEvent, QuestionRevision, User
from plugins.accounts import csrf_from, login
from plugins.banks import MATERIAL_BANK, MATERIAL_BLUEPRINT
from plugins.exams import Candidate, load_exam_content, schedule
from plugins.practice import drill_state, post, revision_at, start
from plugins.schema import insert_revision, seed_question


@pytest.fixture
def mat_exam(app, make_user, clock):
    for name in ("cand1", "cand2"):
        make_user(name, role="candidate")
    with app.app_context():
        load_exam_content(MATERIAL_BLUEPRINT, MATERIAL_BANK)
        return schedule(["cand1", "cand2"], paper="mat", review="after_close", show_key=True)


def material_of(attempt: dict) -> dict:
    return next(item for section in attempt["sections"] for item in section["items"] if item["type"] == "material")


def sit(client, session_id: int, response: list) -> dict:
    cand = Candidate(client, "cand1")
    attempt = cand.start(session_id)
    item = material_of(attempt)
    saved = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {item["key"]: response}, "seq": 1})
    assert saved.status_code == 200, saved.get_json()
    assert cand.call("POST", f"/attempts/{attempt['id']}/submit").status_code == 200
    return {"attempt": attempt, "item": item, "cand": cand}


def test_the_api_asks_the_parts_without_their_keys_and_marks_each(app, client, mat_exam, clock):
    sat = sit(client, mat_exam, ["B", None, ["1"]])
    item = sat["item"]
    assert (item["type_label"], item["input"], item["points"]) == ("材料分析题", "parts", 8.0)
    assert "某机关党支部" in item["stem_html"] and "options" not in item
    parts = item["parts"]
    assert [(p["number"], p["type"], p["input"], p["points"]) for p in parts] == [
        (1, "single", "letter", 4.0), (2, "judge", "truth", 2.0), (3, "blank", "blanks", 2.0)]
    assert [o["key"] for o in parts[0]["options"]] == ["A", "B"] and parts[2]["blanks"] == 1
    assert all("answer" not in part for part in parts) and "false" not in str(parts).lower().replace("'", "")
    clock.advance(minutes=130)
    result = sat["cand"].call("GET", f"/attempts/{sat['attempt']['id']}").get_json()["result"]
    reviewed = result["items"][item["key"]]
    assert reviewed["score"] == 4.0, "B right (4 of 8); 1 is not 一; the judge part unanswered"
    assert [(p["score"], p["points"], p["answer_text"], p["said"]) for p in reviewed["parts"]] == [
        (4.0, 4.0, "B", "B"), (0.0, 2.0, "错误", "未作答"), (0.0, 2.0, "（1）一", "（1）1")]
    page = unescape(client.get(f"/exam/attempts/{sat['attempt']['id']}/result").get_data(as_text=True))
    assert "（3）" in page and "得 4 分" in page and "未作答" in page and "错误" in page


def test_an_all_null_response_is_unanswered(app, client, mat_exam, clock):
    sat = sit(client, mat_exam, [None, None, None])
    with app.app_context():
        attempt = db.session.get(Attempt, sat["attempt"]["id"])
        assert attempt.score == 0.0


@pytest.mark.parametrize(("given", "said"), [
    ("B", "应是 3 个小题答案的列表"), (["B", None], "应是 3 个小题答案的列表"),
    (["E", None, None], "第 1 小题应是 A/B 中的一个字母"), ([None, "对", None], "第 2 小题应是 true 或 false"),
    ([None, None, ["一", "二"]], "第 3 小题应是 1 个空的文字列表"),
])
def test_a_response_of_the_wrong_shape_is_refused_naming_the_part(app, client, mat_exam, given, said):
    cand = Candidate(client, "cand1")
    attempt = cand.start(mat_exam)
    key = material_of(attempt)["key"]
    refused = cand.call("PUT", f"/attempts/{attempt['id']}/responses", {"responses": {key: given}, "seq": 1})
    assert refused.status_code == 422 and said in refused.get_json()["message"]


def correct(client, session_id: int, revision_id: int, key: str):
    page = client.get(f"/admin/sessions/{session_id}/results").get_data(as_text=True)
    return client.post(f"/admin/sessions/{session_id}/keys/{revision_id}",
                       data={"key": key, "reason": "更正", "csrf_token": csrf_from(page), "confirmed": "1",
                             "explanation": "依据原文更正。"})


def test_organisers_correct_a_material_key_part_by_part(app, client, organiser, mat_exam):
    sat = sit(app.test_client(), mat_exam, ["A", True, ["一"]])
    with app.app_context():
        revision_id = db.session.scalar(select(QuestionRevision.id).where(QuestionRevision.type == "material"))
        assert db.session.get(Attempt, sat["attempt"]["id"]).score == 2.0
    login(client, "organiser1")
    page = unescape(client.get(f"/admin/sessions/{mat_exam}/results").get_data(as_text=True))
    assert "材料分析题" in page and "第1问 B；第2问 错误；第3问 （1）一" in page
    assert "第1问：B\n第2问：错误\n第3问：一" in page, "the correction form is prefilled one block per part"
    reply = correct(client, mat_exam, revision_id, "第1问：A\n第2问：正确\n第3问：一")
    assert reply.status_code == 302, unescape(reply.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Attempt, sat["attempt"]["id"]).score == 8.0
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.remark"))
        assert audit.details["new_key"] == ["A", True, [["一"]]]
    page = unescape(client.get(f"/admin/sessions/{mat_exam}/results").get_data(as_text=True))
    assert "第1问 B；第2问 错误；第3问 （1）一" in page and "第1问 A；第2问 正确；第3问 （1）一" in page, \
        "the correction's history reads the keys through the parts"
    record = unescape(client.get(f"/admin/sessions/{mat_exam}/attempts/{sat['attempt']['id']}").get_data(as_text=True))
    assert "第1问 A；第2问 正确；第3问 （1）一" in record, "the attempt record describes the response by part"
    with app.app_context():
        question_id = db.session.get(QuestionRevision, revision_id).question_id
    shown = unescape(client.get(f"/admin/questions/{question_id}").get_data(as_text=True))
    assert "甲的预备期为半年。" in shown and "权重 2" in shown
    refused = correct(client, mat_exam, revision_id, "第1问：C\n第2问：正确\n第3问：一")
    assert "第 1 问：单选题答案应是 A/B 中的一个字母" in unescape(refused.get_data(as_text=True))
    refused = correct(client, mat_exam, revision_id, "A")
    assert "材料分析题答案应有 3 段" in unescape(refused.get_data(as_text=True))


def test_item_analysis_takes_a_material_without_option_analysis(app, client, organiser, mat_exam):
    sit(app.test_client(), mat_exam, ["B", False, ["一"]])
    login(client, "organiser1")
    reply = client.get(f"/admin/sessions/{mat_exam}/results")
    assert reply.status_code == 200 and "材料分析题" in reply.get_data(as_text=True)


def test_yaml_export_and_import_back_unchanged_and_a_changed_part_is_a_new_revision(runner, tmp_path):
    bank = tmp_path / "in" / "party_affairs.yaml"
    bank.parent.mkdir()
    bank.write_text(MATERIAL_BANK)
    assert runner.invoke(args=["bank", "import", str(bank)]).exit_code == 0
    assert runner.invoke(args=["bank", "export", str(tmp_path / "out")]).exit_code == 0
    again = runner.invoke(args=["bank", "import", str(tmp_path / "out")])
    assert again.exit_code == 0 and "added 0, changed 0, retired 0, unchanged 2" in again.stdout, again.output
    bank.write_text(MATERIAL_BANK.replace("甲的预备期为半年。", "甲的预备期为两年。"))
    changed = runner.invoke(args=["bank", "import", str(bank)])
    assert "added 0, changed 1, retired 0, unchanged 1" in changed.stdout, changed.output


def test_the_schema_takes_material_with_its_parts(app):
    with app.app_context():
        load_exam_content(MATERIAL_BLUEPRINT, MATERIAL_BANK)
        revision = db.session.scalar(select(QuestionRevision).where(QuestionRevision.type == "material"))
        assert [part["type"] for part in revision.parts] == ["single", "judge", "blank"]
        assert revision.answer == ["B", False, [["一"]]]
        assert db.session.scalar(select(QuestionRevision).where(QuestionRevision.type == "single")).parts == []


def test_the_migration_lets_material_in_with_empty_parts_and_its_downgrade_takes_it_out(scratch_app):
    with scratch_app.app_context():
        upgrade(revision="3c1a7e5d9f20")
        seed_question()
        insert_revision(1, "single")
        with pytest.raises(IntegrityError):
            insert_revision(2, "material")
        upgrade()
        insert_revision(2, "material")
        with db.engine.begin() as connection:
            parts = connection.execute(text("SELECT parts FROM question_revisions ORDER BY number")).scalars().all()
            assert [p if isinstance(p, list) else json.loads(p) for p in parts] == [[], []]
            connection.execute(text("DELETE FROM question_revisions WHERE type = 'material'"))
        downgrade(revision="3c1a7e5d9f20")
        with pytest.raises(IntegrityError):
            insert_revision(2, "material")
        db.engine.dispose()


def test_a_drill_marks_a_material_at_once_by_json_and_by_plain_form(app, client, make_user, make_org, clock):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", org="c01")
    with app.app_context():
        load_exam_content(MATERIAL_BLUEPRINT, MATERIAL_BANK)
    login(client, "cadre")
    seen = {}
    for via in ("json", "form"):
        drill_id = start(client, count="10", types="material")
        page = client.get(f"/practice/drills/{drill_id}").get_data(as_text=True)
        assert 'data-input="parts"' in page and '<details class="material" open>' in page
        assert 'name="part-1"' in page and 'name="part-2" value="true"' in page and 'name="part-3"' in page
        revision = revision_at(app, drill_id)
        assert revision.type == "material"
        if via == "json":
            token = csrf_from(page)
            reply = client.post(f"/api/v1/drills/{drill_id}/answers",
                                json={"question_id": revision.question_id, "response": ["B", False, ["一"]]},
                                headers={"X-CSRFToken": token})
            assert reply.status_code == 200, reply.get_json()
            seen[via] = (reply.get_json()["correct"], reply.get_json()["answer_text"], reply.get_json()["answer"])
        else:
            reply = post(client, f"/practice/drills/{drill_id}/answer",
                         {"question_id": str(revision.question_id), "part-1": "B", "part-2": "true", "part-3": "一"},
                         page=f"/practice/drills/{drill_id}")
            body = unescape(reply.get_data(as_text=True))
            assert reply.status_code == 200 and "✗ 回答错误" in body and "第2问 正确" in body, body
            seen[via] = "wrong"
        assert drill_state(app, drill_id).finished_at is not None
    assert seen["json"] == (True, "第1问 B；第2问 错误；第3问 （1）一", ["B", False, [["一"]]])
    book = unescape(client.get("/practice/book").get_data(as_text=True))
    assert "（2）</span>甲的预备期为半年。" in book and "第1问 B；第2问 错误" in book, \
        "the wrong answer went into the book"


def test_a_drill_form_with_no_part_answered_asks_again(app, client, make_user, make_org, clock):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", org="c01")
    with app.app_context():
        load_exam_content(MATERIAL_BLUEPRINT, MATERIAL_BANK)
    login(client, "cadre")
    drill_id = start(client, count="10", types="material")
    revision = revision_at(app, drill_id)
    reply = post(client, f"/practice/drills/{drill_id}/answer", {"question_id": str(revision.question_id),
                                                                  "part-3": ""}, page=f"/practice/drills/{drill_id}")
    assert reply.status_code == 422 and "请先作答" in reply.get_data(as_text=True)


ITEM = re.compile(r'<div class="paper-item">.*?<span class="number">(\d+)\.</span>(.*?)</div>', re.S)


def test_a_paper_sheet_of_a_material_has_one_entry_per_part_and_is_marked_like_online(app, client, organiser, mat_exam,
                                                                                     clock):
    sat = sit(app.test_client(), mat_exam, ["B", True, ["一"]])
    clock.advance(minutes=60)
    login(client, "organiser1")
    html = unescape(client.get(f"/admin/sessions/{mat_exam}/paper?variant=A").get_data(as_text=True))
    number = next(n for n, stem in ITEM.findall(html) if "某机关党支部" in stem)
    single = next(n for n, stem in ITEM.findall(html) if "人以上" in stem)
    assert "预备期为" in html and "甲的预备期为半年" in html and "（判断题，2 分）" in html
    for part in ("（1）", "（2）", "（3）"):
        assert f'<span class="number">{number}{part}</span>' in html
    key = unescape(client.get(f"/admin/sessions/{mat_exam}/paper/key?variant=A").get_data(as_text=True))
    assert "（1）<strong>B</strong>" in key and "（2）<strong>错误</strong>" in key
    entry = client.get(f"/admin/sessions/{mat_exam}/paper/entry?candidate=cand2&variant=A").get_data(as_text=True)
    assert f'aria-label="{number}（3） 第 1 空"' in entry and f'placeholder="{number}（1）（A–B）"' in entry
    token = csrf_from(entry)
    form = {"candidate": "cand2", "variant": "A", "csrf_token": token, "confirmed": "1",
            f"answer-{number}": ["b", "√", "一"], f"answer-{single}": [""]}
    reply = client.post(f"/admin/sessions/{mat_exam}/paper/entry", data=form)
    assert reply.status_code == 302, unescape(reply.get_data(as_text=True))
    with app.app_context():
        paper = db.session.scalar(select(Attempt).join(User).where(User.username == "cand2"))
        online = db.session.get(Attempt, sat["attempt"]["id"])
        assert paper.score == online.score == 6.0, "B and 一 right, the judge part wrong"
    refused = client.post(f"/admin/sessions/{mat_exam}/paper/entry",
                          data={**form, "candidate": "cand1", f"answer-{number}": ["B", "也许", ""]})
    assert "第 2 小题应填 对 或 错" in unescape(refused.get_data(as_text=True))
