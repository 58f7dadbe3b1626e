"""`flask demo init`, as `make run` calls it: sample banks, demo accounts and open sessions, once."""
import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models import Bank, Contest, ExamSession, Organisation, PaperBlueprint, Round, User, utcnow
from plugins.accounts import csrf_from, login


def test_demo_init_once(app, runner):
    first = runner.invoke(args=["demo", "init"])
    assert first.exit_code == 0, first.output
    assert "demo-organiser" in first.stdout and "demo-candidate3" in first.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 3
        assert db.session.scalar(select(func.count()).select_from(PaperBlueprint)) == 4
        assert db.session.scalar(select(func.count()).select_from(ExamSession)) == 2
        assert all("演示" in u.name and u.username.startswith("demo-") for u in db.session.scalars(select(User)))
        contest = db.session.scalar(select(Contest))
        assert contest.demo and contest.slug == "demo-dabiwu"
        assert contest.title.startswith(f"{utcnow().astimezone(ZoneInfo('Asia/Shanghai')).year}年度")
        names = list(db.session.scalars(select(User.name).where(User.role == "candidate")))
        organisations = list(db.session.scalars(select(Organisation.name)))
        assert len(set(names)) == len(names) and len(set(organisations)) == len(organisations), \
            "no two demo people or organisations share a name"
        entrants = {r.slug: len(r.entries) for r in contest.rounds}
        assert 480 <= entrants["preliminary"] <= 520 and entrants["semifinal"] == 82 and entrants["final"] == 10
        assert [r.status for r in contest.rounds] == ["closed", "closed", "published"]
        assert all(r.versions for r in contest.rounds), "every published or closed round has a version"
        assert sorted(e.speaking_order for e in contest.rounds[-1].entries) == list(range(1, 11)), \
            "the final's speaking order is drawn"
        assert all(e.speaking_order is None for r in contest.rounds[:2] for e in r.entries)
        final_versions = contest.rounds[-1].versions
        assert [v.number for v in final_versions] == [1, 2] and final_versions[1].changes, \
            "the final shows a late correction published as version 2, with what moved"
        users = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["demo", "init"])
    assert second.exit_code == 0 and second.stdout == ""
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == users
    final = runner.invoke(args=["standings", "show", "demo-dabiwu/final", "--csv"])
    assert final.exit_code == 0 and len(final.stdout.strip().splitlines()) == 11


def test_every_demo_login_has_something_to_do(app, runner, client):
    logins = dict(line.split() for line in runner.invoke(args=["demo", "init"]).stdout.splitlines()[-5:])
    login(client, "demo-judge", logins["demo-judge"])
    scoring = client.get("/scoring/", follow_redirects=True).get_data(as_text=True)
    assert "决赛" in scoring and "已评 0 / 10 人" in " ".join(re.sub(r"<[^>]+>", " ", scoring).split())
    with app.app_context():
        final = db.session.scalar(select(Round.id).where(Round.slug == "final"))
    sheet = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/scoring/rounds/{final}").get_data(as_text=True)).split())
    assert [int(n) for n in re.findall(r"第(\d+)位", sheet)] == list(range(1, 11)), "the judge sees the drawn order"
    client.post("/logout", data={"csrf_token": csrf_from(scoring)})
    login(client, "demo-candidate1", logins["demo-candidate1"])
    home = client.get("/exam/").get_data(as_text=True)
    assert "复赛笔试（演示）" in home and "百日练兵模拟卷（演示）" in home
