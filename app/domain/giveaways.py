"""Items that state the same fact in two types — a judge stating the sentence a single asks for — so that
on one paper the one gives the other's key away (issue 14 §3).

Each item's fact (`QuestionType.stated_fact`) is folded to its letters and digits and compared as a set of character
bigrams. A bigram that many items of the bank share (《…工作条例》, 党的二十大报告指出) says little about which fact
an item states, so each weighs log(1 + N / items holding it); two facts are the same when the weight the lighter one
shares with the other is at least SAME_FACT of its own. In the sample banks (470 items) no two items of different
types share more than 0.63, items merely citing one article far less; a judge added beside any of their singles,
multiples and blanks is found when it restates the filled stem, with or without its citation or with one right
option of a multiple (every one of 568), and 176 of 186 judges that swap a single's distractor into its slot.

Comparing every pair would be quadratic in a bank of 50,000 items. An item is compared only with items holding one
of its rarest bigrams — as many as it takes for the rest of its weight to fall below SAME_FACT — found through an
index of bigram to items (prefix filtering): an item sharing none of them cannot reach the threshold, so nothing is
missed, and rare bigrams have short lists.
"""
import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

SAME_FACT = 0.7
_NOT_LETTERS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Stated:
    """What an item of a bank says, for the comparison: its fact, its type and its family ("" for none)."""

    fact: str
    type: str
    family: str = ""


def same_facts(items: Sequence[Stated]) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, of items of different types and no shared family that state the same fact. One fact
    asked twice in one type is mostly a question's variants, written on purpose and read side by side by whoever
    reviews that type; across types the give-away goes unnoticed."""
    grams = [_bigrams(item.fact) for item in items]
    weight = _weights(grams)
    totals = [sum(map(weight.__getitem__, held)) for held in grams]
    probes = [_rarest(held, weight, (1 - SAME_FACT) * total) for held, total in zip(grams, totals, strict=True)]
    # Type → bigram → the items of that type holding it: only bigrams some item probes with (the common ones never
    # are), and by type so that a bank's many items of one type on one article are not even looked at.
    probed = set().union(*probes)
    holders: dict[str, dict[str, list[int]]] = {}
    for index, held in enumerate(grams):
        of_type = holders.setdefault(items[index].type, {})
        for gram in held & probed:
            of_type.setdefault(gram, []).append(index)
    pairs = []
    for index, probe in enumerate(probes):
        item, need = items[index], SAME_FACT * totals[index]
        lighter = (totals[index], index)    # the lighter fact of a pair finds the heavier, so each pair is scored once
        others = set().union(*(of_type.get(gram, ()) for kind, of_type in holders.items() if kind != item.type
                               for gram in probe))
        pairs.extend((min(index, other), max(index, other)) for other in others
                     if (totals[other], other) > lighter and not (item.family and item.family == items[other].family)
                     and sum(map(weight.__getitem__, grams[index] & grams[other])) >= need)
    return sorted(pairs)


def _weights(grams: list[set[str]]) -> dict[str, float]:
    """What each bigram says about which fact an item states: less, the more of the bank's facts hold it."""
    counts: Counter[str] = Counter()
    for held in grams:
        counts.update(held)
    stating = sum(1 for held in grams if held)
    return {gram: math.log(1 + stating / count) for gram, count in counts.items()}


def _rarest(held: set[str], weight: dict[str, float], beyond: float) -> list[str]:
    """The item's rarest bigrams, as many as it takes for their weight to exceed `beyond`: another item sharing none
    of them shares at most the rest."""
    ranked = sorted(held, key=weight.__getitem__, reverse=True)
    return ranked[: bisect_right(list(accumulate(map(weight.__getitem__, ranked))), beyond) + 1]


def _bigrams(fact: str) -> set[str]:
    """The fact's character pairs once punctuation, spaces, slots (（ ）, ___) and Markdown marks are gone."""
    folded = _NOT_LETTERS.sub("", unicodedata.normalize("NFKC", fact).lower())
    return set(map(str.__add__, folded, folded[1:]))
