"""A contest loaded without a shell (issue 12 §3): the contest file and its candidates list uploaded, problems with
their places, a dry run of the changes in Chinese, the load only on confirming that preview, and a password slip for
each new candidate."""
import io
import re
from html import unescape

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Contest, User
from plugins.accounts import csrf_from, login
from plugins.contests import CANDIDATES, CONTEST

SLIP = re.compile(r'<dt>用户名</dt><dd class="code">([^<]+)</dd>\s*<dt>初始密码</dt><dd class="code">([^<]+)</dd>')


def upload(client, contest: str = CONTEST, candidates: str | None = CANDIDATES, name: str = "名单.csv"):
    token = csrf_from(client.get("/admin/contests/upload").get_data(as_text=True))
    files = [(io.BytesIO(contest.encode()), "contest.yaml")]
    if candidates is not None:
        files.append((io.BytesIO(candidates.encode()), name))
    return client.post("/admin/contests/upload", data={"csrf_token": token, "files": files},
                       content_type="multipart/form-data")


def confirm_form(html: str) -> dict[str, list[str]]:
    form = html[html.index('class="confirm-upload"'):]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[:form.index("</form>")]):
        fields.setdefault(name, []).append(value)
    return fields


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_contest_previews_then_loads_and_prints_its_new_candidates_slips(app, organiser_client, make_user):
    for username in ("j1", "j2", "j3"):
        make_user(username, role="judge")
    preview = upload(organiser_client)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "新建比赛“测试比武”" in html and "将新建 7 个考生账号" in html
    assert "考生 zhao 报名参赛" in html and "新增组织 c01" in html
    assert count(app, Contest) == 0 and count(app, User) == 4, "a preview writes nothing"

    loaded = organiser_client.post("/admin/contests/upload/confirm", data=confirm_form(html))
    page = loaded.get_data(as_text=True)
    assert loaded.status_code == 200 and "已加载比赛“测试比武”" in page
    slips = dict(SLIP.findall(page))
    assert len(slips) == 7 and login(app.test_client(), "zhao", slips["zhao"]).status_code == 302
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contest.load"))
        assert event.actor.username == "organiser1" and event.channel == "web"

    again = upload(organiser_client)
    assert "与系统中的比赛完全一致" in again.get_data(as_text=True)
    stale = organiser_client.post("/admin/contests/upload/confirm", data=confirm_form(html))
    assert stale.status_code == 409 and "预览之后，比赛或上传的内容有了变化" in stale.get_data(as_text=True)


def test_a_contest_with_problems_loads_nothing_and_names_them(app, organiser_client):
    missing = upload(organiser_client, candidates=None)
    assert missing.status_code == 422 and "考生名单 candidates.csv 不存在" in missing.get_data(as_text=True)
    bad = upload(organiser_client, candidates=CANDIDATES + "zhao,赵一,c01\n")
    assert bad.status_code == 422 and count(app, Contest) == 0
    problems = re.findall(r"<li><code>([^<]*)</code></li>", unescape(bad.get_data(as_text=True)))
    assert problems and all(re.match(r"candidates\.csv:\d+: ", problem) for problem in problems), problems
    nothing = upload(organiser_client, contest="contest: [", candidates=None)
    assert nothing.status_code == 422 and "contest.yaml:" in nothing.get_data(as_text=True)


def test_only_organisers_upload_contests(app, client, make_user):
    make_user("cand1")
    login(client, "cand1")
    assert client.get("/admin/contests/upload").status_code == 403
