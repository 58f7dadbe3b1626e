"""The login and change-password forms, with their messages in Chinese."""
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from app.domain import passwords
from app.forms import PageForm, stripped
from app.models import User
from app.users.service import password_problem


class LoginForm(PageForm):
    username = StringField("用户名", filters=[stripped], validators=[
        InputRequired("请输入用户名。"), Length(max=64, message="用户名不超过 64 个字符。")])
    password = PasswordField("密码", validators=[
        InputRequired("请输入密码。"),
        Length(max=passwords.MAX_LENGTH, message=f"密码不超过 {passwords.MAX_LENGTH} 个字符。")])


class PasswordForm(PageForm):
    current_password = PasswordField("原密码", validators=[InputRequired("请输入原密码。")])
    new_password = PasswordField("新密码", validators=[InputRequired("请输入新密码。")])
    confirm = PasswordField("再次输入新密码", validators=[
        InputRequired("请再次输入新密码。"), EqualTo("new_password", message="两次输入的新密码不一致。")])

    def __init__(self, account: User, **kwargs) -> None:
        super().__init__(**kwargs)
        self.account = account

    def validate_new_password(self, field) -> None:
        if field.data == self.current_password.data:
            raise ValidationError("新密码不能与原密码相同。")
        problem = password_problem(field.data, username=self.account.username, name=self.account.name)
        if problem:
            raise ValidationError(problem)
