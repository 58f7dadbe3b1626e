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


def count_blanks(stem: str) -> int:
    """How many answer blanks a stem has: each run of three or more underscores is one."""
    return len(BLANK_RUN.findall(stem))
