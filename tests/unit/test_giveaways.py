"""Two items stating the same fact in two types (issue 14 §3), in one bank without a family or in two banks: a warning
naming both."""
import textwrap
from itertools import combinations

import pytest

from app.domain import giveaways
from app.domain.banks import SAME_FACT_KIND, validate_documents, validate_texts
from app.domain.giveaways import Stated, same_facts
from app.domain.problems import summarised
from app.domain.questions import question_type
from app.domain.sources import read_sources
from plugins.banks import BANKS, line_of

HEADER = "bank: policy\ntitle: 政策\ncategory: policy\nquestions:\n"
ITEMS = {
    "single": """\
        - id: PO-0001
          type: single
          stem: 党的二十大报告指出，（ ）是全面建设社会主义现代化国家的首要任务。
          options: {A: 高质量发展, B: 人民民主, C: 科技自立自强, D: 共同富裕}
          answer: A
        """,
    "judge": """\
        - id: PO-0002
          type: judge
          stem: 高质量发展是全面建设社会主义现代化国家的首要任务。
          answer: true
        """,
    "single again": """\
        - id: PO-0003
          type: single
          stem: 全面建设社会主义现代化国家的首要任务是（ ）。
          options: {A: 高质量发展, B: 人民民主, C: 乡村振兴, D: 共同富裕}
          answer: A
        """,
    "blank": """\
        - id: PO-0004
          type: blank
          stem: 党的二十大报告指出，尊重自然、顺应自然、保护自然，是全面建设社会主义现代化国家的___。
          answer: 内在要求
        """,
    "judge on the article": """\
        - id: PO-0005
          type: judge
          stem: 党的二十大报告指出，人民民主是社会主义的生命，是全面建设社会主义现代化国家的应有之义。
          answer: true
        """,
    "multiple on the article": """\
        - id: PO-0006
          type: multiple
          stem: 党的二十大报告指出，全面建设社会主义现代化国家，必须牢牢把握的重大原则有（ ）。
          options:
            A: 坚持和加强党的全面领导
            B: 坚持中国特色社会主义道路
            C: 坚持以人民为中心的发展思想
            D: 坚持深化改革开放
          answer: [A, B, C]
        """,
    "judge on an option": """\
        - id: PO-0007
          type: judge
          stem: 全面建设社会主义现代化国家，必须坚持以人民为中心的发展思想。
          answer: true
        """,
}
ARTICLE = ["blank", "judge on the article", "multiple on the article"]


def bank(*names: str, family: dict[str, str] | None = None) -> str:
    items = []
    for name in names:
        item = textwrap.dedent(ITEMS[name])
        if name in (family or {}):
            item += f"  family: {family[name]}\n"
        items.append(textwrap.indent(item + "  explanation: 见报告。\n  source: 党的二十大报告\n", "  "))
    return HEADER + "".join(items)


def warnings(text: str) -> list[str]:
    banks, problems = validate_texts([("policy.yaml", text)])
    assert len(banks) == 1
    return [str(problem) for problem in problems]


def said(text: str, later: str, earlier: str, label: str) -> str:
    return (f"policy.yaml:{line_of(text, f'id: {later}')}: [{later}] 警告：与 {earlier}（{label}）陈述同一事实，"
            f"同在一卷会互相提示答案：请给两题同一个 family，或改写其中一题")


def test_a_judge_stating_what_a_single_asks_is_a_warning_at_the_later_naming_the_earlier():
    text = bank("single", "judge", *ARTICLE)
    assert warnings(text) == [said(text, "PO-0002", "PO-0001", "单选题")]


def test_a_judge_stating_a_right_option_of_a_multiple_is_a_warning():
    text = bank("multiple on the article", "judge on an option", "single", "blank")
    assert warnings(text) == [said(text, "PO-0007", "PO-0006", "多选题")]


def test_one_family_keeps_the_pair_off_one_paper_and_quiet():
    assert warnings(bank("single", "judge", *ARTICLE, family={"single": "二十大-首要任务",
                                                            "judge": "二十大-首要任务"})) == []


def test_two_families_do_not():
    text = bank("single", "judge", *ARTICLE, family={"single": "首要任务", "judge": "首要任务判断"})
    assert warnings(text) == [said(text, "PO-0002", "PO-0001", "单选题")]


def test_a_pair_across_two_banks_is_a_warning_too_and_no_family_settles_it():
    """A paper's sections draw from several banks, and a family spans one bank: the pair is to be reworded."""
    policy = bank("single", *ARTICLE, family={"single": "首要任务"})
    theory = (bank("judge", family={"judge": "首要任务"}).replace("bank: policy", "bank: theory")
              .replace("category: policy", "category: theory").replace("PO-", "TH-"))
    banks, problems = validate_texts([("policy.yaml", policy), ("theory.yaml", theory)])
    assert len(banks) == 2
    said_across = (f"theory.yaml:{line_of(theory, 'id: TH-0002')}: [TH-0002] 警告：与题库 policy 的 PO-0001（单选题）"
                   f"陈述同一事实，同在一卷会互相提示答案：family 只在一个题库之内，请改写其中一题")
    assert [str(p) for p in problems] == [said_across]


def test_two_items_of_one_type_stating_one_fact_are_left_to_whoever_reviews_that_type():
    assert warnings(bank("single", "single again", *ARTICLE)) == []


def test_items_merely_from_one_article_are_not_the_same_fact():
    assert warnings(bank(*ARTICLE, "single")) == []


def test_many_such_warnings_print_as_one_line_with_their_count():
    pair = bank("single", "judge").removeprefix(HEADER)
    text = HEADER + "".join(pair.replace("PO-000", f"PO-{n}").replace("任务。", f"任务（其{n}）。") for n in range(5))
    _, problems = validate_texts([("policy.yaml", text)])
    # Every copy of the single pairs with every copy of the judge.
    assert len(problems) == 25 and {p.kind for p in problems} == {SAME_FACT_KIND}
    [line] = summarised(problems)
    assert line.startswith(f"警告 ×25：{SAME_FACT_KIND}（如 policy.yaml:")


@pytest.mark.parametrize("kind, stem, options, key, fact", [
    ("single", "（ ）是首要任务。", {"A": "高质量发展", "B": "共同富裕"}, "B", "共同富裕是首要任务。"),
    ("single", "下列说法正确的是：", {"A": "甲", "B": "乙"}, "A", "下列说法正确的是：甲"),
    ("multiple", "属于的有（　）。", {"A": "甲", "B": "乙", "C": "丙"}, ["A", "C"], "属于的有甲、丙。"),
    ("judge", "党员必须履行义务。", {}, False, "党员必须履行义务。"),
    ("blank", "党员必须履行___，遵守___。", {}, [["义务", "党员义务"], ["纪律"]], "党员必须履行义务，遵守纪律。"),
    ("short", "简述党支部的基本任务。", {}, None, ""),
])
def test_the_fact_an_item_states_is_its_stem_with_its_key_filled_in(kind, stem, options, key, fact):
    assert question_type(kind).stated_fact(stem, options, key) == fact


def test_the_index_misses_no_pair_that_comparing_every_pair_finds(monkeypatch):
    """Prefix filtering is exact: at a threshold low enough to pair many items of the sample banks, it finds what
    comparing every pair with the same weights finds."""
    monkeypatch.setattr(giveaways, "SAME_FACT", 0.35)
    banks, _ = validate_documents(read_sources([BANKS]).banks)
    items = [Stated(question_type(q.type).stated_fact(q.stem, q.options, q.answer), q.type, q.family)
             for bank in banks for q in bank.questions]
    grams = [giveaways._bigrams(item.fact) for item in items]
    weight = giveaways._weights(grams)
    total = [sum(weight[g] for g in held) for held in grams]
    every = [(i, j) for i, j in combinations(range(len(items)), 2)
             if items[i].type != items[j].type and grams[i] and grams[j]
             and not (items[i].family and items[i].family == items[j].family)
             and sum(weight[g] for g in grams[i] & grams[j]) >= 0.35 * min(total[i], total[j])]
    assert len(every) > 50 and same_facts(items) == every
