"""The rules for passwords people choose (OWASP ASVS 4.0 V2.1, NIST SP 800-63B §5.1.1.2): long enough, not the
person's own name, not a common or patterned password — and no composition rules (no demand for digits, capitals
or symbols). Generated initial passwords are not chosen and are not held to these rules."""
import functools
from itertools import pairwise
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
# Shorter usernames or names ("li", "王") turn up inside too many good passphrases to be refused there.
_PERSONAL_MIN = {"username": 3, "name": 2}
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


def length(password: str) -> int:
    """Characters as the rules count them: a run of spaces is one (ASVS 2.1.1), and spaces at the ends don't count."""
    return len(" ".join(password.split()))


def problems(password: str, *, username: str = "", name: str = "") -> list[str]:
    """What is wrong with a chosen password, in Chinese for the person choosing it; empty when it will do."""
    if length(password) < MIN_LENGTH:
        return [f"密码至少 {MIN_LENGTH} 个字符（连续的空格算一个）。"]
    if len(password) > MAX_LENGTH:
        return [f"密码不超过 {MAX_LENGTH} 个字符。"]
    found = []
    squeezed = _squeeze(password)
    if any(word in squeezed for word in personal_words(username=username, name=name)):
        found.append("密码不能包含用户名或姓名。")
    if _padded_common(squeezed):
        found.append("这是常见密码（或只在常见密码前后加了数字、符号），很容易被猜中，请换一个。")
    elif _patterned(squeezed):
        found.append("密码不能只是重复或连续的字符（如 aaaa、abcabc、123456），请换一个。")
    return found


def personal_words(*, username: str, name: str) -> list[str]:
    """The person's own words a password may not contain, as compared (see _squeeze)."""
    words = {"username": _squeeze(username), "name": _squeeze(name)}
    return [word for key, word in words.items() if len(word) >= _PERSONAL_MIN[key]]


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list (common_passwords.txt: its source and licence are at its top)."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _squeeze(password: str) -> str:
    """Compared without case or spaces: "Pass Word 1234" is "password1234"."""
    return "".join(password.split()).casefold()


def _padded_common(squeezed: str) -> bool:
    """A common password, alone or with only digits and punctuation before or after it ("password2024!")."""
    common = common_passwords()
    starts = range(_unlettered_run(squeezed) + 1)
    ends = range(len(squeezed) - _unlettered_run(squeezed[::-1]), len(squeezed) + 1)
    return any(squeezed[start:end] in common for start in starts for end in ends if start < end)


def _unlettered_run(text: str) -> int:
    """How many characters at the start of `text` are not letters."""
    return next((index for index, char in enumerate(text) if char.isalpha()), len(text))


def _patterned(squeezed: str) -> bool:
    """One short piece repeated ("abcabcabcabc", "aaaaaaaaaaaa") or a straight run ("abcdefghijkl", "987654321098")."""
    if any(squeezed == (squeezed[:size] * len(squeezed))[:len(squeezed)] for size in range(1, 5)):
        return True
    return {_step(a, b) for a, b in pairwise(squeezed)} in ({1}, {-1})


def _step(a: str, b: str) -> int:
    if a.isdigit() and b.isdigit():
        return (ord(b) - ord(a) + 5) % 10 - 5   # as on a keyboard's top row, 9 → 0 runs on and 0 → 9 back
    return ord(b) - ord(a)
