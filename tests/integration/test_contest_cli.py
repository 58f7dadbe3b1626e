"""Contests from the command line (DESIGN §3.3): load, scores in, standings out, rounds closed into the next."""
import csv
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, Contest, Organisation, Round, RoundEntry, ScoreEntry, User
from plugins.contests import CANDIDATES, CONTEST


@pytest.fixture
def contest_dir(tmp_path):
    (tmp_path / "contest.yaml").write_text(CONTEST, encoding="utf-8")
    (tmp_path / "candidates.csv").write_text(CANDIDATES, encoding="utf-8")
    return tmp_path


@pytest.fixture
def loaded(runner, contest_dir, make_user):
    for judge in ("j1", "j2", "j3"):
        make_user(judge, role="judge")
    result = runner.invoke(args=["contest", "load", str(contest_dir / "contest.yaml")])
    assert result.exit_code == 0, result.output
    return contest_dir


def write(directory, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def standings(runner, ref: str = "test-2026/preliminary") -> list[dict]:
    result = runner.invoke(args=["standings", "show", ref, "--csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_load_creates_accounts_once_and_second_load_changes_nothing(app, runner, contest_dir):
    first = runner.invoke(args=["contest", "load", str(contest_dir / "contest.yaml")])
    assert first.exit_code == 0, first.output
    assert "username,password" in first.stdout and first.stdout.count("\n") >= 9
    assert "contest test-2026 created: 6 organisations, 7 candidates, 3 rounds" in first.stdout
    with app.app_context():
        zhao = db.session.scalar(select(User).where(User.username == "zhao"))
        assert zhao.must_change_password and zhao.organisation.code == "c01"
        assert db.session.scalar(select(Organisation).where(Organisation.code == "c01")).parent.code == "g1"
    second = runner.invoke(args=["contest", "load", str(contest_dir / "contest.yaml")])
    assert second.exit_code == 0
    assert "password" not in second.stdout and "unchanged" in second.stdout and "0 change(s)" in second.stdout
    assert count(app, RoundEntry) == 7


def test_bad_contest_file_loads_nothing(app, runner, contest_dir):
    write(contest_dir, "candidates.csv", CANDIDATES + "zhao,赵一,c02\n")
    result = runner.invoke(args=["contest", "load", str(contest_dir / "contest.yaml")])
    assert result.exit_code == 1
    assert "candidates.csv:9: 考生 zhao 重复列出（第 2 行已有）" in result.stdout
    assert count(app, Contest) == 0 and count(app, User) == 0


def test_unknown_judge_account_is_refused(app, runner, contest_dir):
    text = CONTEST.replace("    advance: {top: 1}\n    skip:",
                           "    judges: [{username: nobody}]\n    advance: {top: 1}\n    skip:")
    write(contest_dir, "contest.yaml", text)
    result = runner.invoke(args=["contest", "load", str(contest_dir / "contest.yaml")])
    assert result.exit_code == 1 and "评委 nobody 没有评委账号" in result.stdout
    assert count(app, Contest) == 0


def test_scores_and_standings(app, runner, loaded):
    written = write(loaded, "written.csv", "username,score\nzhao,90\nqian,80\nsun,70\nli,75\nzhou,60\n")
    assert runner.invoke(args=["contest", "scores", "test-2026/preliminary", "written", written]).exit_code == 0
    lecture = write(loaded, "lecture.csv", "username,judge,score\n" + "".join(
        f"{u},{j},{s}\n" for u, marks in {"zhao": (80, 82, 84), "qian": (90, 90, 90), "sun": (85, 85, 85),
                                           "li": (80, 80, 80)}.items()
        for j, s in zip(("j1", "j2", "j3"), marks, strict=True)))
    result = runner.invoke(args=["contest", "scores", "test-2026/preliminary", "lecture", lecture])
    assert result.exit_code == 0 and "12 score(s) added" in result.stdout
    rows = {r["username"]: r for r in standings(runner)}
    assert list(rows["zhao"]) == ["group", "rank", "username", "name", "written", "lecture", "total", "advanced"]
    assert (rows["zhao"]["total"], rows["zhao"]["rank"], rows["zhao"]["advanced"]) == ("86.00", "1", "yes")
    assert (rows["qian"]["total"], rows["qian"]["rank"], rows["qian"]["advanced"]) == ("85.00", "2", "no")
    # li (75, 80) and sun (70, 85) both total 77.50; the written tie-break puts li first in c02.
    assert (rows["li"]["total"], rows["li"]["rank"], rows["li"]["advanced"]) == ("77.50", "1", "yes")
    assert (rows["sun"]["total"], rows["sun"]["rank"]) == ("77.50", "2")
    assert rows["zhou"]["advanced"] == "incomplete" and rows["zhou"]["rank"] == ""
    assert rows["zheng"]["advanced"] == "direct"


def test_bad_score_file_changes_nothing(app, runner, loaded):
    bad = write(loaded, "bad.csv", "username,score\nzhao,101\nnobody,50\nzheng,abc\n")
    result = runner.invoke(args=["contest", "scores", "test-2026/preliminary", "written", bad])
    assert result.exit_code == 1
    assert "bad.csv:2: 分数应在 0 到 100 之间" in result.stdout
    assert "bad.csv:3: 没有考生 nobody" in result.stdout and "bad.csv:4: 分数 'abc' 不是数字" in result.stdout
    assert count(app, ScoreEntry) == 0
    wrong_header = write(loaded, "header.csv", "user,score\nzhao,50\n")
    assert runner.invoke(args=["contest", "scores", "test-2026/preliminary", "written", wrong_header]).exit_code == 1


def test_correction_keeps_the_old_value(app, runner, loaded):
    first = write(loaded, "a.csv", "username,score\nzhao,90\n")
    runner.invoke(args=["contest", "scores", "test-2026/preliminary", "written", first])
    second = write(loaded, "b.csv", "username,score\nzhao,92.5\n")
    runner.invoke(args=["contest", "scores", "test-2026/preliminary", "written", second])
    with app.app_context():
        entries = db.session.scalars(select(ScoreEntry).order_by(ScoreEntry.id)).all()
        assert [e.hundredths for e in entries] == [9000, 9250] and entries[1].replaces_id == entries[0].id


def scheduled_for_the_preliminary(app, runner) -> int:
    """The five-question exam, scheduled on the command line to feed the preliminary's written component."""
    from plugins.exams import load_exam_content
    with app.app_context():
        load_exam_content()
    result = runner.invoke(args=["exam", "schedule", "five", "--title", "初赛笔试", "--opens", "2026-01-01T08:00",
                                 "--closes", "2030-01-01T08:00", "--round", "test-2026/preliminary"])
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip().splitlines()[-1])


def test_close_refuses_an_unsettled_tie_then_enters_qualifiers(app, runner, loaded):
    scores = write(loaded, "w.csv", "username,score\nzhao,80\nqian,80\nsun,90\nli,70\nzhou,50\nwu,60\n")
    runner.invoke(args=["contest", "scores", "test-2026/preliminary", "written", scores])
    lecture = write(loaded, "l.csv", "username,score\nzhao,80\nqian,80\nsun,90\nli,70\nzhou,50\nwu,60\n")
    runner.invoke(args=["contest", "scores", "test-2026/preliminary", "lecture", lecture])
    rows = {r["username"]: r for r in standings(runner)}
    assert rows["zhao"]["advanced"] == rows["qian"]["advanced"] == "tie"
    refused = runner.invoke(args=["contest", "close", "test-2026/preliminary"])
    assert refused.exit_code == 1 and "晋级线上有并列" in refused.output
    done = runner.invoke(args=["contest", "close", "test-2026/preliminary", "--settle", "qian"])
    assert done.exit_code == 0, done.output
    with app.app_context():
        semifinal = db.session.scalar(select(Round).where(Round.slug == "semifinal"))
        entered = {e.user.username: e.via for e in semifinal.entries}
    assert entered == {"qian": "advanced", "sun": "advanced", "wu": "advanced", "zheng": "direct"}
    late = write(loaded, "late.csv", "username,score\nzhao,99\n")
    assert runner.invoke(args=["contest", "scores", "test-2026/preliminary", "written", late]).exit_code == 1


def test_unknown_round(runner, loaded):
    result = runner.invoke(args=["standings", "show", "test-2026/quarterfinal"])
    assert result.exit_code == 1 and "没有轮次" in result.output


def test_judge_not_assigned_to_the_group_is_refused(app, runner, contest_dir, make_user):
    make_user("j1", role="judge")
    text = CONTEST.replace("    advance: {top: 1}\n    skip:",
                           "    judges: [{username: j1, groups: [c01]}]\n    advance: {top: 1}\n    skip:")
    write(contest_dir, "contest.yaml", text)
    assert runner.invoke(args=["contest", "load", str(contest_dir / "contest.yaml")]).exit_code == 0
    sheet = write(contest_dir, "l.csv", "username,judge,score\nzhao,j1,80\nsun,j1,80\n")
    result = runner.invoke(args=["contest", "scores", "test-2026/preliminary", "lecture", sheet])
    assert result.exit_code == 1 and "l.csv:3: 评委 j1 没有被分配评孙三所在的组" in result.stdout
    assert count(app, ScoreEntry) == 0


def test_written_score_from_an_exam_session_scheduled_for_the_round(app, runner, loaded):
    from datetime import timedelta

    from app.attempts.service import mark_pending, start_attempt, submit_attempt
    from app.models import utcnow
    session_id = scheduled_for_the_preliminary(app, runner)
    with app.app_context():
        zhao = db.session.scalar(select(User).where(User.username == "zhao"))
        attempt = start_attempt(session_id, zhao, utcnow())
        for response in attempt.responses:
            if response.paper_item.revision.type == "short":
                response.score, response.marked_at = 5.0, utcnow()
        db.session.commit()
        submit_attempt(attempt.id, zhao, utcnow() + timedelta(minutes=1))
        mark_pending(utcnow(), [attempt.id])
        from app.models import ExamSession
        sitters = {c.user.username for c in db.session.get(ExamSession, session_id).candidates}
    assert sitters == {"zhao", "qian", "sun", "li", "zhou", "wu"}, "the round's entrants, not the direct entry"
    rows = {r["username"]: r for r in standings(runner)}
    assert rows["zhao"]["written"] == "45.45"     # 5 of 11 points


def test_reload_keeps_judges_assigned_on_the_web_when_the_file_names_none(app, runner, loaded):
    from app.models import JudgeAssignment
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == "preliminary"))
        judge = db.session.scalar(select(User).where(User.username == "j1"))
        db.session.add(JudgeAssignment(round_id=round_.id, judge_id=judge.id, group_code="c01"))
        db.session.commit()
    assert runner.invoke(args=["contest", "load", str(loaded / "contest.yaml")]).exit_code == 0
    assert count(app, JudgeAssignment) == 1


def test_the_written_share_rounds_half_up_like_every_other_score(app, runner, loaded):
    """Issue 8 §7: 36.5 of 80 is 45.625 on 100 — 45.63 by the one rule, where half-even rounding gave 45.62."""
    from datetime import timedelta

    from app.attempts.service import mark_pending, start_attempt, submit_attempt
    from app.models import Attempt, utcnow
    session_id = scheduled_for_the_preliminary(app, runner)
    with app.app_context():
        zhao = db.session.scalar(select(User).where(User.username == "zhao"))
        attempt_id = start_attempt(session_id, zhao, utcnow()).id
        submit_attempt(attempt_id, zhao, utcnow() + timedelta(minutes=1))
        mark_pending(utcnow(), [attempt_id])
        attempt = db.session.get(Attempt, attempt_id)
        attempt.score, attempt.max_score = 36.5, 80.0     # as marked on an 80-point paper
        db.session.commit()
    assert {r["username"]: r for r in standings(runner)}["zhao"]["written"] == "45.63"


def test_a_closed_rounds_written_scores_stay_as_they_are(app, runner, loaded, make_user):
    """Closing says 成绩不能再修改，评委也不能再打分: a judge's mark or a key correction on a session that feeds the
    closed round is refused, and the attempt keeps its score."""
    from app.attempts.judging import MarkingError, correct_key, mark_response
    from app.attempts.service import mark_pending, start_attempt, submit_attempt
    from app.models import Response, RoundStatus, utcnow
    judge = make_user("marker", role="judge")
    session_id = scheduled_for_the_preliminary(app, runner)
    with app.app_context():
        zhao = db.session.scalar(select(User).where(User.username == "zhao"))
        attempt = start_attempt(session_id, zhao, utcnow())
        attempt_id = attempt.id
        db.session.commit()
        submit_attempt(attempt_id, zhao, utcnow())
        mark_pending(utcnow(), [attempt_id])
        db.session.scalar(select(Round).where(Round.slug == "preliminary")).status = RoundStatus.CLOSED
        db.session.commit()
        short = next(r for r in db.session.get(Attempt, attempt_id).responses
                     if r.paper_item.revision.type == "short")
        judge_item = next(r for r in db.session.get(Attempt, attempt_id).responses
                          if r.paper_item.revision.type == "judge")
        with pytest.raises(MarkingError, match="该轮已结束，成绩不能再修改"):
            mark_response(short.id, 3, db.session.get(User, judge.id), utcnow())
        db.session.rollback()
        with pytest.raises(MarkingError, match="该轮已结束"):
            correct_key(session_id, judge_item.paper_item.revision_id, "错", "更正后的解析。",
                        db.session.get(User, judge.id), utcnow())
        db.session.rollback()
        assert db.session.get(Attempt, attempt_id).score == 0
        assert db.session.get(Response, short.id).score == 0
