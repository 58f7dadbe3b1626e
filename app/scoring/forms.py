"""The judge's score form: it reads what a row posts; save_score (app/contests/sheets.py), which knows the round
and the judge, checks the component and the value and says what is wrong."""
from wtforms import StringField

from app.forms import PageForm


class ScoreForm(PageForm):
    """One candidate's score on a judge's sheet, for one component of the round."""

    component = StringField(default="")
    score = StringField(default="")
