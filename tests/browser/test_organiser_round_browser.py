"""The organiser runs a whole round in a browser, with no shell, from an empty database (issue 12's done-when):
uploads the sample banks (one file with a mistake, fixed and uploaded again), uploads the judges' accounts and prints
their slips, uploads a contest, schedules the written test for its round, watches the candidates sit it, uploads the
lecture scores from the downloaded template, publishes and shows the projector. The standings the pages show are the
ones `flask standings show --csv` prints."""
import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, Response
from plugins.banks import BANKS
from plugins.browser import PHONE, expect_fits_width, sign_in

LAPTOP = {"width": 1280, "height": 800}
JUDGES = [["账号", "姓名", "角色", "组织"], ["pw-judge1", "周评委", "评委", ""], ["pw-judge2", "吴评委", "评委", ""],
          ["pw-judge3", "郑评委", "评委", ""]]
CONTEST = """\
contest: web-2026
title: 2026年度网上组织的比赛
organisations:
  - {id: web-g1, name: 第一联系片组, type: liaison_group}
  - {id: web-c1, name: 市档案局机关党委, type: committee, parent: web-g1}
  - {id: web-c2, name: 市统计局机关党委, type: committee, parent: web-g1}
candidates: candidates.csv
rounds:
  - id: preliminary
    title: 初赛
    group_by: all
    components:
      - {name: written, weight: 0.5}
      - {name: lecture, weight: 0.5}
    tie_break: [written, lecture]
    advance: {top: 2}
    judges: [{username: pw-judge1}, {username: pw-judge2}, {username: pw-judge3}]
"""
CANDIDATES = ("username,name,org\nweb-zhao,赵一鸣,web-c1\nweb-qian,钱思远,web-c1\n"
              "web-sun,孙晓晴,web-c2\n")
LECTURES = {"web-zhao": ["88", "90", "86"], "web-qian": ["92", "91.5", "93"], "web-sun": ["80", "85", "82.5"]}
SPEAKING = ["web-sun", "web-zhao", "web-qian"]     # the order the lectures are given in


def test_an_organiser_runs_a_round_without_a_shell(app, page, live_server, organiser, runner, tmp_path):
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, "organiser1")
    upload_banks(page, live_server, tmp_path)
    judges = upload_judges(page, live_server, tmp_path)
    candidates = upload_contest(page, live_server, tmp_path)
    session_id = schedule_written_test(page, live_server)

    for username, password in candidates.items():
        sit(app, page.context.browser, live_server, username, password)
    page.goto(f"{live_server}/admin/sessions/{session_id}")
    expect(page.locator("#candidate-web-sun")).to_contain_text("已交卷")

    set_speaking_order(page, live_server)
    assert judge_sees(page.context.browser, live_server, "pw-judge1", judges["pw-judge1"]) == SPEAKING
    upload_lecture_scores(page, live_server, tmp_path)
    publish(page, live_server)
    shown = projector(page, live_server)
    assert set(shown) == set(candidates)

    printed = runner.invoke(args=["standings", "show", "web-2026/preliminary", "--csv"])
    assert printed.exit_code == 0, printed.output
    cli = {row["username"]: row for row in csv.DictReader(io.StringIO(printed.output))}
    assert web_standings(page, live_server) == {name: (row["rank"], row["total"]) for name, row in cli.items()}
    assert shown == {name: row["total"] for name, row in cli.items()}


def upload_banks(page, base: str, tmp_path: Path) -> None:
    """The sample banks and the mock paper, the first time with a mistake in one file."""
    files = {path.name: path.read_text(encoding="utf-8") for path in Path(BANKS).glob("*.yaml")}
    broken = dict(files, **{"theory.yaml": files["theory.yaml"].replace("answer: A\n", "answer: Z\n", 1)})
    page.goto(f"{base}/admin/")
    page.click("a:has-text('上传题库或试卷方案')")
    page.set_input_files("#banks", write(tmp_path / "broken", broken))
    page.set_input_files("#papers", str(Path(BANKS) / "papers" / "mock-objective.yaml"))
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview")).to_contain_text("答案 Z 不在选项")
    expect(page.locator("#preview")).to_contain_text("没有导入任何内容")

    page.set_input_files("#banks", write(tmp_path / "fixed", files))
    page.set_input_files("#papers", str(Path(BANKS) / "papers" / "mock-objective.yaml"))
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview")).to_contain_text("新增")
    page.click("button:has-text('确认导入')")
    page.wait_for_url(f"{base}/admin/")
    expect(page.locator(".flash-success")).to_contain_text("已导入")


def write(directory: Path, files: dict[str, str]) -> list[str]:
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return [str(directory / name) for name in files]


def upload_judges(page, base: str, tmp_path: Path) -> dict[str, str]:
    """Three judges' accounts from an Excel list with Chinese headers: previewed, confirmed, their slips on A4."""
    book = openpyxl.Workbook()
    for row in JUDGES:
        book.active.append(row)
    book.save(tmp_path / "评委名单.xlsx")
    page.goto(f"{base}/admin/accounts/new")
    page.set_input_files("#accounts-file", str(tmp_path / "评委名单.xlsx"))
    page.click("#upload button:has-text('检查并预览')")
    expect(page.locator("body")).to_contain_text("pw-judge3")
    confirm_preview(page)
    slips = slips_on(page)
    page.emulate_media(media="print")
    assert page.pdf(format="A4").startswith(b"%PDF")
    page.emulate_media(media="screen")
    return slips


def confirm_preview(page) -> None:
    """Where an upload is previewed before anything is written, confirm what the preview shows."""
    confirm = page.locator("form.confirm-upload button[type=submit]")
    if confirm.count():
        confirm.click()
        page.wait_for_load_state()


def slips_on(page) -> dict[str, str]:
    expect(page.locator(".slip").first).to_be_visible()
    slips = {}
    for slip in page.locator(".slip").all():
        codes = slip.locator("dd.code")
        slips[codes.nth(0).inner_text()] = codes.nth(1).inner_text()
    return slips


def upload_contest(page, base: str, tmp_path: Path) -> dict[str, str]:
    """The contest file and its candidates list: previewed, then loaded; the new candidates' slips."""
    page.goto(f"{base}/admin/contests")
    page.click("a:has-text('上传比赛文件')")
    page.set_input_files("#files", write(tmp_path / "contest", {"contest.yaml": CONTEST,
                                                                 "candidates.csv": CANDIDATES}))
    page.click("button:has-text('检查并预览')")
    expect(page.locator("#preview")).to_contain_text("将新建 3 个考生账号")
    page.click("button:has-text('确认加载')")
    slips = slips_on(page)
    page.goto(f"{base}/admin/contests/web-2026")
    tree = page.locator(".org-tree").first
    expect(tree.locator("li.org-liaison_group")).to_contain_text("第一联系片组")
    expect(tree.locator("li.org-committee").first).to_contain_text("市档案局机关党委")
    return slips


def schedule_written_test(page, base: str) -> int:
    """The written test of the preliminary round, open from the minute now to two hours on, sat by its entrants."""
    page.goto(f"{base}/admin/sessions/new")
    page.select_option("#blueprint", "mock-objective")
    page.fill("#title", "初赛笔试")
    page.select_option("#round", page.locator("#round option", has_text="初赛").get_attribute("value"))
    now = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#opens", now)
    page.click("button:has-text('安排考试')")
    page.wait_for_url(re.compile(r"/admin/sessions/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def choose_password(page, base: str, initial: str, chosen: str) -> None:
    """The first sign-in with a slip's password: the page asks for a password of one's own."""
    page.wait_for_url(f"{base}/password")
    page.fill("#current_password", initial)
    page.fill("#new_password", chosen)
    page.fill("#confirm", chosen)
    page.click("form[data-password-form] button[type=submit]")
    page.wait_for_url(f"{base}/exam/")


def judge_sees(browser, base: str, username: str, password: str) -> list[str]:
    """The lectures a judge signing in from the slip finds on the round's scoring page, in their turns."""
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, base, username, password)
    choose_password(page, base, password, "judging the lectures fairly")
    page.click("nav a:has-text('党课评分')")
    page.click(".round-card:has-text('初赛') a:has-text('去评分')")
    expect(page.locator(".speaking-turn").first).to_have_text("第1位")
    expect_fits_width(page)
    turns = [row.get_attribute("id").removeprefix("c-") for row in page.locator("li.sheet-row").all()]
    page.context.close()
    return turns


def sit(app, browser, base: str, username: str, password: str) -> None:
    """A candidate signs in with the slip on a phone, chooses a password, starts, answers the single choices with
    the letter that candidate favours, and submits."""
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, base, username, password)
    choose_password(page, base, password, f"a quiet branch meeting at {sorted(LECTURES).index(username) + 7}")
    page.click("#open :is(button:has-text('开始答题'), a:has-text('继续作答'))")
    page.locator("dialog[data-confirm] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/exam/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    page.wait_for_selector("article.item")
    with app.app_context():
        singles = [r.key for r in db.session.scalars(select(Response).where(Response.attempt_id == attempt_id))
                   if r.paper_item.revision.type == "single"]
    letter = "ABC"[sorted(LECTURES).index(username)]
    for key in singles:
        page.locator(f"#q-{key} input[value={letter}]").check()
    expect_fits_width(page)
    expect(page.locator("#save-state")).to_contain_text("已保存", timeout=15_000)
    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r"/result$"))
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).finished_at is not None
    page.context.close()


def set_speaking_order(page, base: str) -> None:
    page.goto(f"{base}/admin/contests/web-2026/rounds/preliminary")
    for place, username in enumerate(SPEAKING, start=1):
        page.fill(f"#speaking li[data-username={username}] input[name=order]", str(place))
    page.click("button:has-text('保存出场顺序')")
    expect(page.locator(".flash-success")).to_be_visible()


def upload_lecture_scores(page, base: str, tmp_path: Path) -> None:
    """The lecture sheet as downloaded (a row per candidate and judge), filled in Excel's way and uploaded."""
    page.goto(f"{base}/admin/contests/web-2026/rounds/preliminary")
    with page.expect_download() as download:
        page.click("form.upload:has(input[value=lecture]) a:has-text('Excel')")
    sheet = tmp_path / "lecture.xlsx"
    download.value.save_as(sheet)
    book = openpyxl.load_workbook(sheet)
    rows = list(book.active.iter_rows())
    header = [cell.value for cell in rows[0]]
    account, judge, score = header.index("账号"), header.index("评委账号"), header.index("成绩")
    judged = {}
    for row in rows[1:]:
        username, by = row[account].value, row[judge].value
        if username in LECTURES:
            judged.setdefault(username, []).append(by)
            row[score].value = float(LECTURES[username][len(judged[username]) - 1])
    assert {name: len(by) for name, by in judged.items()} == dict.fromkeys(LECTURES, 3)
    assert list(judged) == SPEAKING, "the sheet lists the lectures in speaking order"
    book.save(sheet)
    page.set_input_files("#file-lecture", str(sheet))
    page.click("button:has-text('上传党课成绩')")
    expect(page.locator(".flash-success")).to_contain_text("9")


def publish(page, base: str) -> None:
    page.goto(f"{base}/admin/contests/web-2026/rounds/preliminary")
    page.click("button:has-text('公布第 1 版')")
    page.locator("dialog[data-confirm] button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("第 1 版")


def projector(page, base: str) -> dict[str, str]:
    """The projector at a hall's 1920×1080: every candidate's name and total, as shown."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/admin/contests/web-2026/rounds/preliminary")
    page.click("a:has-text('大屏')")
    expect(page.locator("body")).to_contain_text("第 1 版")
    rows = {}
    for row in page.locator("tr[data-username]").all():
        rows[row.get_attribute("data-username")] = row.locator(".total").inner_text().strip()
    page.set_viewport_size(LAPTOP)
    return rows


def web_standings(page, base: str) -> dict[str, tuple[str, str]]:
    """The published standings as the organiser downloads them (Chinese headers): username → (rank, total)."""
    page.goto(f"{base}/admin/contests/web-2026/rounds/preliminary")
    page.click("a:has-text('已公布的排名')")
    link = page.locator("a:has-text('CSV')").first.get_attribute("href")
    text = page.request.get(base + link).text().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    return {row["账号"]: (row["名次"], row["总分"]) for row in rows}
