"""The question types and their registry: import, export, drawing, marking, pages, the API, practice and analysis ask
`question_type(name)` (or a revision's `kind`) what a type does, instead of comparing its name.

Adding a type is one class and its tests: subclass `QuestionType` in a module of this package (its YAML token,
label, input kind, YAML fields and parsing, response shape, marking, key text and description), list an instance in
QUESTION_TYPES below, and test it in tests/unit/test_questions.py. The stored type's CHECK constraint follows the
registry, so the new type also needs a migration; a new input kind needs its widget in static/js/exam.js (and, for a
drillable type, in practice/templates/practice/drill.html and static/js/practice.js); what else a page must show to
ask it (a calculation's units) comes from `page_fields`. A type asked through sub-questions (material) gets them from
its revision by `bind` (a revision's `kind` is bound): call its methods on `revision.kind`, not on the registry's.
"""
from app.domain.questions.base import QuestionType, UnreadableAnswer
from app.domain.questions.blank import Blank
from app.domain.questions.calculation import Calculation
from app.domain.questions.choice import LETTERS, Multiple, Single, option_letters
from app.domain.questions.judge import Judge
from app.domain.questions.matching import Matching
from app.domain.questions.material import Material
from app.domain.questions.ordering import Ordering
from app.domain.questions.short import Short

QUESTION_TYPES: tuple[QuestionType, ...] = (Single(), Multiple(), Judge(), Blank(), Short(), Calculation(),
                                            Ordering(), Matching(), Material())
TYPES = {kind.name: kind.label for kind in QUESTION_TYPES}      # YAML token → label, in the bank format's order
_BY_NAME = {kind.name: kind for kind in QUESTION_TYPES}


def question_type(name: str) -> QuestionType:
    """The type a YAML token (a revision's `type`) names; ValueError for a name no type has."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown item type {name!r}") from None


__all__ = ["LETTERS", "QUESTION_TYPES", "TYPES", "QuestionType", "UnreadableAnswer", "option_letters", "question_type"]
