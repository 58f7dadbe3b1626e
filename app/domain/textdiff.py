"""Word-level differences between two texts, for an organiser comparing revisions of a question: Chinese has no
spaces between words, so it is compared character by character, other scripts word by word."""
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"[A-Za-z0-9_.%]+|\s+|.", re.S)
SAME, REMOVED, ADDED = "same", "removed", "added"


@dataclass(frozen=True)
class Segment:
    """A run of text both versions share, or that only the old (removed) or the new (added) one has."""

    op: str
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """The new text as the old one with runs removed and added, in reading order."""
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            _append(segments, SAME, before[i1:i2])
            continue
        _append(segments, REMOVED, before[i1:i2])
        _append(segments, ADDED, after[j1:j2])
    return segments


def _append(segments: list[Segment], op: str, tokens: list[str]) -> None:
    if not tokens:
        return
    text = "".join(tokens)
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))
