"""Published standings are versions (DESIGN §2), over HTTP and the command line: a judge's late score after
publication goes into the draft — organisers see what it moves, candidates still see version 1 — until it is
published as version 2 with the change list; closing publishes the final version; nothing published is rewritten."""
import csv
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AuditEvent, Round, RoundStatus, StandingsVersion
from plugins.contests import (
    CONTEST,
    PRELIMINARY,
    cells,
    client_for,
    confirm,
    count,
    dialog_of,
    load,
    post,
    round_id,
    score,
    text_of,
    upload,
)

WRITTEN = "username,score\nzhao,90\nqian,80\nsun,70\nli,75\nzhou,60\nwu,65\n"
LECTURE = "username,score\nzhao,84\nqian,91\nsun,85\nli,80\nzhou,70\nwu,60\n"


@pytest.fixture
def published(app, organiser_client, contest, make_user):
    """The preliminary round scored and published as version 1: in 教育局 zhao 87.00 goes on, qian 85.50 does not."""
    make_user("reader", role="candidate", name="考生甲")
    assert upload(organiser_client, "written", WRITTEN).status_code == 302
    assert upload(organiser_client, "lecture", LECTURE).status_code == 302
    assert confirm(organiser_client, f"{PRELIMINARY}/publish", {}).status_code == 302
    return organiser_client


def late_score(app) -> None:
    """j1 (who judges 教育局) gives qian 99 after publication: qian's lecture 95.00, total 87.50 — ahead of zhao."""
    assert score(app, client_for(app, "j1"), "qian", "99").status_code == 302


def versions(app) -> list[tuple[int, dict, list]]:
    with app.app_context():
        return [(v.number, v.snapshot, v.changes, v.published_at) for v in
                db.session.scalars(select(StandingsVersion).order_by(StandingsVersion.number))]


def standings_url(app, suffix: str = "") -> str:
    return f"/standings/rounds/{round_id(app)}{suffix}"


def test_a_late_score_goes_into_the_draft_until_version_2_is_published(app, published):
    reader = client_for(app, "reader")
    (one,) = versions(app)
    late_score(app)
    assert versions(app) == [one], "version 1 is untouched by the late score"

    seen = reader.get(standings_url(app)).get_data(as_text=True)
    assert "第 1 版" in text_of(seen) and "更新于" in seen
    assert cells(seen, "zhao")[0][0::6] == ["1", "晋级"] and cells(seen, "qian")[0][5] == "85.50"
    assert "草稿" not in seen and "各版本" in seen
    assert reader.get(standings_url(app, "?draft=1")).get_data(as_text=True).count("85.50") == 1, \
        "a candidate asking for the draft still gets version 1"

    admin = text_of(published.get(PRELIMINARY).get_data(as_text=True))
    assert "草稿与第 1 版的差异" in admin and "2 人名次变动 ，2 人奖项或晋级变化" in admin
    assert "钱二 教育局机关党委 名次 第 2 名 → 第 1 名" in admin and "总分 85.50 → 87.50" in admin
    assert "结果 未晋级 → 晋级" in admin and "赵一 教育局机关党委 名次 第 1 名 → 第 2 名" in admin
    assert "公布第 2 版" in admin

    organiser_view = published.get(standings_url(app)).get_data(as_text=True)
    assert cells(organiser_view, "qian")[0][5] == "85.50", "organisers too see the published version by default"
    assert "草稿（未公布）" in organiser_view
    draft = published.get(standings_url(app, "?draft=1")).get_data(as_text=True)
    assert cells(draft, "qian")[0][:1] + cells(draft, "qian")[0][5:] == ["1", "87.50", "晋级"]
    assert ("这是草稿，考生和大屏看到的是第 1 版" in text_of(draft)
            and "草稿与第 1 版相比 2 人名次变动" in text_of(draft))

    asked = post(published, f"{PRELIMINARY}/publish", {})
    dialog = text_of(dialog_of(asked.get_data(as_text=True)))
    assert asked.status_code == 200 and "公布第 2 版排名" in dialog
    assert ("与第 1 版相比： 2 人名次变动 ，2 人奖项或晋级变化" in dialog
            and "考生和大屏将看到此版本（第 2 版）" in dialog)
    assert "钱二 教育局机关党委 名次 第 2 名 → 第 1 名 ▲ 总分 85.50 → 87.50" in dialog
    assert len(versions(app)) == 1
    assert confirm(published, f"{PRELIMINARY}/publish", {}).status_code == 302

    (first, two) = versions(app)
    assert first == one, "publishing version 2 leaves version 1 exactly as it was"
    moves = [(c["username"], c["before"]["rank"], c["after"]["rank"]) for c in two[2]]
    assert moves == [("qian", 2, 1), ("zhao", 1, 2)]
    seen = reader.get(standings_url(app)).get_data(as_text=True)
    assert "第 2 版 · 更新于" in text_of(seen) and cells(seen, "qian")[0][0] == "1"
    changes = text_of(seen.split('id="changes"')[1].split("</section>")[0])
    assert "与第 1 版相比 2 人名次变动" in changes and "钱二 教育局机关党委 名次 第 2 名 → 第 1 名" in changes
    assert "党课 91.00 → 95.00" in changes and "结果 晋级 → 未晋级" in changes
    old = reader.get(standings_url(app, "?version=1")).get_data(as_text=True)
    assert cells(old, "qian")[0][0] == "2" and "这是第 1 版，不是最新结果" in text_of(old)
    assert f'href="/standings/rounds/{round_id(app)}?version=1"' in seen
    assert reader.get(standings_url(app, "?version=3")).status_code == 404

    admin = text_of(published.get(PRELIMINARY).get_data(as_text=True))
    assert "组织者甲 · 公布第 2 版 · 2 人名次变动" in admin and "组织者甲 · 公布第 1 版" in admin
    assert "草稿与已公布的第 2 版相同" in admin
    with app.app_context():
        details = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "round.published")
                                     .order_by(AuditEvent.id)).all()
    assert details[-1] == {"version": 2, "moved": 2, "decided": 2, "final": False}


def test_downloads_and_the_projector_show_the_latest_version(app, published):
    reader = client_for(app, "reader")
    late_score(app)

    def table(client, suffix: str) -> dict[str, list[str]]:
        response = client.get(standings_url(app, suffix))
        assert response.status_code == 200
        return {row[3]: row for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig")))}

    assert table(reader, ".csv")["qian"][6:] == ["85.50", "否"]
    assert table(published, ".csv?draft=1")["qian"][6:] == ["87.50", "是"]
    assert table(reader, ".csv?draft=1")["qian"][6:] == ["85.50", "否"]
    assert "排名-第1版.xlsx" in unquote(reader.get(standings_url(app, ".xlsx")).headers["Content-Disposition"])
    screen = reader.get(standings_url(app, "/screen")).get_data(as_text=True)
    assert "第 1 版 · 更新于" in screen and cells(screen, "qian")[0][5] == "85.50"
    rehearsal = published.get(standings_url(app, "/screen?draft=1")).get_data(as_text=True)
    assert "草稿（未公布）" in rehearsal and cells(rehearsal, "qian")[0][0] == "1"

    confirm(published, f"{PRELIMINARY}/publish", {})
    assert table(reader, ".csv")["qian"][6:] == ["87.50", "是"]
    assert table(reader, ".csv?version=1")["qian"][6:] == ["85.50", "否"]
    screen = reader.get(standings_url(app, "/screen")).get_data(as_text=True)
    assert "第 2 版 · 更新于" in screen and "本版名次变动： 钱二 2→1 赵一 1→2" in text_of(screen)


# The contest renamed and marked demo data, the round renamed and grouped by liaison group: allowed while the round
# is not closed.
RELOADED = CONTEST.replace("title: 测试比武\n", "title: 测试比武（改）\ndemo: true\n").replace(
    "title: 初赛\n    group_by: committee", "title: 初赛（改）\n    group_by: liaison_group")


def rules_line(html: str) -> str:
    return text_of(re.search(r"<dt>排名</dt><dd>(.*?)</dd>", html, re.S).group(1)).strip()


def heading(html: str) -> str:
    return text_of(re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)).strip()


def test_reloading_the_contest_file_leaves_what_version_1_says_it_was_ranked_by(app, runner, contest, published):
    """Version 1 was ranked by committee under the titles 测试比武 · 初赛, as real results; reloading the contest file
    changes the round's grouping, both titles and the demo mark for the draft and the versions to come, never for
    version 1's page, projector, workbook or `standings show`."""
    reader = client_for(app, "reader")
    load(runner, contest, RELOADED)

    page = reader.get(standings_url(app, "?version=1")).get_data(as_text=True)
    assert (heading(page), rules_line(page)) == ("初赛排名", "按基层党委，每组前 1 名晋级；直属党支部直接晋级")
    assert "测试比武 " in text_of(page) and "测试比武（改）" not in page and "演示数据" not in page
    screen = reader.get(standings_url(app, "/screen")).get_data(as_text=True)
    assert heading(screen) == "测试比武 · 初赛" and "<title>初赛 · 测试比武</title>" in screen
    sheet = openpyxl.load_workbook(io.BytesIO(reader.get(standings_url(app, ".xlsx?version=1")).data))
    assert sheet.sheetnames == ["初赛"]
    shown = runner.invoke(args=["standings", "show", "test-2026/preliminary", "--version", "1"])
    assert shown.stdout.startswith("测试比武 · 初赛 · 第 1 版")

    draft = published.get(standings_url(app, "?draft=1")).get_data(as_text=True)
    assert (heading(draft), rules_line(draft)) == ("初赛（改）排名", "按联系片组，每组前 1 名晋级；直属党支部直接晋级")
    assert "测试比武（改） 演示数据" in text_of(draft)
    assert confirm(published, f"{PRELIMINARY}/publish", {}).status_code == 302
    second = reader.get(standings_url(app, "/screen")).get_data(as_text=True)
    assert heading(second) == "测试比武（改） · 初赛（改） 演示数据" and "第 2 版" in second
    assert heading(reader.get(standings_url(app, "?version=1")).get_data(as_text=True)) == "初赛排名"


def test_a_version_from_before_headings_were_kept_shows_the_rounds_and_its_draft_stays_unchanged(app, runner,
                                                                                                 published):
    """A version published before its heading was frozen shows the round's titles and grouping as they are now; the
    heading is not part of what makes a draft new, so neither that version nor a mere retitling can be republished."""
    with app.app_context():
        version = db.session.scalar(select(StandingsVersion))
        version.snapshot = {key: value for key, value in version.snapshot.items() if key != "heading"}
        db.session.execute(update(Round).where(Round.slug == "preliminary").values(title="初赛（改）"))
        db.session.commit()
    page = client_for(app, "reader").get(standings_url(app, "?version=1")).get_data(as_text=True)
    assert (heading(page), rules_line(page)) == ("初赛（改）排名", "按基层党委，每组前 1 名晋级；直属党支部直接晋级")
    again = runner.invoke(args=["contest", "publish", "test-2026/preliminary"])
    assert again.exit_code == 1 and "与已公布的第 1 版相同" in again.output
    assert count(app, StandingsVersion) == 1


def test_closing_publishes_the_changed_draft_as_the_final_version(app, published):
    late_score(app)
    asked = post(published, f"{PRELIMINARY}/close", {})
    dialog = text_of(dialog_of(asked.get_data(as_text=True)))
    assert asked.status_code == 200
    assert "进入复赛（3 人）： 李四、钱二、周五" in dialog and "直接进入复赛（1 人）： 郑七" in dialog
    assert ("当前排名与已公布的第 1 版不同（2 人名次变动，2 人奖项或晋级变化），"
            "结束时将公布为 第 2 版，即最终结果") in dialog
    assert len(versions(app)) == 1
    done = confirm(published, f"{PRELIMINARY}/close", {})
    assert done.status_code == 302
    assert "初赛已结束，4 人进入复赛；第 2 版为最终结果" in published.get(PRELIMINARY).get_data(as_text=True)
    assert [number for number, *_ in versions(app)] == [1, 2]
    with app.app_context():
        closed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.closed"))
        assert closed.details["version"] == 2 and closed.details["qualifiers"] == ["li", "qian", "zhou", "zheng"]
        assert db.session.scalar(select(Round.status).where(Round.slug == "preliminary")) == RoundStatus.CLOSED
    seen = client_for(app, "reader").get(standings_url(app)).get_data(as_text=True)
    assert "第 2 版 · 更新于" in text_of(seen) and "最终结果" in seen
    refused = post(published, f"{PRELIMINARY}/publish", {})
    assert refused.status_code == 422 and "初赛已经结束，第 2 版是最终结果" in refused.get_data(as_text=True)


def test_closing_an_unchanged_round_keeps_its_latest_version_as_final(app, published):
    dialog = text_of(dialog_of(post(published, f"{PRELIMINARY}/close", {}).get_data(as_text=True)))
    assert "以已公布的第 1 版为最终结果" in dialog
    assert confirm(published, f"{PRELIMINARY}/close", {}).status_code == 302
    assert len(versions(app)) == 1


def test_cancelling_a_confirmation_changes_nothing(app, published):
    late_score(app)
    before = count(app, AuditEvent)
    asked = post(published, f"{PRELIMINARY}/publish", {})
    dialog = dialog_of(asked.get_data(as_text=True))
    assert f'href="{PRELIMINARY}#status" data-cancel' in dialog
    assert published.get(PRELIMINARY).status_code == 200
    assert len(versions(app)) == 1 and count(app, AuditEvent) == before


def test_reading_writes_nothing(app, published):
    late_score(app)
    reader = client_for(app, "reader")
    before = (count(app, AuditEvent), count(app, StandingsVersion))
    for client in (reader, published):
        for suffix in ("", "?draft=1", "?version=1", "/screen", "/screen?draft=1", ".csv", ".xlsx?draft=1"):
            assert client.get(standings_url(app, suffix)).status_code == 200, suffix
    assert published.get(PRELIMINARY).status_code == 200 and reader.get("/standings/").status_code == 200
    assert (count(app, AuditEvent), count(app, StandingsVersion)) == before


def test_a_round_published_before_versions_is_not_yet_published_to_candidates(app, organiser_client, contest,
                                                                             make_user):
    make_user("reader", role="candidate")
    upload(organiser_client, "written", WRITTEN)
    with app.app_context():
        db.session.execute(update(Round).where(Round.slug == "preliminary").values(status=RoundStatus.PUBLISHED))
        db.session.commit()
    reader = client_for(app, "reader")
    assert reader.get(standings_url(app)).status_code == 404
    assert "还没有公布的排名" in reader.get("/standings/").get_data(as_text=True)
    admin = text_of(organiser_client.get(PRELIMINARY).get_data(as_text=True))
    assert "没有已公布的版本，考生目前看不到排名。请公布第 1 版" in admin
    assert "请组织者公布第 1 版" in text_of(organiser_client.get(standings_url(app)).get_data(as_text=True))
    assert confirm(organiser_client, f"{PRELIMINARY}/publish", {}).status_code == 302
    assert "第 1 版" in text_of(reader.get(standings_url(app)).get_data(as_text=True))


# -- the command line -------------------------------------------------------------------------------------------------

def test_cli_publishes_versions_refuses_an_unchanged_draft_and_shows_any_version(app, runner, contest, tmp_path):
    for component, text in (("written", WRITTEN), ("lecture", LECTURE)):
        sheet = tmp_path / f"{component}.csv"
        sheet.write_text(text, encoding="utf-8")
        assert runner.invoke(args=["contest", "scores", "test-2026/preliminary", component, str(sheet)]).exit_code == 0
    first = runner.invoke(args=["contest", "publish", "test-2026/preliminary"])
    assert first.exit_code == 0 and first.stdout == "test-2026/preliminary: version 1 published (0 moved)\n"
    again = runner.invoke(args=["contest", "publish", "test-2026/preliminary"])
    assert again.exit_code == 1 and "与已公布的第 1 版相同" in again.output and "nothing published" in again.output
    assert count(app, StandingsVersion) == 1
    version_1 = runner.invoke(args=["standings", "show", "test-2026/preliminary", "--version", "1", "--csv"]).stdout

    late = tmp_path / "late.csv"
    late.write_text("username,judge,score\nqian,j1,99\n", encoding="utf-8")
    assert runner.invoke(args=["contest", "scores", "test-2026/preliminary", "lecture", str(late)]).exit_code == 0
    live = runner.invoke(args=["standings", "show", "test-2026/preliminary", "--csv"]).stdout
    assert "教育局机关党委,1,qian,钱二,80.00,95.00,87.50,yes" in live, "show prints the live computation"
    assert runner.invoke(args=["standings", "show", "test-2026/preliminary", "--version", "1", "--csv"]).stdout \
        == version_1
    assert "教育局机关党委,2,qian,钱二,80.00,91.00,85.50,no" in version_1

    second = runner.invoke(args=["contest", "publish", "test-2026/preliminary"])
    assert second.exit_code == 0 and second.stdout == "test-2026/preliminary: version 2 published (2 moved)\n"
    shown = runner.invoke(args=["standings", "show", "test-2026/preliminary", "--version", "2"])
    assert shown.exit_code == 0 and shown.stdout.startswith("测试比武 · 初赛 · 第 2 版（公布于 ")
    missing = runner.invoke(args=["standings", "show", "test-2026/preliminary", "--version", "3"])
    assert missing.exit_code == 1 and "test-2026/preliminary has no version 3 (published: 1–2)" in missing.output
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.published")
                                  .order_by(AuditEvent.id.desc()).limit(1))
        assert (event.channel, event.actor, event.details["version"]) == ("cli", None, 2)

    closed = runner.invoke(args=["contest", "close", "test-2026/preliminary"])
    assert closed.exit_code == 0, closed.output
    assert closed.stdout.splitlines() == ["test-2026/preliminary: version 2 is the final version (unchanged)",
                                          "test-2026/preliminary closed; 4 go on: li, qian, zhou, zheng"]


def test_cli_close_publishes_the_final_version_when_needed(app, runner, contest, tmp_path):
    sheet = tmp_path / "scores.csv"
    sheet.write_text(WRITTEN, encoding="utf-8")
    for component in ("written", "lecture"):
        runner.invoke(args=["contest", "scores", "test-2026/preliminary", component, str(sheet)])
    assert runner.invoke(args=["contest", "publish", "test-2026/preliminary"]).exit_code == 0
    sheet.write_text("username,score\nqian,100\n", encoding="utf-8")
    runner.invoke(args=["contest", "scores", "test-2026/preliminary", "written", str(sheet)])
    closed = runner.invoke(args=["contest", "close", "test-2026/preliminary"])
    assert closed.exit_code == 0, closed.output
    assert closed.stdout.splitlines()[0] == "test-2026/preliminary: version 2 published as the final version (2 moved)"
    with app.app_context():
        final = db.session.scalar(select(StandingsVersion).where(StandingsVersion.number == 2))
        assert final.changes[0]["username"] == "qian"
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "round.published")) == 2
