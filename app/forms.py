"""What every POST form shares: the base of every page's form (PageForm), the one behind a button or the confirmation
dialog (ActionForm), the CSRF token for templates (csrf_field). Forms with fields live in each blueprint's forms.py."""
from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field, HiddenField


class PageForm(FlaskForm):
    """A form posted by a page, with Flask-WTF's CSRF token."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            # A JSON body is the API's: Flask-WTF would read a JSON object as the form, and fail on any other JSON.
            return None if request.is_json else super().wrap_formdata(form, formdata)


class ActionForm(PageForm):
    """A POST that is only a button (start, remove, sign out …), or the confirmation dialog's second POST
    (templates/_confirm.html), which sends confirmed=1; forms that ask first extend it. CSRFProtect checks the token
    of every POST before its view runs, so a view that only reads this form need not validate it."""

    confirmed = HiddenField()

    def is_confirmed(self) -> bool:
        return self.confirmed.data == "1"


class ValuesField(Field):
    """Every value posted under the field's name, in order: ticked checkboxes, or one input per blank."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(valuelist)


def stripped(value: str | None) -> str | None:
    """A filter for typed text: spaces around it are never meant."""
    return value.strip() if value else value


def csrf_field() -> Markup:
    """The token input of a form written in a template (`{{ csrf_field() }}`), holding Flask-WTF's token. Written out
    like the form's other hidden inputs, so what reads a form's hidden fields reads the token alike; no id, since a
    page may hold many forms."""
    token = ActionForm(formdata=None).csrf_token
    return Markup('<input type="hidden" name="{}" value="{}">').format(token.name, token.current_token)
