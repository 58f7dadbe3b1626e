"""Accounts without a shell (issue 12 §2): add one, upload a list (CSV or Excel) previewed before it is imported,
reset a password, deactivate and restore — each recorded, each new password shown once on printable slips, nothing
deleted."""
import base64
import io
import re
from html import unescape

import pytest
from sqlalchemy import select

from app.domain.accounts import ROLES
from app.domain.workbooks import MAX_UNPACKED_BYTES, sheet_rows
from app.exports import XLSX_TYPE, to_xlsx
from app.extensions import db
from app.models import AuditEvent, Role, User
from app.users import uploads
from plugins.accounts import csrf_from, login
from plugins.workbooks import ROW, many_rows

SLIP_PASSWORD = re.compile(r'<dt>用户名</dt><dd class="code">([^<]+)</dd>\s*'
                           r'<dt>初始密码</dt><dd class="code">([^<]+)</dd>')


def token(client, path: str = "/admin/accounts/new") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def slips(html: str) -> dict[str, str]:
    return dict(SLIP_PASSWORD.findall(html))


def signs_in(app, username: str, password: str) -> bool:
    reply = login(app.test_client(), username, password)
    return reply.status_code == 302 and "/login" not in reply.location


def actions(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(e.action, e.subject, e.actor.username if e.actor else "") for e in
                db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("user%")).order_by(AuditEvent.id))]


def test_an_organiser_adds_an_account_and_gets_its_slip_once(app, organiser_client, make_org):
    make_org("c01", "市教育体育局机关党委")
    page = organiser_client.post("/admin/accounts/new", data={
        "csrf_token": token(organiser_client), "name": "王芳", "username": "wangfang", "role": "candidate",
        "organisation": "c01"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "已添加账号 王芳（wangfang）" in html and "只显示这一次" in html
    assert "市教育体育局机关党委" in html and "http://localhost/" in html
    password = slips(html)["wangfang"]
    assert signs_in(app, "wangfang", password)
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="wangfang"))
        assert user.must_change_password and user.organisation.code == "c01"
    assert ("user.created", "wangfang", "organiser1") in actions(app)
    assert password not in organiser_client.get("/admin/accounts?q=wangfang").get_data(as_text=True)

    again = organiser_client.post("/admin/accounts/new", data={
        "csrf_token": token(organiser_client), "name": "王芳", "username": "wangfang", "role": "candidate"})
    assert again.status_code == 422 and "用户名 wangfang 已被使用" in again.get_data(as_text=True)
    bad = organiser_client.post("/admin/accounts/new", data={
        "csrf_token": token(organiser_client), "name": "", "username": "王 芳", "role": "candidate"})
    assert bad.status_code == 422
    assert "请填写姓名" in bad.get_data(as_text=True) and "用户名只能用" in bad.get_data(as_text=True)


# -- a list of accounts uploaded, previewed, confirmed ------------------------------------------------------------

CHINESE = "账号,姓名,角色,组织\nzhangsan,张三,考生,c01\nlisi,李四（改）,评委,市档案馆党委\nwangwu,王五,candidate,\n"


def upload(client, data: bytes, name: str = "名单.csv"):
    return client.post("/admin/accounts/upload", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/admin/accounts/upload"), "file": (io.BytesIO(data), name)})


def confirm_form(html: str) -> dict[str, list[str]]:
    form = html[html.index('class="confirm-upload"'):]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[:form.index("</form>")]):
        fields.setdefault(name, []).append(value)
    return fields


def accounts(app) -> dict[str, tuple]:
    with app.app_context():
        return {u.username: (u.name, u.role, u.organisation and u.organisation.code)
                for u in db.session.scalars(select(User))}


@pytest.fixture
def orgs(make_org):
    make_org("c01", "市教育体育局机关党委")
    make_org("c02", "市档案馆党委")


@pytest.mark.parametrize("name, data", [
    ("名单.csv", CHINESE.encode()),
    ("名单.csv", CHINESE.encode("utf-8-sig")),
    ("名单.csv", CHINESE.replace("\n", "\r\n").encode("gbk")),
    ("名单.xlsx", to_xlsx(*(lambda rows: (rows[0], rows[1:]))([line.split(",") for line in CHINESE.splitlines()]))),
    ("people.csv", CHINESE.replace("账号,姓名,角色,组织", "username,name,role,org").encode()),
])
def test_a_list_previews_what_would_happen_then_imports_it_as_previewed(app, organiser_client, make_user, orgs,
                                                                      name, data):
    make_user("lisi", name="李四", org="c01")
    make_user("wangwu", name="王五")
    before = accounts(app)
    preview = upload(organiser_client, data, name)
    html = unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200, html
    assert "将新建 1 个账号，更改 1 个，1 个不变" in html
    assert "姓名：李四 → 李四（改）" in html and "角色：考生 → 评委" in html
    assert "组织：市教育体育局机关党委 → 市档案馆党委" in html
    assert accounts(app) == before, "a preview writes nothing"

    done = organiser_client.post("/admin/accounts/upload/confirm", data=confirm_form(html))
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and f"已导入 {name}：新建 1 个，更改 1 个，未变 1 个" in page
    assert list(slips(page)) == ["zhangsan"] and signs_in(app, "zhangsan", slips(page)["zhangsan"])
    assert "市教育体育局机关党委" in page
    assert accounts(app)["zhangsan"] == ("张三", "candidate", "c01")
    assert accounts(app)["lisi"] == ("李四（改）", "judge", "c02")
    assert signs_in(app, "lisi", "secret-pass-1"), "an existing account keeps its password"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "users.imported"))
        assert (event.subject, event.actor.username, event.channel) == (name, "organiser1", "web")
        assert event.details == {"created": ["zhangsan"], "updated": ["lisi"], "unchanged": 1}


def test_a_list_with_mistakes_names_each_line_and_writes_nothing(app, organiser_client, orgs):
    bad = ("账号,姓名,角色,组织\n"
           "zhangsan,张三,考生,c01\n"
           "zhang san,,校长,c01\n"
           "\n"
           "zhangsan,张三三,考生,nowhere\n").encode()
    refused = upload(organiser_client, bad)
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and "有 5 处问题，没有导入任何账号" in html
    problems = re.findall(r"<li>(第 \d+ 行：[^<]+)</li>", html)
    assert problems == [
        "第 3 行：账号 zhang san 只能用 1–64 个字母、数字、点、下划线或连字符",
        "第 3 行：姓名为空",
        "第 3 行：角色 校长 不认识：应为 考生、评委 或 组织者（candidate、judge、organiser）",
        "第 5 行：账号 zhangsan 重复（第一次出现在第 2 行）",
        "第 5 行：没有组织“nowhere”：请写组织的编码或全称",
    ]
    assert 'class="confirm-upload"' not in html and list(accounts(app)) == ["organiser1"]
    header = upload(organiser_client, "账号,名字,角色\n".encode())
    assert header.status_code == 422 and "不认识的列“名字”" in unescape(header.get_data(as_text=True))
    workbook = upload(organiser_client, b"PK not a workbook", "名单.xlsx")
    assert workbook.status_code == 422 and "不是可读取的 Excel 工作簿" in workbook.get_data(as_text=True)


def test_a_list_that_inflates_past_the_limit_is_refused_unread(app, organiser_client):
    """1 MB uploaded that unpacks to 150 MB of rows (3 M of them): refused from the archive's directory, where
    reading it would cost a worker half a minute and gigabytes."""
    bomb = many_rows(MAX_UNPACKED_BYTES // len(ROW) + 1)
    refused = upload(organiser_client, bomb, "名单.xlsx")
    assert refused.status_code == 422 and "工作簿解压后过大" in refused.get_data(as_text=True)
    assert list(accounts(app)) == ["organiser1"]


def test_a_confirmation_of_a_stale_preview_shows_the_new_one(app, organiser_client, make_user, orgs):
    html = upload(organiser_client, CHINESE.encode()).get_data(as_text=True)
    make_user("zhangsan", name="张三丰")        # someone added it meanwhile
    stale = organiser_client.post("/admin/accounts/upload/confirm", data=confirm_form(html))
    page = unescape(stale.get_data(as_text=True))
    assert stale.status_code == 409 and "预览之后，账号或组织有了变化" in page
    assert "姓名：张三丰 → 张三" in page and accounts(app)["zhangsan"][0] == "张三丰"
    assert "lisi" not in accounts(app), "nothing of the stale preview was imported"
    done = organiser_client.post("/admin/accounts/upload/confirm", data=confirm_form(page))
    assert done.status_code == 200 and set(slips(done.get_data(as_text=True))) == {"lisi", "wangwu"}
    tampered = confirm_form(html) | {"file_data": [base64.b64encode(b"username,name,role,org\n").decode()]}
    assert organiser_client.post("/admin/accounts/upload/confirm", data=tampered).status_code == 409


def test_a_confirmation_beaten_to_an_account_shows_the_preview_again(app, organiser_client, orgs, monkeypatch):
    """Two confirmations at once on PostgreSQL: the second one's insert fails on the username; it answers 409."""
    html = upload(organiser_client, CHINESE.encode()).get_data(as_text=True)
    real = uploads.import_accounts

    def beaten(plan):
        db.session.add(User(username="zhangsan", name="张三", role="candidate", password_hash="x"))
        db.session.flush()
        return real(plan)
    monkeypatch.setattr(uploads, "import_accounts", beaten)
    beaten_reply = organiser_client.post("/admin/accounts/upload/confirm", data=confirm_form(html))
    assert beaten_reply.status_code == 409 and list(accounts(app)) == ["organiser1"]


def test_the_list_templates_download_with_chinese_headers_and_read_back(app, organiser_client, orgs):
    csv_file = organiser_client.get("/admin/accounts/template.csv")
    assert csv_file.status_code == 200 and "attachment" in csv_file.headers["Content-Disposition"]
    example = ["zhangsan", "张三", "考生", "市教育体育局机关党委"]
    assert csv_file.data.decode("utf-8-sig").splitlines() == ["账号,姓名,角色,组织", ",".join(example)]
    assert csv_file.data.startswith("\ufeff".encode())
    xlsx = organiser_client.get("/admin/accounts/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX_TYPE
    assert sheet_rows(xlsx.data) == [["账号", "姓名", "角色", "组织"], example]
    for name, data in (("模板.csv", csv_file.data), ("模板.xlsx", xlsx.data)):
        assert "将新建 1 个账号" in upload(organiser_client, data, name).get_data(as_text=True)


def test_only_organisers_upload_lists(app, client, make_user):
    make_user("cand1")
    login(client, "cand1")
    assert client.get("/admin/accounts/upload").status_code == 403
    assert client.get("/admin/accounts/template.xlsx").status_code == 403
    assert upload(client, CHINESE.encode()).status_code == 403
    confirm = client.post("/admin/accounts/upload/confirm", data={"csrf_token": token(client, "/exam/")})
    assert confirm.status_code == 403


def test_domain_roles_are_the_accounts_roles():
    assert set(ROLES) == {role.value for role in Role}
    assert {role.label for role in Role} <= {word for words in ROLES.values() for word in words}


def test_resetting_a_password_asks_first_then_ends_the_old_one(app, organiser_client, make_user):
    make_user("lisi", name="李四")
    asked = organiser_client.post("/admin/accounts/lisi/reset-password", data={"csrf_token": token(organiser_client)})
    assert asked.status_code == 200 and "为李四重设密码" in asked.get_data(as_text=True)
    assert signs_in(app, "lisi", "secret-pass-1")
    done = organiser_client.post("/admin/accounts/lisi/reset-password",
                                 data={"csrf_token": token(organiser_client), "confirmed": "1"})
    password = slips(done.get_data(as_text=True))["lisi"]
    assert not signs_in(app, "lisi", "secret-pass-1") and signs_in(app, "lisi", password)
    assert ("user.password_reset", "lisi", "organiser1") in actions(app)


def test_deactivating_keeps_the_account_and_stops_its_logins(app, organiser_client, make_user):
    make_user("lisi", name="李四")
    organiser_client.post("/admin/accounts/lisi/deactivate", data={"csrf_token": token(organiser_client),
                                                                   "confirmed": "1"})
    assert not signs_in(app, "lisi", "secret-pass-1")
    assert "已停用" in organiser_client.get("/admin/accounts?q=lisi").get_data(as_text=True)
    organiser_client.post("/admin/accounts/lisi/activate", data={"csrf_token": token(organiser_client)})
    assert signs_in(app, "lisi", "secret-pass-1")
    own = organiser_client.post("/admin/accounts/organiser1/deactivate",
                                data={"csrf_token": token(organiser_client), "confirmed": "1"}, follow_redirects=True)
    assert "不能停用自己正在使用的账号" in own.get_data(as_text=True)
    assert [a for a, _, _ in actions(app)] == ["user.deactivated", "user.activated"]


def test_only_organisers_manage_accounts(app, client, make_user):
    make_user("cand1")
    login(client, "cand1")
    assert client.get("/admin/accounts/new").status_code == 403
    assert client.post("/admin/accounts/cand1/reset-password", data={"csrf_token": token(client, "/exam/")}
                       ).status_code == 403


def test_accounts_are_found_by_name_role_and_organisation(app, organiser_client, make_user, make_org):
    make_org("c01", "市教育体育局机关党委")
    make_user("wangfang", name="王芳", org="c01")
    make_user("wanghua", name="王华")
    make_user("judge9", name="王评委", role="judge")
    listed = organiser_client.get("/admin/accounts?q=王").get_data(as_text=True)
    assert all(f"<code>{u}</code>" in listed for u in ("wangfang", "wanghua", "judge9"))
    judges = organiser_client.get("/admin/accounts?q=王&role=judge").get_data(as_text=True)
    assert "<code>judge9</code>" in judges and "<code>wangfang</code>" not in judges
    in_org = organiser_client.get("/admin/accounts?org=c01").get_data(as_text=True)
    assert "<code>wangfang</code>" in in_org and "<code>wanghua</code>" not in in_org
    assert "没有符合条件的账号" in organiser_client.get("/admin/accounts?q=%25").get_data(as_text=True)
