"""`flask demo init`: a first look for a new user (sample banks, a few demo accounts), done once.

Demo accounts and organisations are named 演示 / demo- so they never pass for real ones.
"""
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from app.banks.service import check_sources, import_sources
from app.commands import Commands
from app.database import begin_write
from app.demo_contest import create_demo_contest
from app.extensions import db
from app.models import Organisation, Role, ScoreRelease, User, record, utcnow
from app.scheduling.service import schedule_session
from app.users.service import generate_password, set_password

demo_cli = Commands("demo", help="Demo data for a first look.")

DEMO_ORGANISATIONS = [
    ("demo-g1", "第一联系片组（演示）", "liaison_group", None),
    ("demo-c01", "市委组织部机关党委（演示）", "committee", "demo-g1"),
    ("demo-d01", "市档案馆党支部（演示）", "direct_branch", "demo-g1"),
]
DEMO_ACCOUNTS = [
    ("demo-organiser", "演示组织者", Role.ORGANISER, None),
    ("demo-judge", "演示评委", Role.JUDGE, None),
    ("demo-candidate1", "张明（演示）", Role.CANDIDATE, "demo-c01"),
    ("demo-candidate2", "李华（演示）", Role.CANDIDATE, "demo-c01"),
    ("demo-candidate3", "王芳（演示）", Role.CANDIDATE, "demo-d01"),
]


@demo_cli.command("init")
def init() -> None:
    """Import the sample banks and create demo accounts, printing their logins; later runs do nothing."""
    if db.session.scalar(select(User).where(User.username == DEMO_ACCOUNTS[0][0])):
        return
    begin_write()   # one transaction for all of it, so the demo is there whole or not at all
    _import_sample_banks()
    organisations = _create_organisations()
    logins = _create_accounts(organisations)
    db.session.flush()
    _schedule_demo_exams()
    create_demo_contest()
    record("demo.init", "demo", channel="cli", accounts=[username for username, _ in logins])
    click.echo("演示账号（只显示这一次；忘记后可用 flask users add 用户名 --password 新密码 重设）：")
    for username, password in logins:
        click.echo(f"  {username:<18} {password}")


def _import_sample_banks() -> None:
    checked = check_sources([Path(current_app.config["BANKS_DIR"])])
    if not checked.ok:
        raise click.ClickException("sample banks do not validate:\n" + "\n".join(map(str, checked.problems)))
    summary, papers = import_sources(checked)
    click.echo(f"示例题库：{len(checked.banks)} 个，{summary.counts()}；{papers.counts()}")


def _schedule_demo_exams() -> None:
    """Two open sessions so a demo candidate has something to sit straight away."""
    now = utcnow()
    candidates = [username for username, _, role, _ in DEMO_ACCOUNTS if role == Role.CANDIDATE]
    schedule_session(blueprint_slug="semifinal-sample", title="复赛笔试（演示）", opens_at=now,
                     closes_at=now + timedelta(days=30), usernames=candidates, org_code=None,
                     review=ScoreRelease.AFTER_CLOSE, show_key=True, actor=None, channel="cli")
    schedule_session(blueprint_slug="mock-objective", title="百日练兵模拟卷（演示）", opens_at=now,
                     closes_at=now + timedelta(days=100), usernames=candidates, org_code=None,
                     review=ScoreRelease.IMMEDIATE, show_key=True, actor=None, channel="cli", mock=True,
                     max_attempts=10)


def _create_organisations() -> dict[str, Organisation]:
    created: dict[str, Organisation] = {}
    for code, name, kind, parent in DEMO_ORGANISATIONS:
        created[code] = Organisation(code=code, name=name, type=kind, parent=created.get(parent))
        db.session.add(created[code])
    return created


def _create_accounts(organisations: dict[str, Organisation]) -> list[tuple[str, str]]:
    logins = []
    for username, name, role, org in DEMO_ACCOUNTS:
        password = generate_password()
        user = User(username=username, name=name, role=role, organisation=organisations.get(org))
        set_password(user, password)
        db.session.add(user)
        logins.append((username, password))
    return logins
