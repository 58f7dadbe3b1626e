"""Option letters as a candidate saw them and as the bank has them: options are shuffled per candidate."""
from typing import Any

from app.domain.papers import shown_to_original
from app.domain.questions import LETTERS
from app.models import Response


def bank_letters(response: Response) -> Any:
    """The response in the bank's letters, for marking: the candidate answered in the letters shown."""
    value = response.value
    if not response.option_order or value is None:
        return value
    if isinstance(value, list):
        return [shown_to_original(tuple(response.option_order), letter) for letter in value]
    return shown_to_original(tuple(response.option_order), value)


def shown_letters(response: Response, key: Any) -> Any:
    """A bank-letter key in the letters this candidate saw, for their review."""
    return shown_key(tuple(response.option_order), key)


def shown_key(option_order: tuple[str, ...], key: Any) -> Any:
    """A bank-letter key in the letters of an option order (an attempt's, or a printed variant's)."""
    if not option_order or key is None or isinstance(key, bool):
        return key
    order = list(option_order)
    if isinstance(key, list):
        return sorted(LETTERS[order.index(letter)] for letter in key)
    return LETTERS[order.index(key)]
