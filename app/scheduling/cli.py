"""`flask exam schedule` and `flask exam sweep` (DESIGN §3.3)."""
import click
from flask import current_app

from app.attempts.sweeper import sweep_all
from app.commands import Commands
from app.contests.rounds import find_round
from app.domain.times import parse_local_iso
from app.models import ScoreRelease, utcnow
from app.scheduling.service import schedule_session

exam_cli = Commands("exam", help="Schedule exam sessions and close attempts past their deadline.")


def _time(value: str, option: str):
    try:
        return parse_local_iso(value, current_app.config["TIMEZONE"])
    except ValueError:
        raise click.BadParameter(f"not an ISO time: {value!r} (e.g. 2026-12-01T09:00)", param_hint=option) from None


@exam_cli.command("schedule")
@click.argument("paper_id")
@click.option("--title", required=True, help="考试名称")
@click.option("--opens", required=True, help="ISO time; without an offset it is read in the configured zone")
@click.option("--closes", required=True, help="ISO time")
@click.option("--users", default="", help="comma-separated usernames")
@click.option("--org", "org", default=None, help="an organisation id: all its candidates, sub-organisations included")
@click.option("--review", type=click.Choice([r.value for r in ScoreRelease]), default=ScoreRelease.AFTER_CLOSE.value,
              show_default=True, help="when candidates see their score")
@click.option("--show-key/--no-show-key", default=False, help="show the key and explanations in the review")
@click.option("--round", "round_ref", default=None, metavar="CONTEST/ROUND",
              help="the round whose written score this session gives; without --users/--org, its entrants sit it")
@click.option("--mock", is_flag=True, help="a mock (模拟考试): per-attempt paper, full review at once")
@click.option("--attempts", "max_attempts", type=int, default=1, show_default=True, help="attempts allowed (mocks)")
@click.option("--away-limit", "away_alert_after", type=int, default=None,
              help="alert the organisers when a candidate leaves the exam page more often than this (切屏)")
def schedule(paper_id, title, opens, closes, users, org, review, show_key, round_ref, mock, max_attempts,
             away_alert_after) -> None:
    """Schedule a session of PAPER_ID; prints the session id alone on the last line."""
    usernames = [name.strip() for name in users.split(",") if name.strip()]
    round_ = find_round(round_ref) if round_ref else None
    session = schedule_session(blueprint_slug=paper_id, title=title, opens_at=_time(opens, "--opens"),
                               closes_at=_time(closes, "--closes"), usernames=usernames, org_code=org,
                               review=review, show_key=show_key, actor=None, channel="cli", round_=round_,
                               mock=mock, max_attempts=max_attempts, away_alert_after=away_alert_after)
    click.echo(f"scheduled {session.title!r} for {len(session.candidates)} candidate(s)")
    click.echo(session.id)


@exam_cli.command("sweep")
def sweep_command() -> None:
    """Close and mark every attempt past its deadline; bring ended sessions' answers into practice history.
    Safe anywhere, any number of times."""
    swept = sweep_all(utcnow())
    click.echo(f"closed {swept.closed} attempt(s), marked {swept.marked}")
    if swept.collected:
        click.echo(f"{swept.collected} answer(s) of ended sessions added to practice history")
    if swept.forgotten:
        click.echo(f"{swept.forgotten} failed-login record(s) past their hour forgotten")
