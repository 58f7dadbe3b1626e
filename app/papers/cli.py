"""`flask paper preview PAPER_ID [--seed N]`: a drawn paper with its answer key, for organisers only."""
import random

import click
from sqlalchemy import select

from app.commands import Commands
from app.domain.papers import blueprint_from_spec, draw
from app.domain.questions import question_type
from app.extensions import db
from app.models import PaperBlueprint, QuestionRevision
from app.papers.service import load_pool

paper_cli = Commands("paper", help="Look at paper blueprints.")


@paper_cli.command("preview")
@click.argument("paper_id")
@click.option("--seed", type=int, default=None, help="the same seed draws the same paper")
def preview(paper_id: str, seed: int | None) -> None:
    """Print a drawn paper with its answer key."""
    blueprint = db.session.scalar(select(PaperBlueprint).where(PaperBlueprint.slug == paper_id))
    if blueprint is None:
        raise click.ClickException(f"no paper blueprint {paper_id!r}; import question_banks/papers/ first")
    seed = random.randrange(2**31) if seed is None else seed
    spec = blueprint_from_spec(blueprint.spec)
    result = draw(spec, load_pool(), seed)
    if not result.ok:
        raise click.ClickException("cannot fill the blueprint:\n" + "\n".join(map(str, result.shortfalls)))
    click.echo(f"{spec.title}  (paper {spec.slug}, seed {seed}, {spec.duration} 分钟, 满分 {spec.total_points:g})")
    number = 0
    for section in result.sections:
        click.echo(f"\n{section.title}  [{question_type(section.type).label}, 每题 {section.points:g} 分]")
        for question in section.questions:
            number += 1
            _print_question(number, question.ref, db.session.get(QuestionRevision, question.revision_id))


def _print_question(number: int, ref: str, revision: QuestionRevision) -> None:
    click.echo(f"{number}. {revision.stem}  ({ref})")
    for letter, text in revision.options.items():
        click.echo(f"   {letter}. {text}")
    key = revision.kind.describe_answer(revision.answer) if revision.kind.objective else revision.reference_answer
    click.echo(f"   答案：{key}")
