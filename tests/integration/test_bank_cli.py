"""`flask bank validate | import | export` as an organiser runs them (DESIGN §3.3)."""
from pathlib import Path

from sqlalchemy import func, select

from app.domain import sources
from app.extensions import db
from app.models import AuditEvent, Bank, Question, QuestionRevision, RevisionTag
from app.papers.service import load_pool
from plugins.banks import DEEP, TAGS, VALID, line_of


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_validate_reports_each_problem_and_exits_1(runner, tmp_path):
    write(tmp_path, "a.yaml", VALID.replace("    answer: A\n", "    anwser: A\n"))
    write(tmp_path, "b.yaml", VALID.replace("bank: party-affairs", "bank: b").replace("difficulty: 2", "difficulty: 7"))
    result = runner.invoke(args=["bank", "validate", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.endswith("a.yaml:10: [PA-0001] 未知字段 'anwser'（可用字段：answer, blank_order, difficulty, "
                             "explanation, family, id, options, parts, prompts, reference_answer, rubric, source, "
                             "stem, tags, tolerance, type, unit）")
               for line in lines), lines
    assert any("b.yaml:13: [PA-0001] difficulty 应为 1 到 5 的整数" in line for line in lines), lines


def test_validate_clean_file_exits_0(runner, tmp_path):
    path = write(tmp_path, "a.yaml", VALID)
    result = runner.invoke(args=["bank", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_validate_missing_file_and_empty_directory(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(args=["bank", "validate", str(tmp_path / "nope.yaml"), str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "nope.yaml:1: 文件不存在" in result.stdout
    assert "empty:1: 目录中没有题库或试卷文件" in result.stdout


def test_import_creates_revisions_and_second_run_changes_nothing(app, runner, tmp_path):
    write(tmp_path, "pa.yaml", VALID)
    first = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "added 5, changed 0, retired 0, unchanged 0" in first.stdout
    assert count(app, QuestionRevision) == 5

    second = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert second.exit_code == 0
    assert "added 0, changed 0, retired 0, unchanged 5" in second.stdout
    assert count(app, QuestionRevision) == 5
    assert count(app, AuditEvent) == 1, "an import that changes nothing leaves no trace"


def test_edit_makes_new_revision_and_keeps_the_old(app, runner, tmp_path):
    path = write(tmp_path, "pa.yaml", VALID)
    runner.invoke(args=["bank", "import", str(path)])
    path.write_text(VALID.replace("answer: A\n", "answer: B\n"), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path)])
    assert "added 0, changed 1, retired 0, unchanged 4" in result.stdout
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.code == "PA-0001"))
        assert [r.answer for r in question.revisions] == ["A", "B"]
        assert question.current.answer == "B" and question.latest_number == 2


def test_an_edited_question_gets_a_revision_with_its_own_tags_and_the_old_keeps_its(app, runner, tmp_path):
    path = write(tmp_path, "pa.yaml", VALID)
    runner.invoke(args=["bank", "import", str(path)])
    path.write_text(VALID.replace(TAGS, "tags: [组织设置, 党员大会]"), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path)])
    assert "added 0, changed 1, retired 0, unchanged 4" in result.stdout, result.output
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.code == "PA-0001"))
        assert [sorted(tag.tag for tag in r.tag_rows) for r in question.revisions] == [
            sorted(["支部工作条例", "组织设置"]), sorted(["组织设置", "党员大会"])]
        assert question.current.tags == ["组织设置", "党员大会"] and question.current.number == 2


def test_questions_added_beside_stored_ones_get_their_own_revisions_and_tags(app, runner, tmp_path):
    later = VALID[VALID.index("  - id: PA-0001"):VALID.index("  - id: PA-0003")]
    path = write(tmp_path, "pa.yaml", VALID.replace(later, ""))
    write(tmp_path, "other.yaml", VALID.replace("bank: party-affairs", "bank: other").replace("。", "！"))
    assert "added 8," in runner.invoke(args=["bank", "import", str(tmp_path)]).stdout
    path.write_text(VALID, encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert "added 2, changed 0, retired 0, unchanged 8" in result.stdout, result.output
    with app.app_context():
        questions = db.session.scalars(select(Question).join(Bank).where(Bank.slug == "party-affairs")
                                       .order_by(Question.position)).all()
        assert [(q.code, q.position, q.latest_number) for q in questions] == [
            ("PA-0001", 0, 1), ("PA-0002", 1, 1), ("PA-0003", 2, 1), ("PA-0004", 3, 1), ("PA-0005", 4, 1)]
        first, second = questions[0].current, questions[1].current
        assert first.stem == "有正式党员（ ）人以上的，应当成立党支部。" and first.type == "single"
        assert sorted(tag.tag for tag in first.tag_rows) == sorted(["支部工作条例", "组织设置"])
        assert second.stem == "“三会一课”包括哪些？" and second.tag_rows == []
        assert db.session.scalar(select(func.count()).select_from(RevisionTag)) == 4    # other's PA-0001 and this


def test_removed_question_is_retired_not_deleted_and_can_return(app, runner, tmp_path):
    path = write(tmp_path, "pa.yaml", VALID)
    runner.invoke(args=["bank", "import", str(path)])
    without_short = VALID[: VALID.index("  - id: PA-0005")]
    path.write_text(without_short, encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path)])
    assert "added 0, changed 0, retired 1, unchanged 4" in result.stdout
    with app.app_context():
        retired = db.session.scalar(select(Question).where(Question.code == "PA-0005"))
        assert retired.retired_at is not None and len(retired.revisions) == 1
    path.write_text(VALID, encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path)])
    assert "added 0, changed 1, retired 0, unchanged 4" in result.stdout
    with app.app_context():
        back = db.session.scalar(select(Question).where(Question.code == "PA-0005"))
        assert back.retired_at is None and len(back.revisions) == 1


def test_dry_run_shows_changes_and_writes_nothing(app, runner, tmp_path):
    path = write(tmp_path, "pa.yaml", VALID)
    result = runner.invoke(args=["bank", "import", "--dry-run", str(path)])
    assert result.exit_code == 0
    assert "add party-affairs/PA-0003" in result.stdout
    assert "dry run: would be added 5, changed 0, retired 0, unchanged 0; nothing written" in result.stdout
    assert count(app, Bank) == 0 and count(app, QuestionRevision) == 0


def test_any_error_in_any_file_imports_nothing(app, runner, tmp_path):
    write(tmp_path, "good.yaml", VALID)
    write(tmp_path, "bad.yaml",
          VALID.replace("bank: party-affairs", "bank: other").replace("type: judge", "type: truefalse"))
    result = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "未知题型 'truefalse'" in result.stdout
    assert count(app, Bank) == 0 and count(app, Question) == 0


def test_export_then_import_is_unchanged(app, runner, tmp_path):
    write(tmp_path / "in", "pa.yaml", VALID.replace("blank_order: fixed", "blank_order: any"))
    runner.invoke(args=["bank", "import", str(tmp_path / "in")])
    result = runner.invoke(args=["bank", "export", str(tmp_path / "out")])
    assert result.exit_code == 0
    exported = tmp_path / "out" / "pa.yaml"
    assert exported.exists()
    again = runner.invoke(args=["bank", "import", str(tmp_path / "out")])
    assert again.exit_code == 0, again.output
    assert "added 0, changed 0, retired 0, unchanged 5" in again.stdout
    assert count(app, QuestionRevision) == 5


def test_progress_bar_for_large_imports(runner, tmp_path):
    header, first = VALID.split("questions:\n")
    single = first[: first.index("  - id: PA-0002")]
    questions = "".join(single.replace("PA-0001", f"PA-{n:04d}").replace("有正式党员", f"第{n}题有正式党员")
                        for n in range(1, 402))
    write(tmp_path, "big.yaml", header + "questions:\n" + questions)
    result = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "importing" in result.stderr
    assert "added 401" in result.stdout


def test_bank_validate_reports_a_deep_file_without_a_traceback(runner, tmp_path):
    (tmp_path / "deep.yaml").write_text(VALID.replace(TAGS, f"tags: {DEEP}"), encoding="utf-8")
    result = runner.invoke(args=["bank", "validate", str(tmp_path / "deep.yaml")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert f"deep.yaml:{line_of(VALID, TAGS)}: YAML 嵌套超过 20 层" in result.output
    assert "Traceback" not in result.output


# -- issue 13: repeated warnings summarised, unchanged files skipped ------------------------------------------------

def without_explanations(count: int) -> str:
    questions = "".join(f"  - id: Q{n}\n    type: judge\n    stem: 第 {n} 题\n    answer: 是\n    source: 出处\n"
                        for n in range(1, count + 1))
    return "bank: b\ntitle: 无解析\ncategory: theory\nquestions:\n" + questions


def test_a_warning_repeated_across_many_questions_prints_once_unless_verbose(runner, tmp_path):
    write(tmp_path, "b.yaml", without_explanations(40))
    result = runner.invoke(args=["bank", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line.startswith("警告 ×40：缺少 explanation（答案解析）（如 ") and line.endswith("等；--verbose 列出全部）")
    assert "b.yaml:5 [Q1]、" in line and "b.yaml:15 [Q3] 等" in line and "[Q4]" not in line
    verbose = runner.invoke(args=["bank", "validate", "--verbose", str(tmp_path)])
    lines = verbose.stdout.splitlines()
    assert len(lines) == 40 and all(f"b.yaml:{5 * n}: [Q{n}] 警告：缺少 explanation（答案解析）" in lines[n - 1]
                                    for n in range(1, 41))
    imported = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert imported.exit_code == 0 and imported.stdout.splitlines()[0] == line


def test_reimport_does_not_read_a_file_the_database_holds_unchanged(app, runner, tmp_path, monkeypatch):
    write(tmp_path, "a.yaml", VALID)
    other = write(tmp_path, "b.yaml", VALID.replace("bank: party-affairs", "bank: other").replace("。", "！"))
    assert runner.invoke(args=["bank", "import", str(tmp_path)]).exit_code == 0
    revisions = count(app, QuestionRevision)
    read: list[str] = []
    reader = sources.yaml_document
    monkeypatch.setattr(sources, "yaml_document", lambda text, name: read.append(Path(name).name) or reader(text, name))

    again = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert "added 0, changed 0, retired 0, unchanged 10" in again.stdout
    assert read == [] and count(app, QuestionRevision) == revisions

    other.write_text(other.read_text(encoding="utf-8").replace("简述党支部的基本任务！", "简述党支部的主要任务！"),
                     encoding="utf-8")
    changed = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert "added 0, changed 1, retired 0, unchanged 9" in changed.stdout
    assert read == ["b.yaml"] and count(app, QuestionRevision) == revisions + 1

    checked = runner.invoke(args=["bank", "validate", str(tmp_path)])   # validating reads every file, always
    assert checked.exit_code == 0 and read == ["b.yaml", "a.yaml", "b.yaml"]
    partial = runner.invoke(args=["bank", "import", "--partial", str(tmp_path)])   # and so does a partial import
    assert "unchanged 10" in partial.stdout and read[3:] == ["a.yaml", "b.yaml"]
    with app.app_context():
        assert set(db.session.scalars(select(Bank.source_hash))) == {""}    # read whole again on the next import


def test_a_family_is_stored_with_its_revision_read_by_the_pool_and_exported(app, runner, tmp_path):
    tags = "    tags: [支部工作条例, 组织设置]\n"
    family = VALID.replace(tags, f"{tags}    family: 支部设置\n")
    write(tmp_path / "in", "pa.yaml", family)
    assert runner.invoke(args=["bank", "import", str(tmp_path / "in")]).exit_code == 0
    with app.app_context():
        families = {question.ref: question.family for question in load_pool()}
    assert families["party-affairs/PA-0001"] == "支部设置" and families["party-affairs/PA-0002"] == ""
    assert runner.invoke(args=["bank", "export", str(tmp_path / "out")]).exit_code == 0
    again = runner.invoke(args=["bank", "import", str(tmp_path / "out")])
    assert "added 0, changed 0, retired 0, unchanged 5" in again.stdout, again.output


def test_the_pool_draws_on_each_question_s_tags_as_imported(app, runner, tmp_path):
    """Tags reach drawing as each question's own set, characters as written (read as text, each list parsed once)."""
    write(tmp_path, "pa.yaml", VALID.replace(TAGS, "tags: [支部工作条例, \"三会一课\"]", 1)
          .replace("    answer: 对\n", "    answer: 对\n    tags: [组织设置]\n", 1))
    assert runner.invoke(args=["bank", "import", str(tmp_path)]).exit_code == 0
    with app.app_context():
        pool = {question.ref: question.tags for question in load_pool()}
        stored = {f"party-affairs/{code}": frozenset(tags) for code, tags in db.session.execute(
            select(Question.code, QuestionRevision.tags).join(QuestionRevision.question))}
    assert pool == stored
    assert pool["party-affairs/PA-0001"] == {"支部工作条例", "三会一课"}
    assert pool["party-affairs/PA-0003"] == {"组织设置"}
    assert sorted(map(len, pool.values())) == [0, 0, 0, 1, 2]


def test_validate_names_as_information_what_no_paper_can_draw(runner, tmp_path):
    write(tmp_path, "pa.yaml", VALID)
    write(tmp_path / "papers", "singles.yaml", "paper: singles\ntitle: 单选\nduration: 10\nsections:\n"
          "  - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 1}]}\n")
    result = runner.invoke(args=["bank", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    left = "、".join(f"party-affairs/PA-000{n}" for n in range(2, 6))
    assert result.stdout.splitlines() == [f"信息：题库 party-affairs 有 4 道题没有试卷蓝图能抽到：{left}"]
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_validate_stats_prints_each_bank_by_type_and_difficulty(runner, tmp_path):
    write(tmp_path, "pa.yaml", VALID)
    result = runner.invoke(args=["bank", "validate", "--stats", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "题库 party-affairs：5 题；单选题 1、多选题 1、判断题 1、填空题 1、简答题 1；难度 1/2/3/4/5：0/1/4/0/0"]
