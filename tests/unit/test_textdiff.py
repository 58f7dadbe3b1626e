"""Word-level differences between revisions: Chinese character by character, other scripts word by word, and each
content field written the way an organiser reads it."""
from app.domain.banks import field_changes
from app.domain.textdiff import ADDED, REMOVED, SAME, Segment, word_diff


def test_chinese_is_compared_character_by_character():
    assert word_diff("党的最高理想是实现共产主义", "党的最高理想和最终目标是实现共产主义。") == [
        Segment(SAME, "党的最高理想"), Segment(ADDED, "和最终目标"), Segment(SAME, "是实现共产主义"),
        Segment(ADDED, "。")]


def test_latin_words_and_numbers_change_whole():
    assert word_diff("rate 0.5% of income", "rate 1.5% of income") == [
        Segment(SAME, "rate "), Segment(REMOVED, "0.5%"), Segment(ADDED, "1.5%"), Segment(SAME, " of income")]


def test_equal_and_empty_texts():
    assert word_diff("相同", "相同") == [Segment(SAME, "相同")]
    assert word_diff("", "") == []
    assert word_diff("", "新") == [Segment(ADDED, "新")]


def test_field_changes_name_each_changed_field_in_the_organisers_words():
    old = {"type": "single", "stem": "题干", "options": {"A": "甲", "B": "乙"}, "answer": "A", "tags": ["党章"],
           "explanation": "", "difficulty": 3}
    new = {**old, "options": {"A": "甲", "B": "丙"}, "answer": "B", "tags": ["党章", "总纲"], "difficulty": 4}
    changes = {change.label: change.segments for change in field_changes(old, new)}
    assert list(changes) == ["选项", "答案", "难度", "标签"]
    assert changes["选项"] == [Segment(SAME, "A. 甲\nB. "), Segment(REMOVED, "乙"), Segment(ADDED, "丙")]
    assert changes["答案"] == [Segment(REMOVED, "A"), Segment(ADDED, "B")]
    assert changes["标签"] == [Segment(SAME, "党章"), Segment(ADDED, "、总纲")]


def test_a_type_change_reads_as_labels_and_each_key_in_its_own_type():
    old = {"type": "judge", "stem": "预备期为一年。", "answer": True}
    new = {"type": "single", "stem": "预备期为（ ）。", "options": {"A": "一年", "B": "两年"}, "answer": "A"}
    changes = {change.label: "".join(s.text for s in change.segments if s.op != REMOVED)
               for change in field_changes(old, new)}
    assert changes["题型"] == "单选题" and changes["答案"] == "A"
