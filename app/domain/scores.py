"""The one rounding rule for scores (DESIGN §2): half up to hundredths, computed in decimals.

Binary floats round 36.5/80 × 100 = 45.625 to 45.62 (half-even, and 45.625 is not exact); everything that
shows, stores or ranks a score goes through `hundredths` instead, so every page, export and command agrees.
"""
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


def hundredths(value: Decimal | float | int | str) -> Decimal:
    """A score rounded half up to two places: 45.625 → 45.63, 0.665 → 0.67, 2/3 → 0.67."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    return exact.quantize(HUNDREDTH, rounding=ROUND_HALF_UP) + 0   # + 0 turns -0.00 into 0.00


def rounded(value: float) -> float:
    """`hundredths` for a score kept as a float (item and attempt scores)."""
    return float(hundredths(value))


def share_of(score: float, out_of: float) -> Decimal:
    """A paper's score as a share on 100, rounded once: 36.5 of 80 → 45.63."""
    return hundredths(Decimal(repr(score)) * 100 / Decimal(repr(out_of)))


def points_text(value: Decimal | float | int | None) -> str:
    """A score as shown: rounded, without trailing zeros ('36.5', '40', '0.67'); empty for none."""
    if value is None:
        return ""
    text = f"{hundredths(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
