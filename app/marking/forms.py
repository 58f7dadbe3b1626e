"""The judge's mark for a short answer; the marking service checks it against the question's points."""
from wtforms import StringField
from wtforms.validators import ValidationError

from app.forms import PageForm


def _number(form, field) -> None:
    try:
        float((field.data or "").strip())
    except ValueError:
        raise ValidationError("请输入分数，如 3 或 3.5。") from None


class MarkForm(PageForm):
    score = StringField("得分", validators=[_number])
