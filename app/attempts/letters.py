"""Option letters as a candidate saw them and as the bank has them: options are shuffled per candidate."""
from typing import Any

from app.domain.papers import shown_to_original
from app.domain.questions import LETTERS, QuestionType
from app.models import Response


def bank_letters(response: Response) -> Any:
    """The response in the bank's letters, for marking: the candidate answered in the letters shown."""
    return in_bank_letters(response.paper_item.revision, tuple(response.option_order or ()), response.value)


def in_bank_letters(revision: Any, order: tuple[str, ...], value: Any) -> Any:
    """A response given in the letters shown (options in `order`), in the bank's; `revision` is a QuestionRevision or
    its cached content (app/papers/content.py), anything with its `kind`."""
    if not order or value is None:
        return value
    return revision.kind.in_letters(value, lambda shown: shown_to_original(order, shown))


def shown_letters(response: Response, key: Any) -> Any:
    """A bank-letter key in the letters this candidate saw, for their review."""
    return shown_key(tuple(response.option_order), key, response.paper_item.revision.kind)


def shown_key(option_order: tuple[str, ...], key: Any, kind: QuestionType) -> Any:
    """A bank-letter key in the letters of an option order (an attempt's, or a printed variant's)."""
    if not option_order or key is None:
        return key
    order = list(option_order)
    return kind.in_letters(key, lambda letter: LETTERS[order.index(letter)])
