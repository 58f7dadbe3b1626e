"""`flask bank validate | import | export | template` (DESIGN §3.3): banks (YAML, or any format in
app/banks/formats.py) and paper blueprints under question_banks/."""
import sys
from collections import Counter
from functools import wraps
from pathlib import Path

import click
from flask import current_app

from app.banks.formats import FORMATS, writable
from app.banks.service import (
    CheckedSources,
    SourcesRejected,
    check_sources,
    export_banks,
    import_sources,
)
from app.commands import Commands
from app.database import end_unit
from app.domain import workbooks
from app.domain.banks import CATEGORY_WORDS, BankDefaults, BankSpec
from app.domain.papers import pool_from_banks, undrawable
from app.domain.problems import Problem, summarised
from app.domain.questions import TYPES

bank_cli = Commands("bank", help="Validate, import and export question banks and paper blueprints.")
PROGRESS_ABOVE = 300  # questions; smaller imports finish before a bar would be useful
UNDRAWABLE_SHOWS = 10  # refs named per bank unless --verbose


def _reading_options(command):
    """What validate and import share: bank metadata for files without it, and partial imports."""
    @click.option("--bank", "slug", help="Bank slug for a file without one (default: the file's name).")
    @click.option("--category", type=click.Choice(sorted(CATEGORY_WORDS)),
                  help="Category for a file without one: theory | policy | party_affairs (or 理论/政策/党务).")
    @click.option("--title", help="Title for a file without one (default: the file's name).")
    @click.option("--partial", is_flag=True,
                  help="Take the questions that read cleanly; list each that did not, with its location.")
    @click.option("--verbose", is_flag=True,
                  help="List every warning (a warning repeated across many questions is otherwise one line).")
    @wraps(command)
    def with_options(*args, slug, category, title, partial, **kwargs):
        defaults = (BankDefaults(slug or "", CATEGORY_WORDS.get(category or "", ""), title or "")
                    if slug or category or title else None)
        return command(*args, reading={"defaults": defaults, "partial": partial}, **kwargs)
    return with_options


def _check(paths: tuple[str, ...], reading: dict, skip_unchanged: bool = False) -> CheckedSources:
    chosen = [Path(p) for p in paths] or [Path(current_app.config["BANKS_DIR"])]
    return check_sources(chosen, display=_display, skip_unchanged=skip_unchanged, **reading)


def _display(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(Path.cwd())) if resolved.is_relative_to(Path.cwd()) else str(path)


def _report(problems: list[Problem], verbose: bool) -> bool:
    """Print the problems, one line each (a warning repeated across many questions once, unless `verbose`); True
    when none of them is an error."""
    for line in summarised(problems, verbose):
        click.echo(line)
    errors = sum(not p.warning for p in problems)
    click.echo(f"{errors} error(s), {len(problems) - errors} warning(s)", err=True)
    return errors == 0


@bank_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--stats", is_flag=True, help="Print each bank's questions by type and by difficulty.")
@_reading_options
def validate(paths: tuple[str, ...], stats: bool, verbose: bool, reading: dict) -> None:
    """Check bank and paper files; one line per problem: FILE:LINE: [ID] message."""
    checked = _check(paths, reading)
    ok = _report(checked.problems, verbose)
    if checked.blueprints:
        _report_undrawable(checked, verbose)
    if stats:
        _report_stats(checked.banks)
    click.echo(f"{len(checked.banks)} bank(s), {sum(len(b.questions) for b in checked.banks)} question(s), "
               f"{len(checked.blueprints)} paper(s) checked", err=True)
    raise SystemExit(0 if ok else 1)


def _report_undrawable(checked: CheckedSources, verbose: bool) -> None:
    """Information, not a warning: a filter that leaves part of a bank out may be meant (a fixed item's bank, a type
    kept for practice), but whoever wrote it should see what it left out."""
    for slug, refs in undrawable(checked.blueprints, pool_from_banks(checked.banks)).items():
        shown = refs if verbose else refs[:UNDRAWABLE_SHOWS]
        more = "" if len(shown) == len(refs) else " 等（--verbose 列出全部）"
        click.echo(f"信息：题库 {slug} 有 {len(refs)} 道题没有试卷蓝图能抽到：{'、'.join(shown)}{more}")


def _report_stats(banks: list[BankSpec]) -> None:
    """What an organiser checks a bank's spread by: its questions by type, and by difficulty 1 to 5."""
    for bank in banks:
        by_type = Counter(question.type for question in bank.questions)
        by_level = Counter(question.difficulty for question in bank.questions)
        types = "、".join(f"{label} {by_type[name]}" for name, label in TYPES.items() if by_type[name])
        levels = "/".join(str(by_level[level]) for level in range(1, 6))
        click.echo(f"题库 {bank.slug}：{len(bank.questions)} 题；{types}；难度 1/2/3/4/5：{levels}")


@bank_cli.command("import")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@_reading_options
def import_(paths: tuple[str, ...], dry_run: bool, verbose: bool, reading: dict) -> None:
    """Import banks (.yaml, .xlsx …) and papers in one transaction: any error and nothing is written. A file the
    database holds as it was last imported is not read again."""
    checked = _check(paths, reading, skip_unchanged=True)
    if not _report(checked.problems, verbose):
        click.echo("nothing imported", err=True)
        raise SystemExit(1)
    total = sum(len(bank.questions) for bank in checked.banks)
    try:
        with click.progressbar(length=total, label="importing", file=sys.stderr,
                               hidden=total <= PROGRESS_ABOVE) as bar:
            summary, papers = import_sources(checked, on_question=lambda: bar.update(1))
    except SourcesRejected as rejected:
        _report(rejected.problems, verbose)
        click.echo("nothing imported", err=True)
        raise SystemExit(1) from None
    _print_changes(summary, verbose=dry_run)
    if dry_run:
        end_unit(keep=False)
        paper_counts = f"; {papers.counts()}" if checked.blueprints else ""
        click.echo(f"dry run: would be {summary.counts()}{paper_counts}; nothing written")
        return
    click.echo(summary.counts())
    if checked.blueprints:
        click.echo(papers.counts())


def _print_changes(summary, verbose: bool) -> None:
    for slug in summary.banks_created:
        click.echo(f"new bank {slug}")
    for slug in summary.banks_updated:
        click.echo(f"bank {slug}: title, category, description or practice changed")
    for slug in summary.opened_to_practice:
        click.echo(f"bank {slug}: open to practice (drills, daily set, mocks)")
    for slug in summary.closed_to_practice:
        click.echo(f"bank {slug}: closed to practice")
    if not verbose:
        return
    for label, refs in (("add", summary.added), ("change", summary.changed), ("retire", summary.retired)):
        for ref in refs:
            click.echo(f"{label} {ref}")


@bank_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--format", "format_name", type=click.Choice(writable()), default="yaml", show_default=True,
              help="File format, one file per bank.")
def export(directory: str, format_name: str) -> None:
    """Write the current revisions, one file per bank, that import back unchanged."""
    skipped: list[str] = []
    for path in export_banks(Path(directory), format_name, skipped):
        click.echo(str(path))
    for line in skipped:
        click.echo(f"未导出 {line}", err=True)


@bank_cli.command("template")
@click.argument("file", type=click.Path(dir_okay=False))
def template(file: str) -> None:
    """Write an empty bank workbook (.xlsx) with an instructions sheet (说明)."""
    path = Path(file)
    if path.suffix.lower() != FORMATS["xlsx"].suffix:
        raise click.BadParameter("the template is a workbook: FILE.xlsx", param_hint="FILE")
    path.write_bytes(workbooks.template())
    click.echo(str(path))
