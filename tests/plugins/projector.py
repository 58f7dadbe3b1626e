"""Rounds the size of the real ones, for the projector view: a 复赛 of 82 candidates in five liaison groups of 15 to 18
and a 决赛 of 10 with three award bands and 十佳党课, each scored and published as version 1 through the CLI."""
import textwrap
from dataclasses import dataclass

import pytest

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "晓明", "丽", "海燕", "志强", "静", "秀英", "伟", "文博", "桂兰"]
COMMITTEES = [  # (liaison group, committee name): long names as the real ones are
    ("g1", "市发展和改革委员会机关党委"), ("g1", "市教育局机关党委"), ("g2", "市卫生健康委员会机关党委"),
    ("g2", "市财政局机关党委"), ("g3", "市住房和城乡建设局机关党委"), ("g3", "市人力资源和社会保障局机关党委"),
    ("g4", "市市场监督管理局机关党委"), ("g4", "市生态环境局机关党委"), ("g5", "市交通运输局机关党委"),
    ("g5", "市农业农村局机关党委"),
]
GROUP_SIZES = {"g1": 18, "g2": 17, "g3": 16, "g4": 16, "g5": 15}     # 82 in all
FINALISTS = 10


LONG_NAMES = ["欧阳晓明", "司马文博", "诸葛海燕", "上官志强", "阿依古丽", "慕容秀英", "皇甫建国"]


def person(index: int) -> tuple[str, str]:
    """A distinct username and name; every 13th has a four-character name."""
    if index % 13 == 0:
        return f"p{index:03d}", LONG_NAMES[index // 13]
    return f"p{index:03d}", SURNAMES[index % 20] + GIVEN[index // 20 % 10]


def organisations() -> str:
    groups = "".join(f"  - {{id: {code}, name: 第{'一二三四五'[n]}联系片组, type: liaison_group}}\n"
                     for n, code in enumerate(GROUP_SIZES))
    return groups + "".join(f"  - {{id: c{n:02d}, name: {name}, type: committee, parent: {group}}}\n"
                            for n, (group, name) in enumerate(COMMITTEES))


def candidates() -> list[tuple[str, str, str]]:
    """(username, name, committee code): each liaison group's candidates spread over its two committees."""
    rows, index = [], 0
    for group, size in GROUP_SIZES.items():
        codes = [f"c{n:02d}" for n, (parent, _name) in enumerate(COMMITTEES) if parent == group]
        for place in range(size):
            username, name = person(index)
            rows.append((username, name, codes[place % 2]))
            index += 1
    return rows


def contest_file(slug: str, title: str, round_yaml: str) -> str:
    rounds = textwrap.indent(textwrap.dedent(round_yaml), "  ")
    head = f"contest: {slug}\ntitle: {title}\norganisations:\n{organisations()}"
    return f"{head}candidates: candidates.csv\nrounds:\n{rounds}"


SEMIFINAL = """\
- id: semifinal
  title: 复赛
  group_by: liaison_group
  components: [{name: written, weight: 0.5}, {name: lecture, weight: 0.5}]
  tie_break: [written]
  advance: {top: 2}
"""
FINAL = """\
- id: final
  title: 决赛
  group_by: all
  components: [{name: written, weight: 0.4}, {name: lecture, weight: 0.6}]
  awards: [{title: 一等奖, top: 1}, {title: 二等奖, top: 3}, {title: 三等奖, top: 6}]
  special_awards: [{title: 十佳党课, component: lecture, top: 10}]
"""


@dataclass(frozen=True)
class BigRounds:
    semifinal: str          # CONTEST/ROUND
    final: str
    semifinalists: list[tuple[str, str, str]]
    finalists: list[tuple[str, str, str]]


def _load(runner, directory, slug: str, title: str, round_yaml: str, people: list[tuple[str, str, str]]) -> str:
    directory.mkdir()
    (directory / "contest.yaml").write_text(contest_file(slug, title, round_yaml), encoding="utf-8")
    (directory / "candidates.csv").write_text(
        "username,name,org\n" + "".join(f"{u},{n},{o}\n" for u, n, o in people), encoding="utf-8")
    result = runner.invoke(args=["contest", "load", str(directory / "contest.yaml")])
    assert result.exit_code == 0, result.output
    ref = f"{slug}/{round_yaml.split('id: ')[1].split()[0]}"
    for component, base, step in (("written", 60, 37), ("lecture", 70, 53)):
        sheet = directory / f"{component}.csv"
        sheet.write_text("username,score\n" + "".join(
            f"{u},{base + (n * step) % 30 + n % 4 / 4}\n" for n, (u, _, _) in enumerate(people)), encoding="utf-8")
        result = runner.invoke(args=["contest", "scores", ref, component, str(sheet)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["contest", "publish", ref])
    assert result.exit_code == 0, result.output
    return ref


@pytest.fixture
def big_rounds(runner, tmp_path) -> BigRounds:
    """The 复赛 (contest fusai-2026) and the 决赛 (contest juesai-2026), both published as version 1."""
    people = candidates()
    finalists = people[::8][:FINALISTS]
    semifinal = _load(runner, tmp_path / "fusai", "fusai-2026", "2026年度党支部书记党建业务能力大比武", SEMIFINAL,
                      people)
    final = _load(runner, tmp_path / "juesai", "juesai-2026", "2026年度党支部书记党建业务能力大比武决赛", FINAL,
                  finalists)
    return BigRounds(semifinal, final, people, finalists)
