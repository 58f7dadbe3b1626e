"""The projector's screens: groups cut into parts that fit, awards on screens of their own."""
import pytest

from app.domain.screens import Block, paginate, split


def shape(screens):
    """Each screen as (key, start, stop, number, parts) of its parts."""
    return [[(p.block.key, p.start, p.stop, p.number, p.parts) for p in screen] for screen in screens]


def test_a_group_that_fits_is_one_part_with_its_heading_and_header_row():
    (part,) = split(Block("一组", 13), 15)
    assert (part.start, part.stop, part.number, part.parts, part.continued, part.lines) == (0, 13, 1, 1, False, 15)


def test_a_long_group_is_cut_into_nearly_equal_parts_each_within_the_screen():
    parts = split(Block("一组", 17), 15)
    assert [(p.start, p.stop, p.number, p.parts) for p in parts] == [(0, 9, 1, 2), (9, 17, 2, 2)]
    assert [p.continued for p in parts] == [False, True] and max(p.lines for p in parts) <= 15
    assert [(p.start, p.stop) for p in split(Block("一组", 40), 15)] == [(0, 10), (10, 20), (20, 30), (30, 40)]


def test_an_untitled_block_gives_its_heading_line_to_a_row():
    assert [(p.start, p.stop) for p in split(Block("全体", 14, titled=False), 15)] == [(0, 14)]
    assert len(split(Block("全体", 14), 15)) == 2


def test_an_empty_block_shows_nothing_and_a_screen_must_hold_a_row():
    assert split(Block("空", 0), 15) == []
    with pytest.raises(ValueError, match="holds no row"):
        split(Block("一组", 3), 2)


def test_small_groups_share_a_screen_and_a_long_one_starts_its_own():
    screens = paginate([Block("甲", 4), Block("乙", 5), Block("丙", 17), Block("丁", 2), Block("戊", 9)], 15)
    assert shape(screens) == [
        [("甲", 0, 4, 1, 1), ("乙", 0, 5, 1, 1)],          # 6 + 7 lines
        [("丙", 0, 9, 1, 2)],
        [("丙", 9, 17, 2, 2), ("丁", 0, 2, 1, 1)],          # the tail of 丙 (10 lines) has room for 丁 (4)
        [("戊", 0, 9, 1, 1)],
    ]
    assert all(sum(p.lines for p in screen) <= 15 for screen in screens)


def test_awards_never_share_a_screen_with_the_groups_but_may_share_one_with_each_other():
    screens = paginate([Block("全体", 3, titled=False), Block("获奖名单", 3, alone=True),
                        Block("十佳党课", 2, alone=True)], 15)
    assert shape(screens) == [[("全体", 0, 3, 1, 1)], [("获奖名单", 0, 3, 1, 1), ("十佳党课", 0, 2, 1, 1)]]
    ten = paginate([Block("全体", 10, titled=False), Block("获奖名单", 10, alone=True),
                    Block("十佳党课", 10, alone=True)], 15)
    assert shape(ten) == [[("全体", 0, 10, 1, 1)], [("获奖名单", 0, 10, 1, 1)], [("十佳党课", 0, 10, 1, 1)]]


def test_every_row_is_on_exactly_one_screen():
    blocks = [Block(f"组{n}", rows) for n, rows in enumerate((18, 17, 16, 16, 15, 1, 0, 30))]
    screens = paginate(blocks, 15)
    for block in blocks:
        shown = [row for screen in screens for p in screen if p.block is block for row in range(p.start, p.stop)]
        assert shown == list(range(block.rows))
    assert all(sum(p.lines for p in screen) <= 15 for screen in screens)
