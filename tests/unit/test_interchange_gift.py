"""GIFT both ways: the sample banks through GIFT and back, its special characters escaped, files written for Moodle,
and each block that does not map reported at its line."""
import textwrap

from app.domain.banks import BankDefaults, BankSpec, QuestionSpec, read_bank, validate_documents
from app.domain.interchange.gift import escape, parse_gift, write_gift
from app.domain.interchange.shared import read_rubric_line
from app.domain.questions import question_type
from app.domain.sources import read_sources
from app.domain.text import count_blanks
from plugins.banks import BANKS, line_of, without_materials


def sample_banks():
    banks, problems = validate_documents(read_sources([BANKS]).banks)
    assert problems == []
    return [without_materials(bank) for bank in banks]     # a material is left out (test_material.py)


def read(text: str, file: str = "moodle.gift", **options):
    return read_bank(parse_gift(textwrap.dedent(text), file), **options)


def test_the_sample_banks_come_back_from_gift_except_items_of_several_blanks():
    for bank in sample_banks():
        text = write_gift(bank).decode()
        back, problems = read_bank(parse_gift(text, f"{bank.slug}.gift"))
        assert problems == [], bank.slug
        assert (back.slug, back.title, back.category, back.description) == (
            bank.slug, bank.title, bank.category, bank.description)
        several = [q for q in bank.questions if count_blanks(q.stem) > 1]
        assert several, bank.slug
        for question in several:
            blanks = count_blanks(question.stem)
            label = question_type(question.type).label
            assert f"// {question.id}（{label}）：有 {blanks} 个空，GIFT 每题只能有一组答案，未导出" in text
        orderings = [q for q in bank.questions if q.type == "ordering"]
        for question in orderings:
            assert f"// {question.id}（排序题）：GIFT 没有对应的题型，未导出" in text
        kept = [(q.id, q.content()) for q in bank.questions if q not in several and q not in orderings]
        assert [(q.id, q.content()) for q in back.questions] == kept


def test_gift_special_characters_are_escaped_and_read_back():
    assert escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"
    tricky = "比例 1:2 {甲} ~ 乙 = 丙 # 丁 \\ 戊\n\n第二段"
    bank = BankSpec("gift-escapes", "转义", "theory", "escapes.yaml", questions=[
        QuestionSpec("E-1", "single", tricky, options={"A": "=等号", "B": "~波浪#井{括号}:冒号"}, answer="B",
                     explanation="解析 ####", source="出处：{}"),
        QuestionSpec("E-2", "blank", "填 ___ 处：", answer=[["a=b", "c~d", "{e}"]], explanation="x", source="y"),
        QuestionSpec("E-3", "short", "简述 #1。", reference_answer="要点：\n\n- {甲}\n- 乙 = 丙",
                     rubric=[{"point": "答出 {甲}", "score": 2.5}, {"point": "答出乙", "score": 1}],
                     explanation="z", source="w", tags=["标签:一", "括号]"]),
    ])
    text = write_gift(bank).decode()
    assert "::E-1::[markdown]比例 1\\:2 \\{甲\\} \\~ 乙 \\= 丙 \\# 丁 \\\\ 戊\\n\\n第二段{" in text
    back, problems = read_bank(parse_gift(text, "escapes.gift"))
    assert problems == [], [str(p) for p in problems]
    assert [q.content() for q in back.questions] == [q.content() for q in bank.questions]



def test_a_rubric_line_with_a_long_run_of_spaces_is_read_in_linear_time():
    """A GIFT or Moodle rubric line `point（2 分）` was matched as `^(.*?)\\s*（…）$`: 40,000 spaces took 10 s."""
    spaces = " " * 200_000
    assert read_rubric_line(f"答出甲{spaces}（2 分）") == {"point": "答出甲", "score": 2}
    assert read_rubric_line(f"答出甲{spaces}x（2.5分）") == {"point": f"答出甲{spaces}x", "score": 2.5}
    assert read_rubric_line(f"答出甲{spaces}x") is None

MOODLE_EXAMPLES = """\
    // 摘自 Moodle 文档的 GIFT 写法
    ::Q1:: 党的最高领导机关是？{~中央委员会 =全国代表大会 ~政治局}

    党支部是党的基础组织。{TRUE}

    ::缺词:: 党员必须履行 {=义务 =党员义务#对} 。

    三会一课包括哪些？{
      ~%50%支部党员大会
      ~%50%支委会
      ~%-100%茶话会
      ####见条例。
    }

    ::简答:: 简述党支部的基本任务。{}
"""


def test_moodles_gift_examples_read_with_the_banks_options():
    bank, problems = read(MOODLE_EXAMPLES, "dangwu.gift", defaults=BankDefaults(category="party_affairs"))
    where = f"dangwu.gift:{line_of(MOODLE_EXAMPLES, '简述党支部')}: [Q0005]"
    errors = [str(p) for p in problems if not p.warning]
    assert errors == [f"{where} 简答题缺少 reference_answer（参考答案）",
                      f"{where} 简答题缺少 rubric（评分要点列表，如 [{{point: …, score: 2}}]）"]
    bank, problems = read(MOODLE_EXAMPLES, "dangwu.gift", defaults=BankDefaults(category="party_affairs"),
                          partial=True)
    single, judge, blank, multiple = bank.questions
    assert (single.id, single.type, single.answer, single.options["B"]) == ("Q1", "single", "B", "全国代表大会")
    assert (judge.id, judge.answer) == ("Q0002", True)
    assert (blank.stem, blank.answer) == ("党员必须履行 ___ 。", [["义务", "党员义务"]])
    assert (multiple.type, multiple.answer, multiple.explanation) == ("multiple", ["A", "B"], "见条例。")


def test_gift_blocks_that_do_not_map_are_problems_at_their_lines():
    text = textwrap.dedent("""\
        $CATEGORY: $course$/top/政策/政策题库

        ::N1:: 党的二十大召开于哪一年？{#2022}
        // [id:N1] 一个数值题可以导入（计算题），但缺出处只是警告

        ::M1:: 配对。{=党章 -> 根本大法 =准则 -> 根本大法}

        ::D1:: 以下为政策题。

        ::B1:: 花括号未闭合 {=甲

        ::OK:: 对吗？{T}
    """)
    bank, problems = read_bank(parse_gift(text, "policy.gift"))
    assert bank is None
    found = {p.question_id: p for p in problems}
    assert "N1" not in {p.question_id for p in problems if not p.warning}, "numerical reads as a calculation"
    assert found["M1"].line == line_of(text, "M1") and "右项（options）不能少于左项" in found["M1"].message, \
        "a matching reads, and one right item given for two prompts is refused"
    assert found["D1"].line == line_of(text, "D1") and "description（说明文字，不是题目）" in found["D1"].message
    assert found["B1"].line == line_of(text, "B1") and "GIFT 的答案部分应写在一对 { } 中" in found["B1"].message

    bank, problems = read_bank(parse_gift(text, "policy.gift"), BankDefaults(), partial=True)
    assert (bank.slug, bank.title, bank.category) == ("policy", "政策题库", "policy")
    assert [(q.id, q.answer) for q in bank.questions] == [
        ("N1", [{"value": "2022", "unit": "", "tolerance": ""}]), ("OK", True)]
    assert sum(p.message.startswith("未导入：") for p in problems) == 5, "D1, B1, and M1 for each of its 3 errors"


def test_validation_rules_point_at_the_gift_line():
    text = textwrap.dedent("""\
        $CATEGORY: $course$/top/理论/理论题库

        // [id:S1]
        ::S1::[markdown]没有正确选项的单选题？{
          ~甲
          ~乙
        }

        ::S2::
        只有一个选项？
        {=甲 ~}
    """)
    _bank, problems = read_bank(parse_gift(text, "lilun.gift"))
    errors = [(p.question_id, p.line, p.message) for p in problems if not p.warning]
    assert ("S1", line_of(text, "::S1::"), "缺少 answer（答案）") in errors
    assert ("S2", line_of(text, "{=甲 ~}"), "选项 B 为空") in errors
    assert [str(p) for p in problems if p.warning] == [
        f"lilun.gift:{line_of(text, '::S1::')}: [S1] 警告：缺少 explanation（答案解析）",
        f"lilun.gift:{line_of(text, '::S1::')}: [S1] 警告：缺少 source（答案出处）",
        f"lilun.gift:{line_of(text, '::S2::')}: [S2] 警告：缺少 explanation（答案解析）",
        f"lilun.gift:{line_of(text, '::S2::')}: [S2] 警告：缺少 source（答案出处）",
    ]


def test_what_a_gift_download_leaves_out_is_named_by_type():
    from app.banks.formats import FORMATS, left_out, omitted
    party_affairs = next(bank for bank in sample_banks() if bank.slug == "party-affairs")
    orderings = [q.id for q in party_affairs.questions if q.type == "ordering"]
    named = left_out(party_affairs, FORMATS["gift"])
    why = "gift 格式不支持该题型，未导出（YAML 导出保留全部题目）"
    assert orderings and all(f"party-affairs/{ref}（排序题）：{why}" in named for ref in orderings)
    counts = {"single": 3, "ordering": 2, "material": 1}
    assert omitted(counts, FORMATS["gift"]) == "排序题 2 道、材料分析题 1 道"
    assert omitted(counts, FORMATS["xlsx"]) == "材料分析题 1 道"
    assert omitted(counts, FORMATS["yaml"]) == ""
