"""Contest YAML and its candidates CSV (DESIGN §3.5): every refusal names its file and line."""
import pytest

from app.domain.contests import parse_contest
from plugins.contests import CANDIDATES, CONTEST


def parse(contest: str = CONTEST, candidates: str = CANDIDATES):
    files = {"candidates.csv": candidates}

    def read(name: str) -> str:
        if name not in files:
            raise FileNotFoundError(name)
        return files[name]

    spec, problems = parse_contest(contest, "contest.yaml", read)
    return spec, [str(p) for p in problems]


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_valid_contest():
    spec, problems = parse()
    assert problems == []
    assert [o.code for o in spec.organisations][:3] == ["g1", "g2", "c01"]
    assert len(spec.candidates) == 7 and spec.candidates[0].org == "c01"
    assert [r.slug for r in spec.rounds] == ["preliminary", "semifinal", "final"]
    final = spec.rounds[2].rules
    assert [str(c.weight) for c in final.components] == ["0.4", "0.6"]
    assert spec.rounds[0].skip == ("direct_branch",) and spec.rounds[0].rules.advance_top == 1


@pytest.mark.parametrize("old, new, fragment, message", [
    ("parent: g1}\n  - {id: c02", "parent: g9}\n  - {id: c02", "parent: g9", "上级 g9 不在 organisations 中"),
    ("{name: lecture, weight: 0.5, trim: 1}\n    tie_break", "{name: lecture, weight: 0.6, trim: 1}\n    tie_break",
     "components:\n", "权重之和应为 1，现为 1.1"),
    ("group_by: liaison_group", "group_by: branch", "group_by: branch", "group_by 应为"),
    ("tie_break: [written, lecture]", "tie_break: [written, speech]", "tie_break", "speech 不是本轮的成绩项"),
    ("title: 测试比武\n", "title: 测试比武\nyear: 2026\n", "year", "未知字段 'year'"),
    ("skip: [direct_branch]", "skip: [directs]", "skip:", "directs 不是组织类型"),
])
def test_contest_file_errors_name_their_line(old, new, fragment, message):
    text = CONTEST.replace(old, new, 1)
    spec, problems = parse(text)
    assert spec is None
    hits = [p for p in problems if message in p]
    assert hits, problems
    if fragment != "components:\n":
        assert any(p.startswith(f"contest.yaml:{line_of(text, fragment)}:") for p in hits), hits


def test_grouping_by_a_type_nobody_has_is_refused():
    text = CONTEST.replace("  - {id: d01, name: 档案馆党支部, type: direct_branch, parent: g2}\n", "")
    text = text.replace("skip: [direct_branch]", "skip: []").replace("group_by: committee", "group_by: committee")
    text = text.replace("type: committee, parent: g1}\n  - {id: c02, name: 卫健委机关党委, type: committee",
                        "type: branch, parent: g1}\n  - {id: c02, name: 卫健委机关党委, type: branch")
    text = text.replace("{id: c03, name: 财政局机关党委, type: committee",
                        "{id: c03, name: 财政局机关党委, type: branch")
    _, problems = parse(text, CANDIDATES.replace("zheng,郑七,d01\n", ""))
    assert any("按 committee 分组，但 organisations 中没有这种类型的组织" in p for p in problems), problems


@pytest.mark.parametrize("csv_text, message", [
    (CANDIDATES + "zhao,赵一,c02\n", "candidates.csv:9: 考生 zhao 重复列出（第 2 行已有）"),
    (CANDIDATES + "new,新人,c99\n", "candidates.csv:9: 未知组织 'c99'"),
    (CANDIDATES.replace("username,name,org", "user,name,org"), "candidates.csv:1: 表头应为 username,name,org"),
])
def test_candidate_csv_errors_name_their_line(csv_text, message):
    spec, problems = parse(candidates=csv_text)
    assert spec is None and any(p.startswith(message) for p in problems), problems


def test_missing_candidates_file():
    spec, problems = parse(CONTEST.replace("candidates.csv", "nobody.csv"))
    assert spec is None and any("考生名单 nobody.csv 不存在" in p for p in problems)


def test_bom_and_chinese_names():
    spec, problems = parse(candidates="\ufeff" + CANDIDATES)
    assert problems == [] and spec.candidates[1].name == "钱二"
