"""The practising cadre's forms: the drill asked for on the practice home (or the book's button), and which question
an answer is for."""
from collections.abc import Callable

from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, NumberRange, ValidationError

from app.domain.practice import DRILL_TYPES, MODES, DrillFilter
from app.forms import PageForm, ValuesField

UNSETTLED = "练习设置有误，请重新选择。"
SCOPES = ("", "bank", "category")


def _number_or(default: int) -> Callable[[str | None], int]:
    """A select's number: one that is missing, zero or not a number counts as not chosen, so the default."""
    def read(text: str | None) -> int:
        try:
            return int(text or "") or default
        except ValueError:
            return default
    return read


def _scope(form, field) -> None:
    if field.data.partition(":")[0] not in SCOPES:
        raise ValidationError(UNSETTLED)


class DrillForm(PageForm):
    """Anything out of range is refused, not guessed at. scope is "", "bank:<slug>" or "category:<category>"."""

    mode = StringField(default="filtered", validators=[AnyOf(MODES, message=UNSETTLED)])
    scope = StringField(default="", validators=[_scope])
    tag = StringField(default="")
    types = SelectMultipleField(choices=DRILL_TYPES, default=(), invalid_choice_message=UNSETTLED)
    low = StringField(filters=[_number_or(1)], validators=[NumberRange(1, 5, UNSETTLED)])
    high = StringField(filters=[_number_or(5)], validators=[NumberRange(1, 5, UNSETTLED)])
    count = StringField(filters=[_number_or(10)], validators=[NumberRange(1, 50, UNSETTLED)])

    def drill_filter(self) -> DrillFilter:
        """What the form, once valid, asks for."""
        kind, _, value = self.scope.data.partition(":")
        return DrillFilter(mode=self.mode.data, banks=(value,) if kind == "bank" else (),
                           categories=(value,) if kind == "category" else (), types=tuple(self.types.data),
                           tags=(self.tag.data,) if self.tag.data else (),
                           difficulty=tuple(sorted((self.low.data, self.high.data))), count=self.count.data)


class AnswerForm(PageForm):
    """An answer in a drill: the question, and the values given, which its question type reads."""

    question_id = IntegerField()
    response = ValuesField(default=())
