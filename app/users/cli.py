"""`flask users add`, `import` and `unlock` (DESIGN §3.3): accounts created, updated and unlocked from the command
line."""
from pathlib import Path

import click

from app.commands import Commands
from app.domain.accounts import read_accounts
from app.extensions import db
from app.models import User, record, utcnow
from app.users import logins, service
from app.web import localtime

users_cli = Commands("users", help="Manage accounts.")


@users_cli.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Full name, as shown on pages and standings.")
@click.option("--role", required=True, help="candidate, judge or organiser.")
@click.option("--password", help="Set this password (at least 12 characters, not a common password, not containing "
                                 "the username or name); it signs out the account's sessions. Without it a new "
                                 "account gets a generated one, to be changed at first login; an existing account "
                                 "keeps its own.")
@click.option("--org", "org_code", help="Organisation code; an empty string removes the account's organisation.")
def add(username: str, name: str, role: str, password: str | None, org_code: str | None) -> None:
    """Create or update one account."""
    saved = service.save_account(username, name=name, role=role, password=password, org_code=org_code)
    if saved.outcome == "created":
        record("user.created", username, channel="cli", name=name, role=role, org=org_code or None)
    elif saved.outcome == "updated":
        record("user.updated", username, channel="cli", **saved.changes)
    click.echo(f"{saved.outcome} {username}")
    if saved.initial_password:
        click.echo(f"initial password (shown only this once): {saved.initial_password}")


@users_cli.command("unlock")
@click.argument("username")
def unlock(username: str) -> None:
    """Lift the login throttle on one account: its failed logins from every address, and a hold, are forgotten."""
    if db.session.scalar(db.select(User.id).filter_by(username=username)) is None:
        raise click.ClickException(f"no account {username!r}")
    lifted = logins.unlock(username, utcnow())
    if lifted is None:
        click.echo(f"{username}: no failed logins to forget")
        return
    record("user.unlocked", username, channel="cli", **lifted.audit())
    held = f"; the hold since {localtime(lifted.held_since)} is lifted" if lifted.held_since else ""
    click.echo(f"unlocked {username}: {lifted.failures} failed login(s) in a row, from "
               f"{len(lifted.addresses)} address(es), forgotten{held}")


@users_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def import_(path: Path) -> None:
    """Create or update accounts from a CSV (UTF-8 or GBK) or .xlsx file with the columns username,name,role,org
    (or 账号,姓名,角色,组织).

    Nothing is written if any line is wrong. New accounts get a generated initial password, printed once.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"{path}: cannot read: {error.strerror}") from None
    rows, problems = read_accounts(path.name, data)
    plan, unknown = service.plan_accounts(rows)
    problems = sorted(problems + unknown, key=lambda problem: problem[0])
    if problems:
        for line, message in problems:
            click.echo(f"{path}:{line}: {message}", err=True)
        click.get_current_context().exit(1)
    result = service.import_accounts(plan)
    record("users.imported", path.name, channel="cli", created=[username for username, _ in result.created],
           updated=result.updated, unchanged=len(result.unchanged))
    _print_result(result)


def _print_result(result: service.ImportResult) -> None:
    if result.created:
        click.echo("New accounts and their initial passwords (shown only this once):")
        click.echo("username,password")
        for username, password in result.created:
            click.echo(f"{username},{password}")
    click.echo(f"created {len(result.created)}, updated {len(result.updated)}, unchanged {len(result.unchanged)}")
