"""Banks on the organisers' pages: upload, problems with their places, a dry-run preview with word-level changes,
confirmation of exactly what was previewed, partial imports, and downloads in every export format."""
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.domain.workbooks import MAX_UNPACKED_BYTES
from app.extensions import db
from app.models import AuditEvent, Bank, Question, QuestionRevision
from plugins.accounts import csrf_from, login
from plugins.banks import VALID, line_of
from plugins.workbooks import many_shared_strings, unpacked


def upload(client, files: dict[str, str | bytes], **fields):
    token = csrf_from(client.get("/admin/banks/upload").get_data(as_text=True))
    data = {"csrf_token": token, "banks": [(io.BytesIO(body.encode() if isinstance(body, str) else body), name)
                                           for name, body in files.items()], **fields}
    return client.post("/admin/banks/upload", data=data, content_type="multipart/form-data")


def confirm_form(html: str) -> dict[str, list[str]]:
    """The confirmation form's fields, as the browser would post them back."""
    form = html[html.index('class="confirm-upload"'):]
    form = form[:form.index("</form>")]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value.replace("&amp;", "&").replace("&#34;", '"'))
    return fields


def confirm(client, html: str, **changes):
    return client.post("/admin/banks/upload/confirm", data={**confirm_form(html), **changes})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_upload_previews_without_writing_then_imports_what_was_confirmed(app, organiser_client):
    page = upload(organiser_client, {"party_affairs.yaml": VALID})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "新增 <strong>5</strong> 道" in html and "新建题库 <code>party-affairs</code>" in html
    assert (count(app, Bank), count(app, AuditEvent)) == (0, 0)

    done = confirm(organiser_client, html)
    assert done.status_code == 302 and done.location.endswith("/admin/")
    assert "已导入：新增 5 道" in organiser_client.get("/admin/").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bank.import"))
        assert (event.actor.username, event.channel, len(event.details["added"])) == ("organiser1", "web", 5)


def test_a_changed_question_shows_its_words_removed_and_added(app, organiser_client):
    confirm(organiser_client, upload(organiser_client, {"party_affairs.yaml": VALID}).get_data(as_text=True))
    edited = VALID.replace("有正式党员（ ）人以上的，应当成立党支部。",
                           "凡是有正式党员（ ）人以上的，都应当成立党支部。")
    html = upload(organiser_client, {"party_affairs.yaml": edited}).get_data(as_text=True)
    assert "修改 <strong>1</strong> 道" in html
    assert "<ins>凡是</ins>" in html and "<ins>都</ins>" in html and "<span>应当成立党支部。</span>" in html
    assert count(app, QuestionRevision) == 5

    confirm(organiser_client, html)
    assert count(app, QuestionRevision) == 6
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.code == "PA-0001"))
        assert question.current.stem.startswith("凡是") and question.latest_number == 2
        question_id = question.id
    history = organiser_client.get(f"/admin/questions/{question_id}").get_data(as_text=True)
    assert "<summary>题干</summary>" in history and "<ins>凡是</ins>" in history


def test_a_file_with_errors_is_refused_with_each_place_and_nothing_changes(app, organiser_client):
    broken = VALID.replace("answer: A\n", "answer: E\n", 1)
    page = upload(organiser_client, {"party_affairs.yaml": broken})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert f"party_affairs.yaml:{line_of(broken, 'answer: E')}: [PA-0001] 答案 E 不在选项 A, B, C, D 中" in html
    assert "没有导入任何内容" in html and 'class="confirm-upload"' not in html
    assert count(app, Bank) == 0


def test_partial_imports_the_questions_that_read_cleanly_and_lists_the_others(app, organiser_client):
    broken = VALID.replace("answer: A\n", "answer: E\n", 1)
    html = upload(organiser_client, {"party_affairs.yaml": broken}, partial="y").get_data(as_text=True)
    assert "新增 <strong>4</strong> 道" in html
    assert f"party_affairs.yaml:{line_of(broken, 'answer: E')}: [PA-0001] 警告：未导入：答案 E 不在选项" in html
    confirm(organiser_client, html)
    with app.app_context():
        assert sorted(db.session.scalars(select(Question.code))) == ["PA-0002", "PA-0003", "PA-0004", "PA-0005"]


def test_a_workbook_without_bank_metadata_takes_it_from_the_form(app, organiser_client):
    book = Workbook()
    for row in [["序号", "类型", "题干", "选项A", "选项B", "答案", "来源"],
                [1, "单选题", "党的最高领导机关是（ ）。", "党的全国代表大会", "中央委员会", "A", "党章"],
                [2, "判断题", "党支部是党的基础组织。", "", "", "正确", "党章"]]:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    refused = upload(organiser_client, {"dangwu.xlsx": data.getvalue()})
    assert refused.status_code == 422
    assert "dangwu.xlsx:Sheet!1: category 应为" in refused.get_data(as_text=True)

    html = upload(organiser_client, {"dangwu.xlsx": data.getvalue()}, category="party_affairs",
                  title="党务题库（外单位）").get_data(as_text=True)
    assert "新增 <strong>2</strong> 道" in html
    confirm(organiser_client, html)
    with app.app_context():
        bank = db.session.scalar(select(Bank))
        assert (bank.slug, bank.title, bank.category, len(bank.questions)) == (
            "dangwu", "党务题库（外单位）", "party_affairs", 2)


def test_a_confirmation_is_refused_when_the_preview_no_longer_holds(app, organiser_client, client):
    first = upload(organiser_client, {"party_affairs.yaml": VALID}).get_data(as_text=True)
    confirm(organiser_client, first)
    edited = VALID.replace("三会一课。", "“三会一课”见条例。")
    preview = upload(organiser_client, {"party_affairs.yaml": edited}).get_data(as_text=True)
    stale = confirm_form(preview)
    confirm(organiser_client, preview)      # someone else's identical import lands first
    revisions = count(app, QuestionRevision)

    again = organiser_client.post("/admin/banks/upload/confirm", data=stale)
    assert again.status_code == 409
    assert "预览之后，题库或上传的内容有了变化" in again.get_data(as_text=True)
    assert count(app, QuestionRevision) == revisions

    tampered = {**stale, "fingerprint": ["0" * 64]}
    assert organiser_client.post("/admin/banks/upload/confirm", data=tampered).status_code == 409
    assert count(app, QuestionRevision) == revisions


def test_a_paper_blueprint_uploads_with_the_bank_it_draws_from(app, organiser_client):
    blueprint = ("paper: pa-mini\ntitle: 党务小测\nduration: 10\nsections:\n"
                 "  - {title: 单选题, type: single, points: 2, pick: [{bank: party-affairs, count: 1}]}\n")
    token = csrf_from(organiser_client.get("/admin/banks/upload").get_data(as_text=True))
    page = organiser_client.post("/admin/banks/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "banks": [(io.BytesIO(VALID.encode()), "party_affairs.yaml")],
        "papers": [(io.BytesIO(blueprint.encode()), "pa-mini.yaml")]})
    html = page.get_data(as_text=True)
    assert "试卷方案新增 1 个" in html
    confirm(organiser_client, html)
    short = blueprint.replace("count: 1", "count: 9")
    token = csrf_from(organiser_client.get("/admin/banks/upload").get_data(as_text=True))
    refused = organiser_client.post("/admin/banks/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "papers": [(io.BytesIO(short.encode()), "pa-mini.yaml")]})
    assert refused.status_code == 422 and "pa-mini.yaml:" in refused.get_data(as_text=True)


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "party_affairs.xlsx"), ("yaml", "party_affairs.yaml"),
                                           ("moodle", "party_affairs.xml"), ("gift", "party_affairs.gift"),
                                           ("qti", "party_affairs.zip")])
def test_a_bank_downloads_in_each_export_format(app, organiser_client, fmt, name):
    confirm(organiser_client, upload(organiser_client, {"party_affairs.yaml": VALID}).get_data(as_text=True))
    assert f"/admin/banks/party-affairs.{fmt}" in organiser_client.get("/admin/").get_data(as_text=True)
    download = organiser_client.get(f"/admin/banks/party-affairs.{fmt}")
    assert download.status_code == 200
    assert f'filename={name}' in download.headers["Content-Disposition"]
    assert len(download.data) > 200
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(download.data))["题目"].max_row == 6
    assert organiser_client.get("/admin/banks/party-affairs.docx").status_code == 404


def test_the_template_downloads_with_its_instructions(app, organiser_client):
    template = organiser_client.get("/admin/banks/template.xlsx")
    assert template.status_code == 200 and "说明" in load_workbook(io.BytesIO(template.data)).sheetnames


def test_uploads_and_downloads_are_for_organisers_only(app, client, make_user):
    make_user("cand1")
    login(client, "cand1")
    assert client.get("/admin/banks/upload").status_code == 403
    assert client.get("/admin/banks/template.xlsx").status_code == 403
    assert client.get("/admin/banks/party-affairs.yaml").status_code == 403


def test_an_empty_upload_is_refused_with_a_message(app, organiser_client):
    token = csrf_from(organiser_client.get("/admin/banks/upload").get_data(as_text=True))
    page = organiser_client.post("/admin/banks/upload", data={"csrf_token": token},
                                 content_type="multipart/form-data")
    assert page.status_code == 400 and "请选择要上传的题库文件或试卷方案" in page.get_data(as_text=True)


def test_a_workbook_whose_shared_strings_inflate_past_the_limit_is_refused_unread(app, organiser_client):
    """openpyxl reads a workbook's shared strings whole even read-only: 9 M of them, 1 MB uploaded, would be 150 MB of
    XML parsed and over a GB kept. The archive's directory says so first."""
    bomb = many_shared_strings(MAX_UNPACKED_BYTES // 17 + 1)
    assert unpacked(bomb) > MAX_UNPACKED_BYTES
    refused = upload(organiser_client, {"题库.xlsx": bomb})
    assert "题库.xlsx:1: 工作簿解压后过大：超过 150 MB" in refused.get_data(as_text=True)
    assert count(app, Bank) == 0
