"""A small contest shaped like the real one, for tests: two liaison groups, three committees, one direct branch; the
contest fixture (loaded, with judges) and helpers to drive its organiser and judge pages."""
import io
import re
import textwrap

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Round, User
from plugins.accounts import csrf_from, login

CONTEST = textwrap.dedent("""\
    contest: test-2026
    title: 测试比武
    organisations:
      - {id: g1, name: 第一联系片组, type: liaison_group}
      - {id: g2, name: 第二联系片组, type: liaison_group}
      - {id: c01, name: 教育局机关党委, type: committee, parent: g1}
      - {id: c02, name: 卫健委机关党委, type: committee, parent: g1}
      - {id: c03, name: 财政局机关党委, type: committee, parent: g2}
      - {id: d01, name: 档案馆党支部, type: direct_branch, parent: g2}
    candidates: candidates.csv
    rounds:
      - id: preliminary
        title: 初赛
        group_by: committee
        components:
          - {name: written, weight: 0.5}
          - {name: lecture, weight: 0.5, trim: 1}
        tie_break: [written, lecture]
        advance: {top: 1}
        skip: [direct_branch]
      - id: semifinal
        title: 复赛
        group_by: liaison_group
        components: [{name: written, weight: 0.5}, {name: lecture, weight: 0.5, trim: 1}]
        advance: {top: 1}
      - id: final
        title: 决赛
        group_by: all
        components: [{name: written, weight: 0.4}, {name: lecture, weight: 0.6, trim: 1}]
        awards: [{title: 一等奖, top: 1}, {title: 二等奖, top: 1}]
        special_awards: [{title: 十佳党课, component: lecture, top: 2}]
    """)

CANDIDATES = textwrap.dedent("""\
    username,name,org
    zhao,赵一,c01
    qian,钱二,c01
    sun,孙三,c02
    li,李四,c02
    zhou,周五,c03
    wu,吴六,c03
    zheng,郑七,d01
    """)

PRELIMINARY = "/admin/contests/test-2026/rounds/preliminary"
SKIP_LINE = "    advance: {top: 1}\n    skip:"


def with_judges(text: str, judges: str) -> str:
    """The sample contest with `judges: […]` added to its preliminary round."""
    return text.replace(SKIP_LINE, f"    judges: {judges}\n{SKIP_LINE}")


def load(runner, directory, text: str = CONTEST, name: str = "contest.yaml") -> None:
    (directory / name).write_text(text, encoding="utf-8")
    (directory / "candidates.csv").write_text(CANDIDATES, encoding="utf-8")
    result = runner.invoke(args=["contest", "load", str(directory / name)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def contest(runner, tmp_path, make_user):
    """The sample contest; j1 judges 教育局 (c01), j2 教育局 and 卫健委 (c01, c02), j3 nothing yet."""
    for username, name in (("j1", "评委甲"), ("j2", "评委乙"), ("j3", "评委丙")):
        make_user(username, role="judge", name=name)
    load(runner, tmp_path, with_judges(CONTEST, "[{username: j1, groups: [c01]}, {username: j2, groups: [c01, c02]}]"))
    return tmp_path


def client_for(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def round_id(app, slug: str = "preliminary") -> int:
    with app.app_context():
        return db.session.scalar(select(Round.id).where(Round.slug == slug))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def post(client, url: str, data: dict, page: str = PRELIMINARY):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


DIALOG = re.compile(r'<dialog class="confirm-dialog" open[^>]*>.*?</dialog>', re.S)


def dialog_of(html: str) -> str:
    """The confirmation dialog the page carries open, or ''."""
    found = DIALOG.search(html)
    return found.group(0) if found else ""


def confirm(client, url: str, data: dict, page: str = PRELIMINARY):
    """Publish or close the way a browser without script does: the first POST comes back (200) with the dialog open
    and nothing done; posting the dialog's own form — the same fields plus confirmed=1 — acts."""
    first = post(client, url, data, page)
    assert first.status_code == 200, first.get_data(as_text=True)
    dialog = dialog_of(first.get_data(as_text=True))
    assert f'action="{url}"' in dialog
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', dialog)
    assert ("confirmed", "1") in fields
    return client.post(url, data=MultiDict(fields))


def upload(client, component: str, text: str | bytes, filename: str = "scores.csv"):
    token = csrf_from(client.get(PRELIMINARY).get_data(as_text=True))
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(f"{PRELIMINARY}/scores", data={"csrf_token": token, "component": component,
                                                      "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def text_of(html: str) -> str:
    """The page as a reader sees it: tags gone, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def cells(html: str, username: str) -> list[list[str]]:
    """Each table row of a candidate (a group table, a special award…), as the text of its cells."""
    found = re.findall(rf'<tr[^>]*data-username="{username}"[^>]*>(.*?)</tr>', html, re.S)
    return [[text_of(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in found]


TIED = "username,score\nzhao,80\nqian,80\nsun,90\nli,70\nzhou,50\nwu,60\n"


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def score(app, client, candidate: str, value: str, component: str = "lecture", script: bool = False):
    url = f"/scoring/rounds/{round_id(app)}"
    token = csrf_from(client.get("/scoring/").get_data(as_text=True))
    headers = {"X-Requested-With": "fetch"} if script else {}
    return client.post(f"{url}/candidates/{user_id(app, candidate)}", headers=headers,
                       data={"csrf_token": token, "score": value, "component": component})
