"""`flask contest load | scores | order | publish | close` and `flask standings show` (DESIGN §3.3)."""
import csv
import random
import sys
from pathlib import Path

import click

from app.commands import Commands
from app.contests.loading import ContestRejected, load_contest
from app.contests.pages import PageRefused, locked_round, sheet_rows_of
from app.contests.rounds import (
    RoundRefused,
    close,
    close_plan,
    find_round,
    publish,
    publish_plan,
)
from app.contests.scores import import_scores_csv, record_import
from app.contests.speaking import drawn_order, lectures_scored, set_order, speakers, typed_order
from app.contests.standings import round_standings
from app.contests.tables import standings_rows
from app.contests.versions import find_version, latest_numbers, version_standings
from app.domain.cells import neutralised
from app.domain.contests import parse_contest, reader_beside
from app.domain.inputs import INT_LIMIT
from app.domain.orders import OrderRefused, read_order_csv
from app.web import localtime

contest_cli = Commands("contest", help="Load contests, import scores, publish and close rounds.")
standings_cli = Commands("standings", help="Show a round's standings.")


@contest_cli.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
def load(file: str) -> None:
    """Create or update a contest from YAML; new candidates' initial passwords are printed once."""
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file}: cannot read ({error.__class__.__name__})") from None
    spec, problems = parse_contest(text, file, reader_beside(path))
    for problem in problems:
        click.echo(str(problem))
    if spec is None:
        click.echo("nothing loaded", err=True)
        raise SystemExit(1)
    try:
        summary = load_contest(spec, path.name)
    except ContestRejected as rejected:
        click.echo("\n".join(rejected.problems))
        click.echo("nothing loaded", err=True)
        raise SystemExit(1) from None
    if summary.new_accounts:
        click.echo("New accounts and their initial passwords (shown only this once):")
        click.echo("username,password")
        for username, password in summary.new_accounts:
            click.echo(f"{username},{password}")
    state = "created" if summary.contest_created else ("updated" if summary.changed else "unchanged")
    click.echo(f"contest {spec.slug} {state}: {len(spec.organisations)} organisations, "
               f"{len(spec.candidates)} candidates, {len(spec.rounds)} rounds, {len(summary.changes)} change(s)")


@contest_cli.command("scores")
@click.argument("round_ref", metavar="CONTEST/ROUND")
@click.argument("component")
@click.argument("file", type=click.Path(dir_okay=False))
def scores(round_ref: str, component: str, file: str) -> None:
    """Import one component's scores: username,score or username,judge,score. All or nothing."""
    round_ = find_round(round_ref)
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file}: cannot read ({error.__class__.__name__})") from None
    added, problems = import_scores_csv(round_, component, text, file, actor=None)
    if problems:
        click.echo("\n".join(problems))
        click.echo("nothing imported", err=True)
        raise SystemExit(1)
    record_import(round_, component, added, None, Path(file).name)
    click.echo(f"{added} score(s) added to {round_ref} {component}")


@contest_cli.command("order")
@click.argument("round_ref", metavar="CONTEST/ROUND")
@click.option("--draw", is_flag=True, help="draw the speaking order at random (随机抽签)")
@click.option("--file", "file", type=click.Path(dir_okay=False),
              help="a CSV or XLSX with username,order (or 账号,出场顺序) columns")
@click.option("--yes", is_flag=True, help="change it even though lecture scores have been entered")
def order_command(round_ref: str, draw: bool, file: str | None, yes: bool) -> None:
    """Show or set the speaking order (出场顺序) of the round's Party lectures; prints order,username,name."""
    round_ = _locked(round_ref)
    if draw and file:
        raise click.UsageError("--draw and --file are alternatives")
    if draw or file:
        orders = drawn_order(round_, random.SystemRandom()) if draw else typed_order(round_, _order_file(file))
        scored = lectures_scored(round_)
        if scored and not yes:
            raise click.ClickException(f"{round_ref} already has {scored} lecture score(s); "
                                       "add --yes to change the speaking order anyway")
        changed = set_order(round_, orders, None, channel="cli", drawn=draw)
        click.echo(f"{round_ref}: speaking order {'drawn' if draw else 'set'}" + ("" if changed else " (unchanged)"))
    click.echo("order,username,name")
    for speaker in speakers(round_):
        click.echo(f"{speaker.order or ''},{speaker.user.username},{speaker.user.name}")


def _order_file(file: str) -> list[tuple[str, str]]:
    path = Path(file)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"{file}: cannot read ({error.__class__.__name__})") from None
    try:
        return read_order_csv(sheet_rows_of(path.name, data))
    except OrderRefused as refused:
        raise PageRefused(f"{file}: {refused}") from None


@contest_cli.command("publish")
@click.argument("round_ref", metavar="CONTEST/ROUND")
def publish_command(round_ref: str) -> None:
    """Publish the round's standings as its next version, which candidates and the projector then see."""
    round_ = _locked(round_ref)
    try:
        draft = publish_plan(round_)
    except RoundRefused as refused:
        raise click.ClickException(f"{refused.message}; nothing published") from None
    version = publish(round_, draft, None, channel="cli")
    click.echo(f"{round_ref}: version {version.number} published ({draft.moved} moved)")


@contest_cli.command("close")
@click.argument("round_ref", metavar="CONTEST/ROUND")
@click.option("--settle", default="", help="usernames tied across the line who go on (after a play-off)")
def close_command(round_ref: str, settle: str) -> None:
    """Close the round — publishing its final version first if the standings changed since the latest one —
    and enter its qualifiers into the next round."""
    round_ = _locked(round_ref)
    plan = close_plan(round_, {u.strip() for u in settle.split(",") if u.strip()})
    version = close(round_, plan, None, channel="cli")
    if plan.draft.differs:
        click.echo(f"{round_ref}: version {version.number} published as the final version ({plan.draft.moved} moved)")
    else:
        click.echo(f"{round_ref}: version {version.number} is the final version (unchanged)")
    names = [entrant.username for entrant in plan.qualifiers + plan.direct]
    click.echo(f"{round_ref} closed; {len(names)} go on: {', '.join(names)}")


@standings_cli.command("show")
@click.argument("round_ref", metavar="CONTEST/ROUND")
@click.option("--csv", "as_csv", is_flag=True, help="group,rank,username,name,<component…>,total,advanced")
@click.option("--version", "number", type=click.IntRange(0, INT_LIMIT - 1),
              help="a published version instead of the live computation")
def show(round_ref: str, as_csv: bool, number: int | None) -> None:
    """Print the round's standings, computed from the raw scores now, or as published in version N."""
    round_ = find_round(round_ref)
    result = round_standings(round_) if number is None else version_standings(_version(round_, number))
    header, rows = standings_rows(result)
    if as_csv:
        # Redirected into a file that Excel opens, like the web download: names stay text (domain.cells).
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows([neutralised(cell) for cell in row] for row in [header, *rows])
        return
    title = f"{result.heading.contest_title} · {result.heading.title}"
    if result.version is not None:
        title += f" · 第 {number} 版（公布于 {localtime(result.version.published_at)}）"
    click.echo(title)
    for row in [header, *rows]:
        click.echo("  ".join(str(cell) for cell in row))


def _locked(ref: str):
    """The round, held for this command's write (see locked_round)."""
    return locked_round(find_round(ref).id)


def _version(round_, number: int):
    version = find_version(round_, number)
    if version is None:
        published = latest_numbers([round_]).get(round_.id)
        known = f"published: 1–{published}" if published else "nothing published yet"
        raise click.ClickException(f"{round_.ref} has no version {number} ({known})")
    return version
