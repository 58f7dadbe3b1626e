"""The README's contest example works as written: load, scores in, standings out."""
import csv
import io
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


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
    closed = runner.invoke(args=["contest", "close", "example-2026/preliminary"])
    assert closed.exit_code == 0 and "4 go on" in closed.stdout
