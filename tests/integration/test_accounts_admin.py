"""Accounts without a shell (issue 12 §2): add one, import a CSV, reset a password, deactivate and restore — each
recorded, each new password shown once on printable slips, nothing deleted."""
import io
import re
from html import unescape

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from plugins.accounts import csrf_from, login

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


def test_a_csv_imports_all_or_nothing_and_prints_a_slip_per_new_account(app, organiser_client, make_user):
    make_user("lisi", name="李四")
    bad = b"username,name,role,org\nzhangsan,\xe5\xbc\xa0\xe4\xb8\x89,candidate,nowhere\n"
    refused = organiser_client.post("/admin/accounts/import", content_type="multipart/form-data", data={
        "csrf_token": token(organiser_client), "file": (io.BytesIO(bad), "名单.csv")})
    assert refused.status_code == 422 and "名单.csv 第 2 行：unknown organisation code 'nowhere'" in \
        unescape(refused.get_data(as_text=True))
    good = "username,name,role,org\nzhangsan,张三,candidate,\nlisi,李四（改）,candidate,\n".encode()
    page = organiser_client.post("/admin/accounts/import", content_type="multipart/form-data", data={
        "csrf_token": token(organiser_client), "file": (io.BytesIO(good), "名单.csv")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "新建 1 个，更新 1 个，未变 0 个" in html
    assert list(slips(html)) == ["zhangsan"] and signs_in(app, "zhangsan", slips(html)["zhangsan"])
    assert signs_in(app, "lisi", "secret-pass-1"), "an existing account keeps its password"


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
