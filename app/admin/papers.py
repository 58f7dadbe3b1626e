"""Organiser pages over paper blueprints (试卷方案): each with its sections, total and whether the banks in force can
fill it now, and a preview draw with its keys, drawn again at will and never stored."""
import random

from flask import abort, render_template, request
from sqlalchemy import select

from app.admin import bp
from app.domain.inputs import int32
from app.domain.papers import blueprint_from_spec, draw
from app.domain.questions import question_type
from app.extensions import db
from app.models import PaperBlueprint, QuestionRevision, Role
from app.papers.service import load_pool
from app.web import role_required


@bp.get("/papers")
@role_required(Role.ORGANISER)
def papers():
    pool = load_pool()
    listed = []
    for blueprint in db.session.scalars(select(PaperBlueprint).order_by(PaperBlueprint.slug)):
        spec = blueprint_from_spec(blueprint.spec)
        listed.append((blueprint, spec, draw(spec, pool, seed=0).shortfalls))
    return render_template("admin/papers.html", listed=listed, label=lambda name: question_type(name).label)


@bp.get("/papers/<paper_slug>/preview")
@role_required(Role.ORGANISER)
def paper_preview(paper_slug: str):
    blueprint = db.session.scalar(select(PaperBlueprint).where(PaperBlueprint.slug == paper_slug)) or abort(404)
    seed = request.args.get("seed", type=int32) or random.SystemRandom().randrange(1, 2**31)
    spec = blueprint_from_spec(blueprint.spec)
    result = draw(spec, load_pool(), seed)
    revisions = {revision.id: revision for revision in db.session.scalars(select(QuestionRevision).where(
        QuestionRevision.id.in_([q.revision_id for s in result.sections for q in s.questions])))}
    sections = [(section, [(question, revisions[question.revision_id]) for question in section.questions])
                for section in result.sections]
    return render_template("admin/paper_preview.html", blueprint=blueprint, spec=spec, seed=seed, sections=sections,
                           shortfalls=result.shortfalls, next_seed=random.SystemRandom().randrange(1, 2**31))
