"""The orders lists are read in: pinyin names, the contest file's organisation tree, a round's speaking order."""
import random

import pytest

from app.domain.orders import (
    OrderRefused,
    Placed,
    draw_order,
    parse_speaking_order,
    pinyin_key,
    read_order_csv,
    tree_keys,
)

NAMES = {"zhao": "赵一", "qian": "钱二", "sun": "孙三"}


def test_names_sort_by_pinyin_then_tone_then_characters():
    names = ["张明", "李四", "王五", "阿强", "张敏", "李思", "李斯"]
    assert sorted(names, key=pinyin_key) == ["阿强", "李思", "李斯", "李四", "王五", "张敏", "张明"]


def test_names_that_read_alike_keep_a_fixed_order():
    assert sorted(["张明", "章明"], key=pinyin_key) == sorted(["章明", "张明"], key=pinyin_key)


def test_tree_keys_list_each_group_with_everything_under_it_in_file_order():
    organisations = [Placed(1, None, 1), Placed(2, None, 0), Placed(3, 1, 3), Placed(4, 2, 4), Placed(5, 2, 2),
                     Placed(6, 5, 5)]
    keys = tree_keys(organisations)
    assert sorted(keys, key=keys.get) == [2, 5, 6, 4, 1, 3]


def test_tree_keys_survive_a_parent_outside_the_list_and_a_cycle():
    keys = tree_keys([Placed(1, 99, 3), Placed(2, 3, 1), Placed(3, 2, 0)])
    assert keys[1] == (3,)
    assert set(keys) == {1, 2, 3}


def test_a_full_order_is_read():
    typed = [("zhao", "2"), ("qian", " 3 "), ("sun", "1")]
    assert parse_speaking_order(typed, NAMES) == {"zhao": 2, "qian": 3, "sun": 1}


@pytest.mark.parametrize(("typed", "message"), [
    ([("zhao", "1"), ("qian", "1"), ("sun", "2")], "出场顺序不能重复（第 1 位：赵一、钱二）"),
    ([("zhao", "1"), ("qian", "4"), ("sun", "2")], "钱二的出场顺序应是 1 到 3 之间的整数，而不是“4”"),
    ([("zhao", "1"), ("qian", "0"), ("sun", "2")], "钱二的出场顺序应是 1 到 3 之间的整数，而不是“0”"),
    ([("zhao", "1.5"), ("qian", "3"), ("sun", "2")], "赵一的出场顺序应是 1 到 3 之间的整数，而不是“1.5”"),
    ([("zhao", ""), ("qian", "3"), ("sun", "2")], "请填写赵一的出场顺序（1 到 3）"),
    ([("zhao", "1"), ("qian", "3")], "缺少孙三的出场顺序"),
    ([("zhao", "1"), ("zhao", "3"), ("sun", "2")], "重复列出：赵一"),
    ([("zhao", "1"), ("qian", "3"), ("sun", "2"), ("ghost", "4")], "不是本轮讲党课的考生：ghost"),
])
def test_a_bad_order_is_refused_with_the_reason(typed, message):
    with pytest.raises(OrderRefused) as refused:
        parse_speaking_order(typed, NAMES)
    assert str(refused.value) == message


def test_a_draw_gives_each_entrant_one_number_from_one_to_n():
    drawn = draw_order(list(NAMES), random.Random(7))
    assert sorted(drawn.values()) == [1, 2, 3]
    assert set(drawn) == set(NAMES)
    assert draw_order(list(NAMES), random.Random(7)) == drawn


def test_an_order_sheet_reads_english_or_chinese_headers_and_ignores_other_columns():
    rows = [["\ufeff序号", "账号", "姓名", "出场顺序"], ["1", " zhao ", "赵一", "2"], [], ["2", "qian", "钱二", "1"]]
    assert read_order_csv(rows) == [("zhao", "2"), ("qian", "1")]
    assert read_order_csv([["order", "username"], ["3", "sun"]]) == [("sun", "3")]


@pytest.mark.parametrize("rows", [[], [["username", "score"]], [["姓名", "出场顺序"]]])
def test_an_order_sheet_without_its_columns_is_refused(rows):
    with pytest.raises(OrderRefused, match="表头应有 username,order"):
        read_order_csv(rows)
