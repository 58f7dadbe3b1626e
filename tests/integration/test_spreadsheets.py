"""Spreadsheets we write never run a formula (DESIGN §5, issue 9): every CSV and XLSX — the web downloads and
`flask standings show --csv` — keeps text that Excel or WPS would run (= + - @, tab, CR, and ＝ ＋ － ＠) as text,
while numbers stay numbers, negative ones included."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.cells import neutralised, runs_as_formula
from app.extensions import db
from app.models import Organisation, Round, User
from plugins.accounts import login
from plugins.contests import CONTEST
from plugins.exams import sit

# -- every file the project writes -----------------------------------------------------------------------------------

NAMES = {"zhao": "=HYPERLINK(\"http://evil.example\",\"点我\")", "qian": "＝1+1", "sun": "@SUM(A1)", "li": "+1",
         "zhou": "-2+3", "wu": "=cmd|' /C calc'!A0", "zheng": "郑七"}


@pytest.fixture
def contest(runner, tmp_path, make_user):
    """The sample contest with runnable names for candidates and a committee, and a scored preliminary round."""
    for judge in ("j1", "j2", "j3"):
        make_user(judge, role="judge")
    text = CONTEST.replace("name: 教育局机关党委", 'name: "=教育局机关党委"')
    text = text.replace("title: 初赛", 'title: "初赛/第一轮"')
    (tmp_path / "contest.yaml").write_text(text, encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["username", "name", "org"])
    orgs = {"zhao": "c01", "qian": "c01", "sun": "c02", "li": "c02", "zhou": "c03", "wu": "c03", "zheng": "d01"}
    writer.writerows([username, name, orgs[username]] for username, name in NAMES.items())
    (tmp_path / "candidates.csv").write_text(buffer.getvalue(), encoding="utf-8")
    (tmp_path / "written.csv").write_text("username,score\nzhao,90\nqian,80\nsun,0\n", encoding="utf-8")
    for args in (["contest", "load", str(tmp_path / "contest.yaml")],
                 ["contest", "scores", "test-2026/preliminary", "written", str(tmp_path / "written.csv")]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return tmp_path


def test_standings_show_csv_keeps_names_as_text(runner, contest):
    result = runner.invoke(args=["standings", "show", "test-2026/preliminary", "--csv"])
    assert result.exit_code == 0, result.output
    rows = {row["username"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    for username, name in NAMES.items():
        assert rows[username]["name"] == neutralised(name)
    assert rows["zhao"]["group"] == "'=教育局机关党委"
    assert rows["zhao"]["written"] == "90.00" and rows["sun"]["written"] == "0.00", "numbers are not escaped"


def test_standings_downloads_keep_names_as_text(app, client, contest, make_user):
    make_user("organiser1", role="organiser")
    login(client, "organiser1")
    with app.app_context():
        round_id = db.session.scalar(select(Round.id).where(Round.slug == "preliminary"))
    text = client.get(f"/standings/rounds/{round_id}.csv").get_data().decode("utf-8-sig")
    rows = {row["账号"]: row for row in csv.DictReader(io.StringIO(text))}
    assert {username: rows[username]["姓名"] for username in NAMES} == {u: neutralised(n) for u, n in NAMES.items()}
    reply = client.get(f"/standings/rounds/{round_id}.xlsx")
    assert reply.status_code == 200, "a round title holding '/' still names a sheet"
    sheet = load_workbook(io.BytesIO(reply.get_data())).active
    cells = {row[3].value: row for row in sheet.iter_rows(min_row=2)}
    for username, name in NAMES.items():
        assert cells[username][2].value == name and cells[username][2].data_type == "s"
        assert cells[username][2].quotePrefix is runs_as_formula(name)
    assert cells["zhao"][4].value == 90 and cells["zhao"][4].data_type == "n"


def runnable_cells(data: bytes) -> list:
    """The cells of a downloaded workbook whose text a spreadsheet would run, were it not marked as text."""
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str) and runs_as_formula(cell.value)]


def test_session_results_and_practice_report_keep_names_as_text(app, client, make_user, make_org, exam):
    make_org("c01", "@机关党委")
    make_user("organiser1", role="organiser")
    with app.app_context():
        organisation = db.session.scalar(select(Organisation))
        for username, name in (("cand1", "=1+1"), ("cand2", "－2")):
            user = db.session.scalar(select(User).where(User.username == username))
            user.name, user.organisation = name, organisation
        db.session.commit()
        sit("cand1", exam, {"single": "A"})
    login(client, "organiser1")
    results = client.get(f"/admin/sessions/{exam}/results.csv").get_data().decode("utf-8-sig")
    assert "'=1+1" in results and "'－2" in results
    cells = runnable_cells(client.get(f"/admin/sessions/{exam}/results.xlsx").get_data())
    assert {cell.value for cell in cells} >= {"=1+1", "－2"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    assert "'@机关党委" in client.get("/admin/reports/practice.csv").get_data().decode("utf-8-sig")
    cells = runnable_cells(client.get("/admin/reports/practice.xlsx").get_data())
    assert [cell.value for cell in cells] == ["@机关党委"] and cells[0].quotePrefix
