"""Text normalisation shared by duplicate detection and blank marking, and the marks a stem leaves for its answer."""
import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Sentence-ending punctuation that a candidate may or may not type after a blank's answer.
_TRAILING_PUNCT = "。．.，,、；;：:！!？?"


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), whitespace folded, trailing punctuation dropped."""
    folded = _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    return folded.rstrip(_TRAILING_PUNCT).strip()


BLANK_RUN = re.compile(r"_{3,}")
# A choice stem's slot for its answer: empty parentheses, written （ ） in the banks.
EMPTY_PARENS = re.compile(r"[（(]\s*[)）]")


# A rubric line's score at its end: （2 分）. Searched, not matched as `^(.*?)\s*（…）$`, whose lazy point retries the
# whole tail at every character (quadratic in a run of spaces).
_RUBRIC_SCORE = re.compile(r"[（(]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]$")


def rubric_parts(text: str) -> tuple[str, str] | None:
    """A rubric line `point（2 分）` as its point and its score's digits; None when it does not end in a score."""
    found = _RUBRIC_SCORE.search(text)
    return (text[: found.start()].rstrip(), found.group(1)) if found else None


def count_blanks(stem: str) -> int:
    """How many answer blanks a stem has: each run of three or more underscores is one."""
    return len(BLANK_RUN.findall(stem))
