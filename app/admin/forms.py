"""The organisers' forms with fields: uploading banks, scheduling a session, extending an attempt, correcting a key,
entering a paper answer sheet, and a round's judges, score sheets, publishing and closing."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import DateTimeLocalInput

from app.contests.versions import Draft
from app.domain.banks import CATEGORIES, BankDefaults
from app.domain.times import parse_local_iso
from app.forms import ActionForm, PageForm, ValuesField, stripped
from app.models import Role, ScoreRelease
from app.scheduling.service import MAX_AWAY_ALERT

USERNAME_SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_EXTENSION = 240
LOCAL_MINUTES = "%Y-%m-%dT%H:%M"    # what <input type=datetime-local> takes


# -- banks --------------------------------------------------------------------------------------------------------

class BankUploadForm(PageForm):
    """Bank files and paper blueprints to preview, with the bank metadata a file without any takes."""

    banks = MultipleFileField("题库文件")
    papers = MultipleFileField("试卷方案（YAML）")
    slug = StringField("题库标识", filters=[stripped], validators=[Optional(), Length(max=64)],
                       description="文件里没有题库信息时使用；不填则用文件名。只能用小写字母、数字、- 和 _。")
    category = SelectField("类别", choices=[SelectChoice("", "（按文件所写）"),
                                            *(SelectChoice(token, label) for token, label in CATEGORIES.items())],
                           validators=[Optional()])
    title = StringField("题库名称", filters=[stripped], validators=[Optional(), Length(max=200)])
    partial = BooleanField("只导入无误的题目，列出有问题的题目（不停用它们已有的版本）")

    def defaults(self) -> BankDefaults:
        """What a file without bank metadata takes; the file's name is its slug and title unless typed here."""
        return BankDefaults(self.slug.data or "", self.category.data or "", self.title.data or "")


class BankConfirmForm(BankUploadForm):
    """The preview's confirmation: the same files posted back, and the fingerprint of the preview shown."""

    fingerprint = HiddenField()
    file_name = ValuesField()
    file_data = ValuesField()
    file_paper = ValuesField()


# -- accounts -----------------------------------------------------------------------------------------------------

class AccountForm(PageForm):
    """One new account; its initial password is generated and printed on a slip."""

    name = StringField("姓名", filters=[stripped], validators=[
        DataRequired("请填写姓名。"), Length(max=100, message="姓名不超过 100 个字符。")])
    username = StringField("用户名", filters=[stripped], validators=[
        DataRequired("请填写用户名。"),
        Regexp(r"^[A-Za-z0-9._-]{1,64}$", message="用户名只能用 1–64 个字母、数字、点、下划线或连字符。")])
    role = SelectField("角色", choices=[SelectChoice(role.value, role.label) for role in Role],
                       default=Role.CANDIDATE.value)
    organisation = SelectField("组织", validate_choice=False, validators=[Optional()])


class AccountsFileForm(PageForm):
    """A list of accounts (CSV or .xlsx: 账号,姓名,角色,组织 or username,name,role,org), as `flask users import` reads
    it."""

    file = FileField("名单文件")


# -- exam sessions ------------------------------------------------------------------------------------------------

def _utc(text: str) -> datetime:
    return parse_local_iso(text, current_app.config["TIMEZONE"])


def _local_time(form, field) -> None:
    try:
        _utc(field.data)
    except ValueError:
        raise ValidationError("请按“年-月-日 时:分”填写时间。") from None


class ScheduleForm(PageForm):
    # The scheduling service names an unknown paper, organisation or policy in Chinese; WTForms would not.
    blueprint = SelectField("试卷方案", validate_choice=False, validators=[InputRequired("请选择试卷方案。")])
    title = StringField("考试名称", filters=[stripped], validators=[
        DataRequired("请填写考试名称。"), Length(max=200, message="考试名称不超过 200 个字符。")])
    opens = StringField("开始时间", widget=DateTimeLocalInput(),
                        validators=[InputRequired("请填写开始时间。"), _local_time])
    closes = StringField("结束时间", widget=DateTimeLocalInput(),
                         validators=[InputRequired("请填写结束时间。"), _local_time])
    round = SelectField("比赛轮次", validate_choice=False, validators=[Optional()],
                        description="选了轮次，本场成绩计入该轮的笔试成绩；不填考生账号和组织时，由该轮参赛者参加（直接晋级者除外）。")
    usernames = TextAreaField("考生账号", description="用逗号、空格或换行分隔；可与下面的组织同时使用。")
    organisation = SelectField("组织", validate_choice=False, validators=[Optional()],
                               description="按联系片组排列；选中一个组织即包括其下级组织的全部考生（如选联系片组，"
                                           "即片组内各基层党委、直属党支部及其下属支部的考生），括号内为人数。")
    review = SelectField("成绩公布", choices=[SelectChoice(r.value, r.label) for r in ScoreRelease],
                         validate_choice=False, default=ScoreRelease.AFTER_CLOSE.value)
    show_key = BooleanField("成绩公布后，考生可查看答案与解析")
    mock = BooleanField("作为模拟考试（练兵用：每次单独抽题，交卷即看成绩与解析）")
    max_attempts = IntegerField("允许作答次数（模拟考试）", default=1, validators=[
        NumberRange(min=1, max=100, message="允许作答次数应在 1 到 100 之间。")])
    away_alert_after = IntegerField("切屏提醒（次）", validators=[
        Optional(), NumberRange(min=1, max=MAX_AWAY_ALERT, message=f"切屏提醒次数应在 1 到 {MAX_AWAY_ALERT} 之间。")],
        description="考生离开考试页面超过这个次数时，在场次页面提醒组织者；只作记录，不自动扣分。留空则不提醒。")

    def propose_times(self, now: datetime, zone: str) -> None:
        """A blank form proposes the next full hour, for two hours, in local time."""
        opens = (now.astimezone(ZoneInfo(zone)) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        self.opens.data = self.opens.data or opens.strftime(LOCAL_MINUTES)
        self.closes.data = self.closes.data or (opens + timedelta(hours=2)).strftime(LOCAL_MINUTES)

    def usernames_list(self) -> list[str]:
        return [name for name in USERNAME_SEPARATORS.split(self.usernames.data or "") if name]

    def opens_at(self) -> datetime:
        return _utc(self.opens.data)

    def closes_at(self) -> datetime:
        return _utc(self.closes.data)


def _minutes(form, field) -> None:
    text = (field.data or "").strip()
    if not text.isdecimal() or not 1 <= int(text) <= MAX_EXTENSION:
        raise ValidationError(f"延长时间应为 1 到 {MAX_EXTENSION} 之间的整数分钟。")


class ExtendForm(ActionForm):
    minutes = StringField("延长（分钟）", validators=[_minutes])
    reason = StringField("原因", filters=[stripped], validators=[
        DataRequired("请填写延长原因。"), Length(max=200, message="原因不超过 200 个字符。")])


class KeyForm(ActionForm):
    key = TextAreaField("更正后的答案", validators=[InputRequired("请填写更正后的答案。")])
    explanation = TextAreaField("更正后的解析", filters=[stripped], validators=[
        DataRequired("请写明与新答案一致的解析。"), Length(max=5000, message="解析不超过 5000 个字符。")])
    reason = StringField("更正说明", filters=[stripped],
                         validators=[Length(max=200, message="说明不超过 200 个字符。")])


# -- a contest's round: what these forms post, the services that know the round check (app/contests/pages.py,
# rounds.py) and say what is wrong --------------------------------------------------------------------------------

class JudgeForm(PageForm):
    """A judge given a group of the round, or taken from it ("*" is every group)."""

    judge = StringField(default="")
    group = StringField(default="")


class ContestUploadForm(PageForm):
    """A contest file (YAML) and its candidates list (CSV), as `flask contest load` reads them."""

    files = MultipleFileField("比赛文件和考生名单")


class ContestConfirmForm(PageForm):
    """The preview's confirmation: the same files posted back, and the fingerprint of the preview shown."""

    fingerprint = HiddenField()
    file_name = ValuesField()
    file_data = ValuesField()


class SheetForm(PageForm):
    """A score sheet (CSV) for one component of the round."""

    component = StringField(default="")
    file = FileField()


class PublishForm(ActionForm):
    """Publishing the draft; the dialog sends the fingerprint of the standings it described."""

    draft = HiddenField(default="")

    def confirmed_for(self, draft: Draft) -> bool:
        """Confirmed, and for these standings: a judge's score may have moved them since the dialog was shown."""
        return self.is_confirmed() and self.draft.data == draft.digest


class CloseForm(PublishForm):
    """Closing the round, with whom the organiser let through where a tie straddles the line."""

    settle = ValuesField(default=())

    def settled(self) -> set[str]:
        return {name.strip() for name in self.settle.data if name.strip()}


class SpeakingOrderForm(ActionForm):
    """出场顺序 typed on the round page: one `entrant` (username) and one `order` (number) per lecturer, in the same
    order; the confirmation dialog posts them back alike."""

    entrant = ValuesField(default=())
    order = ValuesField(default=())

    def typed(self) -> list[tuple[str, str]]:
        """(username, number as typed) pairs; a missing number reads as blank, for the service to refuse."""
        numbers = list(self.order.data) + [""] * max(0, len(self.entrant.data) - len(self.order.data))
        return list(zip(self.entrant.data, numbers, strict=False))


# -- a paper answer sheet (the fallback when a hall's network fails) ----------------------------------------------

ANSWER_FIELD = "answer-"


class PaperSheetForm(ActionForm):
    """Who sat which variant; the answers come as `answer-<number>` fields, as many as the variant's sheet has, read
    against the variant by app/attempts/printed.py."""

    candidate = StringField(default="")
    variant = StringField(default="", filters=[stripped])

    def written(self) -> dict[str, list[str]]:
        return {name.removeprefix(ANSWER_FIELD): request.form.getlist(name)
                for name in request.form if name.startswith(ANSWER_FIELD)}


# -- a list of accounts previewed before it is imported -----------------------------------------------------------

class AccountsConfirmForm(PageForm):
    """The preview's confirmation: the same file posted back, and the fingerprint of the preview shown."""

    fingerprint = HiddenField()
    file_name = ValuesField()
    file_data = ValuesField()
