"""The README's contest example works as written: load, scores in, standings out."""
import csv
import io
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_contest_example_from_the_readme(runner, make_user):
    for judge in ("ex-judge1", "ex-judge2", "ex-judge3"):
        make_user(judge, role="judge")
    steps = [
        ["contest", "load", str(EXAMPLES / "contest.yaml")],
        ["contest", "scores", "example-2026/preliminary", "written", str(EXAMPLES / "written.csv")],
        ["contest", "scores", "example-2026/preliminary", "lecture", str(EXAMPLES / "lecture.csv")],
    ]
    for args in steps:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
    shown = runner.invoke(args=["standings", "show", "example-2026/preliminary", "--csv"])
    rows = {row["username"]: row for row in csv.DictReader(io.StringIO(shown.stdout))}
    # 张伟 44 + 44 = 88.00 against 王芳 46.25 + 41 = 87.25 in 教育体育局
    assert (rows["ex-zhangwei"]["total"], rows["ex-zhangwei"]["advanced"]) == ("88.00", "yes")
    assert rows["ex-wangfang"]["advanced"] == "no" and rows["ex-zhaojing"]["advanced"] == "direct"

    first = runner.invoke(args=["contest", "publish", "example-2026/preliminary"])
    assert first.exit_code == 0 and "version 1 published" in first.stdout
    late = runner.invoke(args=["contest", "scores", "example-2026/preliminary", "lecture", str(EXAMPLES / "late.csv")])
    assert late.exit_code == 0, late.output
    second = runner.invoke(args=["contest", "publish", "example-2026/preliminary"])
    assert second.exit_code == 0 and "version 2 published (2 moved)" in second.stdout
    before = runner.invoke(args=["standings", "show", "example-2026/preliminary", "--version", "1", "--csv"])
    rows = {row["username"]: row for row in csv.DictReader(io.StringIO(before.stdout))}
    assert rows["ex-zhangwei"]["advanced"] == "yes", "version 1 is as it was published"
    # 王芳's lecture becomes (80 + 90 + 82) / 3 = 84: 46.25 + 42 = 88.25 passes 张伟's 88.00
    closed = runner.invoke(args=["contest", "close", "example-2026/preliminary"])
    assert closed.exit_code == 0 and "4 go on" in closed.stdout and "ex-wangfang" in closed.stdout
