"""`flask bank validate | import | export` (DESIGN §3.3)."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.banks.service import export_banks, import_banks
from app.domain.banks import BankSpec, read_files, validate_texts
from app.domain.problems import Problem
from app.extensions import db

bank_cli = AppGroup("bank", help="Validate, import and export question banks.")
PROGRESS_ABOVE = 300  # questions; smaller imports finish before a bar would be useful


def _paths(paths: tuple[str, ...]) -> list[Path]:
    return [Path(p) for p in paths] or [Path(current_app.config["BANKS_DIR"])]


def _check(paths: tuple[str, ...]) -> tuple[list[BankSpec], list[Problem]]:
    files, unreadable = read_files(_paths(paths))
    banks, problems = validate_texts([(_display(name), text) for name, text in files])
    return banks, unreadable + problems


def _display(name: str) -> str:
    path = Path(name).resolve()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else name


def _report(problems: list[Problem]) -> bool:
    """Print every problem; True when none of them is an error."""
    for problem in problems:
        click.echo(str(problem))
    errors = sum(not p.warning for p in problems)
    click.echo(f"{errors} error(s), {len(problems) - errors} warning(s)", err=True)
    return errors == 0


@bank_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check bank files; one line per problem: FILE:LINE: [ID] message."""
    banks, problems = _check(paths)
    ok = _report(problems)
    click.echo(f"{len(banks)} bank(s), {sum(len(b.questions) for b in banks)} question(s) checked", err=True)
    raise SystemExit(0 if ok else 1)


@bank_cli.command("import")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
def import_(paths: tuple[str, ...], dry_run: bool) -> None:
    """Import banks in one transaction: any error and nothing is written."""
    banks, problems = _check(paths)
    if not _report(problems):
        click.echo("nothing imported", err=True)
        raise SystemExit(1)
    total = sum(len(bank.questions) for bank in banks)
    with click.progressbar(length=total, label="importing", file=sys.stderr,
                           hidden=total <= PROGRESS_ABOVE) as bar:
        summary = import_banks(banks, on_question=lambda: bar.update(1))
    _print_changes(summary, verbose=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo(f"dry run: would be {summary.counts()}; nothing written")
        return
    db.session.commit()
    click.echo(summary.counts())


def _print_changes(summary, verbose: bool) -> None:
    for slug in summary.banks_created:
        click.echo(f"new bank {slug}")
    for slug in summary.banks_updated:
        click.echo(f"bank {slug}: title, category or description changed")
    if not verbose:
        return
    for label, refs in (("add", summary.added), ("change", summary.changed), ("retire", summary.retired)):
        for ref in refs:
            click.echo(f"{label} {ref}")


@bank_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
def export(directory: str) -> None:
    """Write the current revisions as YAML that imports back unchanged."""
    for path in export_banks(Path(directory)):
        click.echo(str(path))
