"""Item analysis of a sat paper (issue 3 §6): facility, discrimination, option choices, concerns, histogram.

Pure functions over plain numbers: the caller hands in one Observation per finished attempt that had the item.
"""
import math
from dataclasses import dataclass, replace
from typing import Any

from app.domain.marking import is_answered
from app.domain.questions import question_type

UPPER_LOWER_SHARE = 0.27      # Kelley's upper and lower 27% by total score
LOW_FACILITY = 0.2            # fewer than one in five right: a wrong key or a misleading stem is likely
HISTOGRAM_WIDTHS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500)


@dataclass(frozen=True)
class Observation:
    """One candidate's go at one item: their total, their score on the item, what they chose (bank letters)."""

    total: float
    score: float
    choice: Any = None


@dataclass(frozen=True)
class OptionShare:
    option: Any          # a bank letter, or True/False for a judge item
    count: int
    share: float         # of everyone who had the item, answered or not
    is_key: bool


@dataclass(frozen=True)
class ItemStats:
    count: int
    facility: float | None
    discrimination: float | None      # upper minus lower group mean, as a share of the points
    point_biserial: float | None      # item score against the rest of the paper
    options: tuple[OptionShare, ...] = ()
    unanswered: int = 0
    concerns: tuple[str, ...] = ()


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def facility(observations: list[Observation], points: float) -> float | None:
    """Mean score as a share of the points: 1.0 everyone right, 0.0 nobody."""
    if not observations or points <= 0:
        return None
    return _mean([o.score for o in observations]) / points


def group_size(count: int, share: float = UPPER_LOWER_SHARE) -> int:
    """How many candidates make the upper (and the lower) group; the groups never overlap."""
    return max(1, min(count // 2, round(count * share)))


def upper_lower(observations: list[Observation], points: float, share: float = UPPER_LOWER_SHARE) -> float | None:
    """Discrimination index D: (upper group mean − lower group mean) / points, groups ranked by total."""
    if len(observations) < 2 or points <= 0:
        return None
    size = group_size(len(observations), share)
    ranked = sorted(observations, key=lambda o: o.total)
    lower, upper = ranked[:size], ranked[-size:]
    return (_mean([o.score for o in upper]) - _mean([o.score for o in lower])) / points


def point_biserial(observations: list[Observation]) -> float | None:
    """Correlation of the item's score with the rest of the paper (total minus this item).

    Leaving the item out of the total keeps a short paper from flattering its own items.
    None when either side has no spread: everyone scored the same.
    """
    if len(observations) < 2:
        return None
    items = [o.score for o in observations]
    rests = [o.total - o.score for o in observations]
    mean_item, mean_rest = _mean(items), _mean(rests)
    covariance = sum((i - mean_item) * (r - mean_rest) for i, r in zip(items, rests, strict=True))
    spread = math.sqrt(sum((i - mean_item) ** 2 for i in items) * sum((r - mean_rest) ** 2 for r in rests))
    if spread == 0:
        return None
    return covariance / spread


def option_shares(qtype: str, options: list[Any], key: Any, choices: list[Any]) -> tuple[OptionShare, ...]:
    """How many chose each option (a multiple choice counts once for every letter in it), key marked."""
    if not choices:
        return ()
    kind = question_type(qtype)
    return tuple(
        OptionShare(option, count, count / len(choices), kind.picks(key, option))
        for option in options
        for count in [sum(kind.picks(choice, option) for choice in choices)]
    )


def concerns(qtype: str, stats: ItemStats) -> tuple[str, ...]:
    """What makes an item worth a second look, in words an organiser acts on."""
    found = []
    if (stats.discrimination is not None and stats.discrimination < 0) or (
            stats.point_biserial is not None and stats.point_biserial < 0):
        found.append("区分度为负：高分考生反而答得更差，请核对答案")
    if stats.facility is not None and stats.facility < LOW_FACILITY:
        found.append(f"得分率低于 {LOW_FACILITY:.0%}：请核对答案或题干表述")
    if question_type(qtype).has_distractors:
        keyed = max((o.count for o in stats.options if o.is_key), default=0)
        tempting = [o for o in stats.options if not o.is_key and o.count > keyed]
        if tempting:
            found.append(f"干扰项 {'、'.join(str(o.option) for o in tempting)} 的选择人数多于正确答案")
    return tuple(found)


def analyse_item(qtype: str, points: float, key: Any, options: list[Any],
                 observations: list[Observation]) -> ItemStats:
    """Every statistic of one item; `options` are the bank's letters (or [True, False] for judge), else empty."""
    stats = ItemStats(
        count=len(observations),
        facility=facility(observations, points),
        discrimination=upper_lower(observations, points),
        point_biserial=point_biserial(observations),
        options=option_shares(qtype, options, key, [o.choice for o in observations]) if options else (),
        unanswered=sum(not is_answered(o.choice) for o in observations),
    )
    return replace(stats, concerns=concerns(qtype, stats))


@dataclass(frozen=True)
class Bin:
    low: float
    high: float        # exclusive, except the last bin, which holds the full mark
    count: int


def histogram(scores: list[float], max_score: float, max_bins: int = 10) -> list[Bin]:
    """Scores counted in equal bins of a round width (1, 2, 5, 10…) covering 0..max_score."""
    if max_score <= 0:
        return []
    width = next((w for w in HISTOGRAM_WIDTHS if max_score / w <= max_bins), max_score / max_bins)
    size = math.ceil(max_score / width)
    counts = [0] * size
    for score in scores:
        counts[min(max(int(score // width), 0), size - 1)] += 1
    return [Bin(i * width, min((i + 1) * width, max_score), count) for i, count in enumerate(counts)]
