"""Word and plain-text banks through `flask bank import | validate`: bank metadata from the command line, importing
the same file again, --partial, and a GBK text file."""
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Bank, Question, QuestionRevision
from plugins.banks import write_docx

PARAGRAPHS = [
    "党务知识竞赛题库",
    "一、单项选择题",
    "1．有正式党员（  ）人以上的，应当成立党支部。",
    "A．三\tB．五",
    "C．七\tD．十",
    "答案：A",
    "解析：支部工作条例第五条。",
    "出处：《中国共产党支部工作条例（试行）》",
    "2．党支部委员会由（ C ）人组成。",
    "A．1至3  B．2至4  C．3至5  D．5至7",
    "二、多项选择题",
    "1．“三会一课”包括（  ）。",
    "A．支部党员大会",
    "B．支部委员会",
    "C．党小组会",
    "D．茶话会",
    "正确答案：ABC",
    "三、判断题",
    "1．党支部是党的基础组织。（√）",
]


def revisions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(QuestionRevision))


def answers(app, slug: str) -> dict[str, object]:
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
        return {q.code: q.current.answer for q in bank.questions if q.retired_at is None}


def test_a_word_bank_imports_with_metadata_from_the_command_line_and_again_unchanged(app, runner, tmp_path):
    path = write_docx(tmp_path / "dangwu.docx", PARAGRAPHS)
    refused = runner.invoke(args=["bank", "import", str(path)])
    assert refused.exit_code == 1
    assert "dangwu.docx:段落 1: 缺少 bank（题库标识）；没有题库信息的文件可用 --bank" in refused.stdout

    result = runner.invoke(args=["bank", "import", str(path), "--category", "党务", "--title", "党务知识"])
    assert result.exit_code == 0, result.output
    assert "dangwu.docx:段落 1: 警告：题目之前或分节标题下的文字，已忽略：党务知识竞赛题库" in result.stdout
    assert "new bank dangwu" in result.stdout and "added 4, changed 0, retired 0, unchanged 0" in result.stdout
    assert answers(app, "dangwu") == {"single-0001": "A", "single-0002": "C", "multiple-0001": ["A", "B", "C"],
                                      "judge-0001": True}

    again = runner.invoke(args=["bank", "import", str(path), "--category", "党务", "--title", "党务知识"])
    assert again.exit_code == 0, again.output
    assert "added 0, changed 0, retired 0, unchanged 4" in again.stdout
    assert revisions(app) == 4


def test_partial_takes_what_reads_and_keeps_what_did_not(app, runner, tmp_path):
    path = write_docx(tmp_path / "dw.docx", PARAGRAPHS)
    assert runner.invoke(args=["bank", "import", str(path), "--category", "theory"]).exit_code == 0
    broken = [*PARAGRAPHS[:9], "A．1至3  B．2至4", "第三段不知所云", *PARAGRAPHS[10:16], "答案：E"]
    write_docx(path, broken)

    refused = runner.invoke(args=["bank", "import", str(path), "--category", "theory"])
    assert refused.exit_code == 1 and "nothing imported" in refused.stderr
    assert "dw.docx:段落 11: [single-0002] 无法识别的段落（不是选项、答案或解析）：第三段不知所云" in refused.stdout

    result = runner.invoke(args=["bank", "import", str(path), "--category", "theory", "--partial"])
    assert result.exit_code == 0, result.output
    assert "dw.docx:段落 11: [single-0002] 警告：未导入：无法识别的段落" in result.stdout
    assert "dw.docx:段落 18: [multiple-0001] 警告：未导入：答案 E 不在选项 A, B, C, D 中" in result.stdout
    assert "added 0, changed 0, retired 1, unchanged 1" in result.stdout, "judge-0001 left the file"
    with app.app_context():
        kept = db.session.scalars(select(Question).where(Question.code.in_(["single-0002", "multiple-0001"])))
        assert all(question.retired_at is None for question in kept)


def test_a_gbk_text_file_validates_and_imports(app, runner, tmp_path):
    text = "\r\n".join(["一、判断题", "1、党员可以不交党费。", "答案：错", "二、填空题",
                        "1、党的最高领导机关是党的（全国代表大会）和它产生的中央委员会。"])
    path = tmp_path / "理论题库.txt"
    path.write_bytes(text.encode("gbk"))
    checked = runner.invoke(args=["bank", "validate", str(path), "--bank", "lilun", "--category", "theory"])
    assert checked.exit_code == 0, checked.output
    assert "1 bank(s), 2 question(s)" in checked.stderr

    result = runner.invoke(args=["bank", "import", str(tmp_path), "--bank", "lilun", "--category", "theory"])
    assert result.exit_code == 0, result.output
    assert answers(app, "lilun") == {"judge-0001": False, "blank-0001": [["全国代表大会"]]}
    with app.app_context():
        assert db.session.scalar(select(Bank.title).where(Bank.slug == "lilun")) == Path(path).stem
