"""Bank workbooks through `flask bank import | export --format xlsx | template`, and the options for files made
elsewhere: --bank/--category/--title and --partial."""
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Bank, Question, QuestionRevision
from plugins.banks import BANKS, sample_materials

HEADER = ["序号", "类型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "来源"]
ROWS = [
    [1, "单选题", "党的最高领导机关是（ ）。", "党的全国代表大会", "中央委员会", "政治局", "书记处", "A", "党章"],
    [2, "判断题", "党支部是党的基础组织。", "正确", "错误", "", "", "A", "党章"],
    [3, "多选题", "三会一课包括（ ）。", "支部党员大会", "支委会", "党小组会", "茶话会", "ABC", "条例"],
]


def workbook(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    book.save(path)
    return path


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_export_xlsx_then_import_changes_nothing(app, runner, tmp_path):
    assert runner.invoke(args=["bank", "import", str(BANKS)]).exit_code == 0
    revisions, events = count(app, QuestionRevision), count(app, AuditEvent)
    exported = runner.invoke(args=["bank", "export", str(tmp_path / "out"), "--format", "xlsx"])
    assert exported.exit_code == 0, exported.output
    assert sorted(Path(line).name for line in exported.stdout.split()) == [
        "party_affairs.xlsx", "policy.xlsx", "theory.xlsx"]

    # A row holds no parts: the sample materials are left out, named on stderr, and retired by the import back.
    materials = sample_materials()
    assert len(materials) >= 2
    assert sorted(line.split("（")[0].removeprefix("未导出 ") for line in exported.stderr.splitlines()) == materials
    again = runner.invoke(args=["bank", "import", str(tmp_path / "out")])
    assert again.exit_code == 0, again.output
    left = len(materials)
    assert again.stdout.strip() == f"added 0, changed 0, retired {left}, unchanged {revisions - left}"
    assert (count(app, QuestionRevision), count(app, AuditEvent)) == (revisions, events + 1)
    revisions -= left      # the live ones

    yaml_again = runner.invoke(args=["bank", "export", str(tmp_path / "yaml")])
    assert yaml_again.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "yaml").iterdir()) == ["party_affairs.yaml", "policy.yaml", "theory.yaml"]
    dry = runner.invoke(args=["bank", "import", str(tmp_path / "yaml"), "--dry-run"])
    assert f"dry run: would be added 0, changed 0, retired 0, unchanged {revisions}" in dry.stdout


def test_a_headerless_workbook_takes_bank_metadata_from_the_command_line(app, runner, tmp_path):
    path = workbook(tmp_path / "dangwu-2024.xlsx", ROWS)
    refused = runner.invoke(args=["bank", "import", str(path)])
    assert refused.exit_code == 1
    assert "dangwu-2024.xlsx:Sheet!1: 缺少 bank（题库标识）；没有题库信息的文件可用 --bank" in refused.stdout

    result = runner.invoke(args=["bank", "import", str(path), "--category", "党务"])
    assert result.exit_code == 0, result.output
    assert "new bank dangwu-2024" in result.stdout and "added 3, changed 0" in result.stdout
    with app.app_context():
        bank = db.session.scalar(select(Bank))
        assert (bank.slug, bank.title, bank.category, bank.source_file) == (
            "dangwu-2024", "dangwu-2024", "party_affairs", "dangwu-2024.xlsx")
        answers = {q.code: q.current.answer for q in bank.questions}
    assert answers == {"1": "A", "2": True, "3": ["A", "B", "C"]}

    named = runner.invoke(args=["bank", "import", str(path), "--bank", "dw", "--category", "policy", "--title", "党务"])
    assert named.exit_code == 0, named.output
    with app.app_context():
        assert db.session.scalar(select(Bank).where(Bank.slug == "dw")).title == "党务"


def test_partial_imports_what_reads_and_keeps_what_did_not(app, runner, tmp_path):
    path = workbook(tmp_path / "dw.xlsx", ROWS)
    assert runner.invoke(args=["bank", "import", str(path), "--category", "theory"]).exit_code == 0
    broken = [ROWS[0], [2, "判断题", "党支部是党的基础组织。", "正确", "错误", "", "", "C", "党章"],
              [4, "作图题", "党费是多少？", "", "", "", "", "12", "条例"]]
    workbook(path, broken)

    refused = runner.invoke(args=["bank", "import", str(path), "--category", "theory"])
    assert refused.exit_code == 1 and "nothing imported" in refused.stderr
    assert "dw.xlsx:Sheet!4: [4] 未知题型 '作图题'" in refused.stdout

    result = runner.invoke(args=["bank", "import", str(path), "--category", "theory", "--partial"])
    assert result.exit_code == 0, result.output
    assert "dw.xlsx:Sheet!3: [2] 警告：未导入：判断题的 answer 应是 true/false" in result.stdout
    assert "dw.xlsx:Sheet!4: [4] 警告：未导入：未知题型 '作图题'" in result.stdout
    assert "added 0, changed 0, retired 1, unchanged 1" in result.stdout, "question 2 stays; 3 left the file"
    with app.app_context():
        kept = db.session.scalar(select(Question).where(Question.code == "2"))
        assert kept.retired_at is None and kept.current.answer is True


def test_template_writes_the_layout_and_imports_as_an_empty_bank(runner, tmp_path):
    path = tmp_path / "模板.xlsx"
    result = runner.invoke(args=["bank", "template", str(path)])
    assert result.exit_code == 0, result.output
    assert load_workbook(path).sheetnames == ["题库", "题目", "说明"]
    refused = runner.invoke(args=["bank", "import", str(path), "--bank", "empty", "--category", "theory"])
    assert refused.exit_code == 1
    assert "模板.xlsx:题目!1: 缺少 questions，或 questions 不是非空列表" in refused.stdout
    assert runner.invoke(args=["bank", "template", str(tmp_path / "t.csv")]).exit_code == 2


def test_validate_reads_workbooks_and_unknown_files_are_named(runner, tmp_path):
    workbook(tmp_path / "dw.xlsx", ROWS)
    (tmp_path / "notes.pdf").write_text("x")
    ok = runner.invoke(args=["bank", "validate", str(tmp_path / "dw.xlsx"), "--category", "theory"])
    assert ok.exit_code == 0, ok.output
    unknown = runner.invoke(args=["bank", "validate", str(tmp_path / "notes.pdf")])
    assert unknown.exit_code == 1 and "notes.pdf:1: 不认识的文件类型 .pdf" in unknown.stdout
