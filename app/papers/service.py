"""Blueprints between YAML and the database, and drawing papers from the questions in force."""
import json
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import ColumnElement, Text, cast, select

from app.banks.queries import CURRENT
from app.domain.banks import content_hash
from app.domain.papers import (
    BlueprintSpec,
    Pool,
    PoolQuestion,
    Shortfall,
    blueprint_from_spec,
    draw,
)
from app.errors import AppError
from app.extensions import db
from app.models import (
    Bank,
    Paper,
    PaperBlueprint,
    PaperItem,
    Question,
    QuestionRevision,
    utcnow,
)


class Unfillable(AppError):
    """The pool cannot fill a blueprint; carries each shortfall."""

    status, code = 422, "unfillable"

    def __init__(self, shortfalls: list[Shortfall]):
        super().__init__("试卷无法组卷：" + "；".join(map(str, shortfalls)))
        self.shortfalls = shortfalls


@dataclass
class BlueprintSummary:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> str:
        return f"papers: added {len(self.added)}, changed {len(self.changed)}, unchanged {self.unchanged}"


def load_pool(*conditions: ColumnElement[bool]) -> Pool:
    """Every live question's current revision (meeting the conditions, e.g. open to practice), as drawing sees it:
    the few columns a draw looks at, indexed once. Tags come as text, each distinct list parsed once: questions share
    a few lists, and decoding every row's JSON was a third of the load."""
    rows = db.session.execute(
        select(Bank.slug, Question.code, QuestionRevision.id, QuestionRevision.type, QuestionRevision.difficulty,
               cast(QuestionRevision.tags, Text), QuestionRevision.family)
        .join(Question, Question.bank_id == Bank.id).join(QuestionRevision, CURRENT)
        .where(Question.retired_at.is_(None), *conditions)
    )
    tag_set = cache(lambda tags: frozenset(json.loads(tags)))
    return Pool(PoolQuestion(ref=f"{slug}/{code}", bank=slug, type=qtype, difficulty=difficulty,
                             tags=tag_set(tags), revision_id=revision_id, family=family)
                for slug, code, revision_id, qtype, difficulty, tags, family in rows)


def import_blueprints(specs: list[BlueprintSpec]) -> BlueprintSummary:
    """Store blueprints; papers already drawn keep what they drew, so a blueprint is simply replaced."""
    summary = BlueprintSummary()
    existing = {b.slug: b for b in db.session.scalars(select(PaperBlueprint))}
    for spec in specs:
        canonical = spec.spec()
        digest = content_hash(canonical)
        blueprint = existing.get(spec.slug)
        if blueprint is None:
            db.session.add(PaperBlueprint(slug=spec.slug, title=spec.title, spec=canonical, content_hash=digest,
                                          source_file=spec.file.rsplit("/", 1)[-1]))
            summary.added.append(spec.slug)
        elif blueprint.content_hash != digest:
            blueprint.title, blueprint.spec, blueprint.content_hash = spec.title, canonical, digest
            blueprint.updated_at = utcnow()
            summary.changed.append(spec.slug)
        else:
            summary.unchanged += 1
    db.session.flush()
    return summary


def draw_paper(blueprint: PaperBlueprint, seed: int, *conditions: ColumnElement[bool]) -> Paper:
    """Draw and store one paper from the pool in force now (limited by the conditions); Unfillable if it falls short."""
    paper = drawn_paper(blueprint, seed, *conditions)
    db.session.add(paper)
    db.session.flush()
    return paper


def drawn_paper(blueprint: PaperBlueprint, seed: int, *conditions: ColumnElement[bool]) -> Paper:
    """The paper draw_paper stores, not yet added to the session: drawn from a plain read, so that a mock's start
    draws before it takes the write lock (app/attempts/service.py)."""
    spec = blueprint_from_spec(blueprint.spec)
    result = draw(spec, load_pool(*conditions), seed)
    if not result.ok:
        raise Unfillable(result.shortfalls)
    paper = Paper(blueprint=blueprint, title=spec.title, seed=seed, duration=spec.duration,
                  multiple_scoring=spec.multiple_scoring, ordering_scoring=spec.ordering_scoring,
                  shuffle_questions=spec.shuffle_questions,
                  shuffle_options=spec.shuffle_options, total_points=0.0)
    position = 0
    for section_index, section in enumerate(result.sections):
        for question in section.questions:
            paper.items.append(PaperItem(position=position, section_index=section_index, section_title=section.title,
                                         revision_id=question.revision_id, points=float(section.points)))
            position += 1
    paper.total_points = float(sum(item.points for item in paper.items))
    return paper
