"""The rules for chosen passwords on their own (ASVS V2.1): length, the person's own words, common passwords."""
import pytest

from app.domain.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    common_passwords,
    length,
    personal_words,
    problems,
)

SHORT = "密码至少 12 个字符（连续的空格算一个）。"
PERSONAL = "密码不能包含用户名或姓名。"
COMMON = "这是常见密码（或只在常见密码前后加了数字、符号），很容易被猜中，请换一个。"
PATTERNED = "密码不能只是重复或连续的字符（如 aaaa、abcabc、123456），请换一个。"


def test_twelve_characters_at_least_and_up_to_128():
    assert (MIN_LENGTH, MAX_LENGTH) == (12, 128)


@pytest.mark.parametrize("password, counted", [
    ("abc", 3), ("a b", 3), ("a    b", 3), ("  ab  ", 2), ("党支部书记大比武", 8), ("a\t\n b", 3),
])
def test_a_run_of_spaces_counts_as_one_character(password, counted):
    assert length(password) == counted


@pytest.mark.parametrize("password", [
    "12345678", "password", "zhangsan", "tree frog 7", "a          b          c", " " * 20,
])
def test_a_short_password_is_refused_with_the_rule(password):
    assert problems(password, username="zhangsan", name="张三") == [SHORT]


def test_a_password_past_128_characters_is_refused():
    assert problems("x7" * 65, username="u", name="n") == [f"密码不超过 {MAX_LENGTH} 个字符。"]
    assert problems("correct horse battery staple " * 4, username="u", name="n") == []


@pytest.mark.parametrize("password", [
    "correct horse battery staple",       # lowercase only: no composition rules
    "我们支部每周三下午集中学习",
    "sunflower rides a bicycle",
    "Tr0ub4dor&3xyz",
    "847261930475",                        # digits only, but not a run or a common number
    "secret-pass-1",
])
def test_good_passwords_pass_whatever_they_are_made_of(password):
    assert problems(password, username="zhangsan", name="张三") == []


@pytest.mark.parametrize("password", [
    "zhangsan2024!!", "ZhangSan is my name", "i am zhang san ok", "我是张三，一名光荣的共产党员",
])
def test_a_password_containing_the_username_or_name_is_refused(password):
    assert problems(password, username="zhangsan", name="张三") == [PERSONAL]


def test_usernames_shorter_than_three_characters_are_not_looked_for():
    """"li" is inside too many good passphrases to refuse them all."""
    assert personal_words(username="li", name="李") == []
    assert problems("believe in the light", username="li", name="李") == []
    assert personal_words(username="Wang Fang", name="王 芳") == ["wangfang", "王芳"]


@pytest.mark.parametrize("password", [
    "password1234", "Password 2024!!", "iloveyou123456", "1qaz2wsx1234", "qwertyuiop123", "!!monkey123456",
    "qazwsxedcrfv", "FinalFantasy", "123456789987654321",
])
def test_a_common_password_or_one_padded_with_digits_and_symbols_is_refused(password):
    assert problems(password, username="zhangsan", name="张三") == [COMMON]


@pytest.mark.parametrize("password", [
    "aaaaaaaaaaaa", "abcabcabcabc", "1212121212121", "abcdefghijklm", "987654321098", "345678901234", "zyxwvutsrqpo",
])
def test_repeated_or_straight_runs_are_refused(password):
    assert problems(password, username="zhangsan", name="张三") == [PATTERNED]


def test_every_problem_is_named():
    assert problems("zhangsan1234", username="zhangsan", name="张三") == [PERSONAL]
    assert problems("Password-zhangsan", username="zhangsan", name="张三") == [PERSONAL]
    assert problems("zhangsan password", username="zhangsan", name="张三") == [PERSONAL]
    assert problems("password 12 zhang", username="zhang", name="张三") == [PERSONAL]


def test_the_shipped_list_is_lowercase_and_says_where_it_comes_from():
    common = common_passwords()
    assert len(common) > 28_000 and {"password", "iloveyou", "qwertyuiop", "woaini"} <= common
    assert all(entry == entry.casefold() and entry.strip() == entry for entry in common)
    from app.domain import passwords
    header = passwords._COMMON_FILE.read_text(encoding="utf-8")[:3000]
    assert "zxcvbn 4.5.0" in header and "MIT License" in header and "Copyright (c) 2016 Daniel Wolf" in header
