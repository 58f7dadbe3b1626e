"""The input rules every route applies to what an attacker sends (issue 9), tested pure: text with NUL or lone
surrogates, ids past 32 bits, deep or malformed JSON, and a response of the wrong shape for its question type. Every
route's refusals over HTTP are in tests/integration/test_bad_input.py."""
import pytest

from app.domain.inputs import (
    BAD_TEXT,
    MAX_JSON_DEPTH,
    JsonRefused,
    id_ok,
    int32,
    json_text_ok,
    parse_json,
    text_ok,
)
from app.domain.marking import response_problem
from plugins.http import deep_json

# -- the rules themselves (app/domain/inputs.py) ---------------------------------------------------------------------

@pytest.mark.parametrize("text, ok", [("党支部", True), ("tab\tand\nlines\r", True), ("", True), ("a\x00", False),
                                      ("\x1b[31m", False), ("\x7f", True), ("\ud800", False),
                                      ("\udfff", False),  # noqa: PT014 -- not a duplicate: ruff reads both lone surrogates as U+FFFD
                                      ("😀", True)])
def test_text_ok(text, ok):
    assert text_ok(text) is ok


def test_id_ok_and_int32():
    assert [id_ok(v) for v in (0, 2**31 - 1, 2**31, -1, True, 1.0, "1", None)] == \
        [True, True, False, False, False, False, False, False]
    assert int32("-2147483648") == -2**31 and int32(" 42 ") == 42
    for text, message in [("2147483648", "out of range"), ("9" * 5000, "Exceeds the limit"),
                          ("abc", "invalid literal"), ("", "invalid literal")]:
        with pytest.raises(ValueError, match=message):
            int32(text)


def test_parse_json_refuses_deep_malformed_and_non_utf8_bodies():
    assert parse_json(b'{"responses": {"1": ["a", "b"]}, "seq": 3}') == {"responses": {"1": ["a", "b"]}, "seq": 3}
    assert parse_json(deep_json(MAX_JSON_DEPTH)) is not None
    for body, message in [(deep_json(MAX_JSON_DEPTH + 1), "嵌套超过"), (deep_json(100_000), "嵌套超过"),
                          (b"{", "不是有效的 JSON"), (b'{"a": NaN}', "不是有效的 JSON"), (b'"\xff"', "不是有效的 JSON"),
                          (b"1" * 5000, "不是有效的 JSON")]:
        with pytest.raises(JsonRefused, match=message):
            parse_json(body)
    assert json_text_ok({"a": ["b", {"c": "d"}]}) and not json_text_ok({"a": ["b", {"c\x00": "d"}]})
    assert not json_text_ok(["\ud800"]) and json_text_ok([1, None, True, 2.5])


@pytest.mark.parametrize("qtype, response, problem", [
    ("single", "B", ""), ("single", "E", "应是 A/B/C/D 中的一个字母"), ("single", 1, "应是 A/B/C/D 中的一个字母"),
    ("multiple", ["A", "C"], ""), ("multiple", ["A", "A"], "应是不重复的选项字母列表"),
    ("judge", False, ""), ("judge", 0, "应是 true 或 false"),
    ("blank", ["义务", ""], ""), ("blank", ["义务"], "应是 2 个空的文字列表"),
    ("blank", ["义务", 2], "应是 2 个空的文字列表"),
    ("blank", ["义务", "纪" * 501], "每空不超过 500 个字符"), ("blank", ["义\x00务", "纪律"], BAD_TEXT),
    ("short", "论" * 20_000, ""), ("short", "论" * 20_001, "简答不超过 20000 个字符"), ("short", "\ud83d", BAD_TEXT),
    ("short", ["论"], "应是一段文字"), ("short", None, ""),
])
def test_response_problem_names_what_is_wrong(qtype, response, problem):
    assert response_problem(qtype, response, ("A", "B", "C", "D"), 2) == problem
