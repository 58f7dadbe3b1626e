"""A round's rules read from the document it stores, the group a candidate ranks in, what the pages say about
trimmed means, and the written share an exam gives (app/domain/standings.py)."""
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.domain.contests import parse_contest
from app.domain.standings import (
    ALL_GROUPS,
    EVERYONE,
    UNGROUPED,
    Award,
    Combined,
    Component,
    Group,
    RoundRules,
    Special,
    add_exam_shares,
    exam_shares,
    group_of,
)
from plugins.contests import CANDIDATES, CONTEST

# A final's rules exactly as a round stores them (and a published version freezes them), key order included.
FINAL = {
    "components": [{"name": "written", "weight": "0.4", "trim": 1}, {"name": "lecture", "weight": "0.6", "trim": 2}],
    "tie_break": ["lecture", "written"], "advance_top": None, "skip": [],
    "awards": [{"title": "一等奖", "top": 2}, {"title": "二等奖", "top": 3}],
    "specials": [{"title": "十佳党课", "component": "lecture", "top": 10}],
}
PRELIMINARY = {
    "components": [{"name": "written", "weight": "0.50", "trim": 0}, {"name": "lecture", "weight": "0.50", "trim": 1}],
    "tie_break": [], "advance_top": 3, "skip": ["direct_branch", "branch"], "awards": [], "specials": [],
}


def test_every_field_is_read_from_the_document():
    rules = RoundRules.from_document(FINAL)
    assert rules == RoundRules(
        components=(Component("written", Decimal("0.4"), 1), Component("lecture", Decimal("0.6"), 2)),
        tie_break=("lecture", "written"), advance_top=None,
        awards=(Award("一等奖", 2), Award("二等奖", 3)), specials=(Special("十佳党课", "lecture", 10),), skip=())
    preliminary = RoundRules.from_document(PRELIMINARY)
    assert (preliminary.advance_top, preliminary.skip, preliminary.tie_break) == (3, ("direct_branch", "branch"), ())
    assert [(c.weight, c.trim) for c in preliminary.components] == [(Decimal("0.50"), 0), (Decimal("0.50"), 1)]


@pytest.mark.parametrize("document", [FINAL, PRELIMINARY])
def test_the_document_comes_back_byte_for_byte(document):
    """Published versions freeze the rules as this document: reading and writing it must change nothing."""
    again = RoundRules.from_document(document).document()
    assert json.dumps(again, ensure_ascii=False) == json.dumps(document, ensure_ascii=False)


def test_a_contest_files_rounds_are_stored_as_they_always_were():
    spec, problems = parse_contest(CONTEST, "contest.yaml", lambda _: CANDIDATES)
    assert problems == []
    half = [{"name": "written", "weight": "0.5", "trim": 1}, {"name": "lecture", "weight": "0.5", "trim": 1}]
    assert [r.rules.document() for r in spec.rounds] == [
        {"components": half, "tie_break": ["written", "lecture"], "advance_top": 1, "skip": ["direct_branch"],
         "awards": [], "specials": []},
        {"components": half, "tie_break": [], "advance_top": 1, "skip": [], "awards": [], "specials": []},
        {"components": [{"name": "written", "weight": "0.4", "trim": 1},
                        {"name": "lecture", "weight": "0.6", "trim": 1}],
         "tie_break": [], "advance_top": None, "skip": [],
         "awards": [{"title": "一等奖", "top": 1}, {"title": "二等奖", "top": 1}],
         "specials": [{"title": "十佳党课", "component": "lecture", "top": 2}]},
    ]


def test_what_the_rules_answer():
    final, preliminary = RoundRules.from_document(FINAL), RoundRules.from_document(PRELIMINARY)
    assert final.names == ["written", "lecture"]
    assert [c.name for c in final.judged] == ["lecture"]
    assert final.component("lecture").trim == 2
    assert (final.advancing, preliminary.advancing) == (False, True)


@dataclass
class Organisation:
    code: str
    name: str
    type: str
    parent: "Organisation | None" = None


GROUP = Organisation("g1", "第一片组", "liaison_group")
COMMITTEE = Organisation("c01", "甲党委", "committee", GROUP)
BRANCH = Organisation("b01", "甲党委第一支部", "branch", COMMITTEE)
DIRECT = Organisation("d01", "直属支部", "direct_branch", GROUP)


@pytest.mark.parametrize("organisation, group_by, group", [
    (BRANCH, "committee", Group("c01", "甲党委")),
    (COMMITTEE, "committee", Group("c01", "甲党委")),
    (BRANCH, "liaison_group", Group("g1", "第一片组")),
    (DIRECT, "committee", Group(ALL_GROUPS, UNGROUPED)),
    (None, "committee", Group(ALL_GROUPS, UNGROUPED)),
    (BRANCH, "all", Group(ALL_GROUPS, EVERYONE)),
    (None, "all", Group(ALL_GROUPS, EVERYONE)),
])
def test_the_group_a_candidate_ranks_in(organisation, group_by, group):
    assert group_of(organisation, group_by) == group


def test_which_judges_score_a_group():
    committee = Group("c01", "甲党委")
    assert committee.scored_by({"c01"}) and committee.scored_by({ALL_GROUPS}) and committee.scored_by({"c02", "c01"})
    assert not committee.scored_by({"c02"}) and not committee.scored_by(set())
    assert not Group(ALL_GROUPS, UNGROUPED).scored_by({"c01"})


def test_who_enters_the_next_round_directly():
    rules = RoundRules.from_document(PRELIMINARY)
    assert rules.enters_directly(DIRECT) and rules.enters_directly(BRANCH)
    assert not rules.enters_directly(COMMITTEE) and not rules.enters_directly(None)
    assert not RoundRules.from_document(FINAL).enters_directly(DIRECT)


def test_what_the_pages_say_about_trimmed_means():
    lecture = Component("lecture", Decimal("0.5"), trim=1)
    assert lecture.trim_note == "评委满 5 人时去掉 1 个最高分和 1 个最低分后取平均，不足时取平均"
    assert Component("lecture", Decimal("0.5"), trim=2).trim_note == \
        "评委满 7 人时去掉 2 个最高分和 2 个最低分后取平均，不足时取平均"
    assert Component("lecture", Decimal("0.5"), trim=0).trim_note == "各评委评分取平均"
    assert lecture.trim_brief == "评委满 5 人去掉最高最低各 1"
    assert lecture.judged and not Component("written", Decimal("0.5")).judged


@pytest.mark.parametrize("trim, combined, note", [
    (1, Combined(Decimal("84.00"), 5, 1), "5 位评委，去掉最高最低各 1"),
    (1, Combined(Decimal("91.00"), 3, 0), "3 位评委，不足 5 人取平均"),
    (2, Combined(Decimal("91.00"), 6, 0), "6 位评委，不足 7 人取平均"),
    (0, Combined(Decimal("91.00"), 6, 0), "6 位评委，取平均"),
    (1, Combined(Decimal("91.00"), 1, 0), ""),
    (1, None, ""),
])
def test_how_one_candidates_score_was_reached(trim, combined, note):
    assert Component("lecture", Decimal("0.5"), trim=trim).note(combined) == note


def test_an_exam_gives_the_best_share_of_its_paper():
    shares = exam_shares([(1, 36.5, 80), (1, 60, 80), (2, 80, 80), (3, 10, 0), (4, 0, 80)])
    assert shares == {1: Decimal("75.00"), 2: Decimal("100.00"), 4: Decimal("0.00")}
    assert exam_shares([(5, 36.5, 80)]) == {5: Decimal("45.63")}     # rounded half up, once


def test_an_entered_written_score_takes_precedence_over_the_exam():
    entered, exam = [Decimal(50)], Decimal(90)
    scores = {1: {"written": entered}, 2: {"lecture": [Decimal(80)]}}
    add_exam_shares(scores, {1: exam, 2: Decimal(70), 3: Decimal(60)})
    assert scores[1] == {"written": entered}
    assert scores[2] == {"lecture": [Decimal(80)], "written": [Decimal(70)]} and scores[3] == {"written": [Decimal(60)]}
