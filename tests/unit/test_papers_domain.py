"""Blueprints and drawing (DESIGN §3.2) as pure functions: parsing, filters, shortfalls, reproducibility."""
import textwrap

import pytest

from app.domain.papers import (
    Pick,
    Pool,
    PoolQuestion,
    arrange,
    blueprint_from_spec,
    draw,
    parse_blueprint,
    shown_to_original,
    undrawable,
    validate_blueprint_texts,
)

BLUEPRINT = textwrap.dedent("""\
    paper: semifinal-2022
    title: 2022年度复赛笔试
    duration: 60
    draw: per_session
    shuffle: {questions: true, options: true}
    multiple_scoring: half
    sections:
      - title: 一、单项选择题
        type: single
        points: 1
        pick:
          - {bank: theory, count: 3}
          - {bank: party-affairs, count: 2, tags: [支部工作条例], difficulty: [2, 4]}
      - title: 二、多项选择题
        type: multiple
        points: 2
        pick:
          - {bank: policy, count: 2}
          - {ids: [party-affairs/PA-0007]}
    """)


def pool() -> list[PoolQuestion]:
    questions = [PoolQuestion(f"theory/T{n}", "theory", "single", 3) for n in range(5)]
    questions += [PoolQuestion(f"party-affairs/S{n}", "party-affairs", "single", n % 5 + 1,
                               frozenset({"支部工作条例"} if n % 2 else {"党费"})) for n in range(10)]
    questions += [PoolQuestion(f"policy/M{n}", "policy", "multiple", 2) for n in range(3)]
    questions += [PoolQuestion("party-affairs/PA-0007", "party-affairs", "multiple", 3)]
    return questions


def parsed(text: str = BLUEPRINT):
    blueprint, problems = parse_blueprint(text, "paper.yaml")
    assert blueprint is not None, [str(p) for p in problems]
    return blueprint


def refs(result) -> list[list[str]]:
    return [[q.ref for q in section.questions] for section in result.sections]


def test_draw_fills_every_pick_with_filters_combined():
    result = draw(parsed(), pool(), seed=7)
    assert result.ok
    singles, multiples = refs(result)
    assert len(singles) == 5 and sum(r.startswith("theory/") for r in singles) == 3
    picked_pa = [q for q in result.sections[0].questions if q.bank == "party-affairs"]
    assert all("支部工作条例" in q.tags and 2 <= q.difficulty <= 4 for q in picked_pa)
    assert multiples[0] == "party-affairs/PA-0007" and len(multiples) == 3


def test_same_seed_same_paper_and_no_question_twice():
    first, again = draw(parsed(), pool(), seed=11), draw(parsed(), pool(), seed=11)
    assert refs(first) == refs(again)
    flat = [r for section in refs(first) for r in section]
    assert len(flat) == len(set(flat))
    assert any(refs(draw(parsed(), pool(), seed=s)) != refs(first) for s in range(20))


def test_the_indexed_draw_draws_what_the_scanning_draw_drew():
    """Issue 13: drawing from an indexed Pool keeps every paper as it was for its seed (a per_session paper already
    drawn, a printed variant's seed). The refs below were drawn by the draw that scanned the pool per pick."""
    questions = [PoolQuestion(f"b{n % 3}/Q{n:04d}", f"b{n % 3}", ("single", "multiple", "judge")[n % 7 % 3],
                              n % 5 + 1, frozenset({f"t{n % 4}", f"t{n % 6}"})) for n in range(600)]
    text = (BLUEPRINT.replace("theory", "b0").replace("policy", "b2")
            .replace("party-affairs, count: 2, tags: [支部工作条例]", "b1, count: 4, tags: [t1, t5]")
            .replace("{ids: [party-affairs/PA-0007]}", "{bank: b0, count: 3, difficulty: 2}"))
    drawn = {
        7: [["b0/Q0510", "b0/Q0045", "b0/Q0444", "b1/Q0451", "b1/Q0013", "b1/Q0031", "b1/Q0391"],
            ["b2/Q0071", "b2/Q0242", "b0/Q0291", "b0/Q0141", "b0/Q0351"]],
        11: [["b0/Q0447", "b0/Q0420", "b0/Q0552", "b1/Q0307", "b1/Q0367", "b1/Q0427", "b1/Q0133"],
             ["b2/Q0116", "b2/Q0536", "b0/Q0396", "b0/Q0456", "b0/Q0561"]],
    }
    indexed = Pool(reversed(questions))     # the order a pool is read in does not matter
    for seed, expected in drawn.items():
        assert refs(draw(parsed(text), questions, seed)) == refs(draw(parsed(text), indexed, seed)) == expected


def test_a_pool_finds_a_picks_questions_in_ref_order():
    index = Pool(reversed(pool()))
    narrow = Pick(line=1, bank="party-affairs", count=1, tags=("支部工作条例",), difficulty=(2, 4))
    assert [q.ref for q in index.matching(narrow, "single")] == [
        "party-affairs/S1", "party-affairs/S3", "party-affairs/S7"]
    assert [q.ref for q in index.matching(Pick(line=1, bank="theory", count=1), "single")] == [
        f"theory/T{n}" for n in range(5)]
    assert index.matching(Pick(line=1, bank="theory", count=1), "multiple") == []
    assert len(index) == len(pool()) and index.by_ref["policy/M1"].type == "multiple"


def test_shortfall_names_section_filter_and_pool():
    text = BLUEPRINT.replace("{bank: policy, count: 2}", "{bank: policy, count: 5, difficulty: [2, 4]}")
    result = draw(parsed(text), pool(), seed=1)
    assert [str(s) for s in result.shortfalls] == [
        "二、多项选择题: needs 5 multiple from policy, difficulty 2–4; pool has 3"]


def test_fixed_question_twice_unknown_or_wrong_type():
    text = BLUEPRINT.replace("{ids: [party-affairs/PA-0007]}",
                             "{ids: [party-affairs/PA-0007, party-affairs/PA-0007, theory/T1, policy/NOPE]}")
    messages = [str(s) for s in draw(parsed(text), pool(), seed=1).shortfalls]
    assert "二、多项选择题: party-affairs/PA-0007 is picked twice" in messages
    assert "二、多项选择题: theory/T1 is single, the section is multiple" in messages
    assert "二、多项选择题: policy/NOPE is not in the pool (unknown or retired)" in messages


def test_narrow_picks_are_served_before_broad_ones():
    questions = [PoolQuestion("b/A", "b", "single", 1, frozenset({"x"})), PoolQuestion("b/B", "b", "single", 1)]
    text = textwrap.dedent("""\
        paper: p
        title: t
        duration: 10
        sections:
          - title: 一
            type: single
            points: 1
            pick:
              - {bank: b, count: 1}
              - {bank: b, count: 1, tags: [x]}
        """)
    for seed in range(10):
        assert draw(parsed(text), questions, seed).ok


def test_spec_round_trips():
    blueprint = parsed()
    assert blueprint_from_spec(blueprint.spec()).spec() == blueprint.spec()
    assert blueprint.total_points == 11


@pytest.mark.parametrize("old, new, message", [
    ("duration: 60", "duration: sixty", "duration 应为 1 到 600 的整数"),
    ("draw: per_session", "draw: sometimes", "draw 应为 per_session | per_attempt 之一"),
    ("multiple_scoring: half", "multiple_scoring: generous", "multiple_scoring 应为 strict | half | proportional"),
    ("    type: single\n", "    type: essay\n", "大题的 type 应为"),
    ("    points: 1\n", "    points: -1\n", "points 应为正数"),
    ("{bank: theory, count: 3}", "{bank: theory, count: 0}", "count 应为正整数"),
    ("{bank: theory, count: 3}", "{bank: theory, cout: 3}", "未知字段 'cout'"),
    ("difficulty: [2, 4]", "difficulty: [4, 2]", "difficulty 应为 1..5 的一个数或区间"),
    ("{ids: [party-affairs/PA-0007]}", "{ids: [PA-0007]}", "ids 应是 题库/编号 的列表"),
    ("title: 2022年度复赛笔试\n", "title: 2022年度复赛笔试\ntimer: 5\n", "未知字段 'timer'"),
])
def test_blueprint_rules_name_their_line(old, new, message):
    text = BLUEPRINT.replace(old, new, 1)
    blueprint, problems = parse_blueprint(text, "paper.yaml")
    assert blueprint is None
    hits = [str(p) for p in problems if message in p.message]
    assert hits, [str(p) for p in problems]
    fragment = new.strip().splitlines()[-1]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if fragment in row)
    assert any(h.startswith(f"paper.yaml:{line}:") for h in hits), (line, hits)


def test_validation_reports_shortfalls_with_paper_id_and_line():
    text = BLUEPRINT.replace("{bank: theory, count: 3}", "{bank: theory, count: 9}")
    blueprints, problems = validate_blueprint_texts([("paper.yaml", text)], pool())
    assert blueprints == []
    assert [str(p) for p in problems] == [
        "paper.yaml:12: [semifinal-2022] 一、单项选择题: needs 9 single from theory; pool has 5"]


def test_arrange_is_reproducible_and_maps_letters_back():
    sizes, letters = [3, 2], [("A", "B", "C", "D")] * 3 + [("A", "B", "C")] * 2
    first = arrange(sizes, letters, seed=5, shuffle_questions=True, shuffle_options=True)
    assert first == arrange(sizes, letters, seed=5, shuffle_questions=True, shuffle_options=True)
    assert [item.key for section in first for item in section] == ["1", "2", "3", "4", "5"]
    assert sorted(item.index for item in first[0]) == [0, 1, 2] and sorted(i.index for i in first[1]) == [3, 4]
    item = first[0][0]
    assert sorted(item.option_order) == ["A", "B", "C", "D"]
    assert shown_to_original(item.option_order, "A") == item.option_order[0]
    plain = arrange(sizes, letters, seed=5, shuffle_questions=False, shuffle_options=False)
    assert [i.index for s in plain for i in s] == [0, 1, 2, 3, 4] and plain[0][0].option_order == ("A", "B", "C", "D")
    orders = {tuple(i.index for i in arrange(sizes, letters, s, True, True)[0]) for s in range(30)}
    assert len(orders) > 1


def test_declared_total_must_be_what_the_sections_add_up_to():
    assert parsed(BLUEPRINT.replace("duration: 60\n", "duration: 60\ntotal: 11\n")).total_points == 11
    text = BLUEPRINT.replace("duration: 60\n", "duration: 60\ntotal: 100\n")
    blueprint, problems = parse_blueprint(text, "paper.yaml")
    assert blueprint is None
    assert [str(p) for p in problems] == ["paper.yaml:4: total: 100，但各大题合计 1×5 + 2×3 = 11 分"]


def test_total_must_be_a_positive_number():
    blueprint, problems = parse_blueprint(BLUEPRINT.replace("duration: 60\n", "duration: 60\ntotal: 一百\n"),
                                          "paper.yaml")
    assert blueprint is None and [p.line for p in problems] == [4]
    assert "total 应为正数" in problems[0].message


SHORT_PAPER = textwrap.dedent("""\
    paper: essays
    title: 简答
    duration: 30
    sections:
      - title: 一、简答题
        type: short
        points: 15
        pick:
          - {bank: theory, count: 1}
    """)


def test_a_short_section_worth_other_than_its_items_rubrics_is_a_warning_naming_them():
    shorts = [PoolQuestion("theory/S1", "theory", "short", 3, rubric_total=10),
              PoolQuestion("theory/S2", "theory", "short", 3, rubric_total=15),
              PoolQuestion("theory/S3", "theory", "short", 3, rubric_total=8)]
    blueprints, problems = validate_blueprint_texts([("paper.yaml", SHORT_PAPER)], shorts)
    assert [b.slug for b in blueprints] == ["essays"]
    assert [str(p) for p in problems] == [
        ("paper.yaml:5: [essays] 警告：一、简答题: 每题 15 分，"
         "而这些简答题的评分要点合计不是 15 分：theory/S1、theory/S3")]
    matching = [PoolQuestion("theory/S2", "theory", "short", 3, rubric_total=15)]
    assert validate_blueprint_texts([("paper.yaml", SHORT_PAPER)], matching)[1] == []


FAMILY_PAPER = textwrap.dedent("""\
    paper: families
    title: 题组
    duration: 30
    sections:
      - title: 一、单项选择题
        type: single
        points: 1
        pick:
          - {bank: b, count: 2}
      - title: 二、判断题
        type: judge
        points: 1
        pick:
          - {bank: b, count: 2}
    """)


def test_a_draw_never_puts_two_of_a_family_on_one_paper():
    questions = [PoolQuestion(f"b/S{n}", "b", "single", 3, family="f" if n < 3 else "") for n in range(5)]
    questions += [PoolQuestion(f"b/J{n}", "b", "judge", 3, family="f" if n < 2 else "") for n in range(4)]
    questions += [PoolQuestion("other/J9", "other", "judge", 3, family="f")]
    taken = set()
    for seed in range(200):
        result = draw(parsed(FAMILY_PAPER), questions, seed)
        assert result.ok
        drawn = [q for section in result.sections for q in section.questions]
        assert sum(q.family == "f" for q in drawn) <= 1
        assert result.sections == draw(parsed(FAMILY_PAPER), questions, seed).sections
        taken.update(q.ref for q in drawn)
    assert taken == {q.ref for q in questions if q.bank == "b"}


def test_a_family_is_one_bank_s_and_a_short_pool_says_so():
    questions = [PoolQuestion(f"b/S{n}", "b", "single", 3, family="f") for n in range(3)]
    questions += [PoolQuestion(f"b/J{n}", "b", "judge", 3) for n in range(2)]
    result = draw(parsed(FAMILY_PAPER), questions, seed=1)
    assert [str(s) for s in result.shortfalls] == [
        "一、单项选择题: needs 2 single from b; pool has 3 (1 once each family is taken at most once)"]


def test_pools_without_families_draw_what_they_always_drew():
    # Drawn by the draw as it was before families, from the same seed.
    assert refs(draw(parsed(), pool(), seed=7)) == [
        ["theory/T0", "theory/T4", "theory/T1", "party-affairs/S3", "party-affairs/S1"],
        ["party-affairs/PA-0007", "policy/M1", "policy/M0"]]


def test_undrawable_names_by_bank_what_no_pick_of_any_blueprint_can_draw():
    left = undrawable([parsed()], pool())
    assert left == {"party-affairs": [f"party-affairs/S{n}" for n in (0, 2, 4, 5, 6, 8, 9)]}
    broad = BLUEPRINT.replace(", tags: [支部工作条例], difficulty: [2, 4]", "")
    assert undrawable([parsed(), parsed(broad)], pool()) == {}
