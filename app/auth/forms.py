"""The login and change-password forms, with their messages in Chinese."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from app.users.service import MIN_PASSWORD_LENGTH


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class LoginForm(FlaskForm):
    username = StringField("用户名", filters=[_strip], validators=[
        InputRequired("请输入用户名。"), Length(max=64, message="用户名不超过 64 个字符。")])
    password = PasswordField("密码", validators=[InputRequired("请输入密码。")])


class PasswordForm(FlaskForm):
    current_password = PasswordField("原密码", validators=[InputRequired("请输入原密码。")])
    new_password = PasswordField("新密码", validators=[
        InputRequired("请输入新密码。"),
        Length(min=MIN_PASSWORD_LENGTH, message=f"新密码至少 {MIN_PASSWORD_LENGTH} 个字符。")])
    confirm = PasswordField("再次输入新密码", validators=[
        InputRequired("请再次输入新密码。"), EqualTo("new_password", message="两次输入的新密码不一致。")])

    def validate_new_password(self, field) -> None:
        if field.data == self.current_password.data:
            raise ValidationError("新密码不能与原密码相同。")
