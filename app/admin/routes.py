"""Organiser pages over the banks: overview, filtered question list, one question with its history."""
from flask import abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.admin import bp
from app.admin.banks import DOWNLOAD_FORMATS
from app.attempts.release import practice_status, withheld_counts
from app.banks.formats import FORMATS, omitted
from app.banks.queries import (
    QuestionFilter,
    bank_overviews,
    current_tags,
    question_query,
)
from app.banks.service import revision_spec
from app.domain.banks import CATEGORIES, field_changes
from app.domain.inputs import int32
from app.domain.questions import TYPES
from app.extensions import db
from app.models import AuditEvent, Bank, Question, Role, utcnow
from app.web import role_required

PER_PAGE = 30


@bp.get("/")
@role_required(Role.ORGANISER)
def index():
    imports = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "bank.import").order_by(AuditEvent.at.desc()).limit(10)
    )
    overviews = bank_overviews()
    omissions = {o.bank.id: {label: text for name, label in DOWNLOAD_FORMATS.items()
                             if (text := omitted(o.by_type, FORMATS[name]))} for o in overviews}
    return render_template("admin/index.html", overviews=overviews, imports=list(imports),
                           types=TYPES, categories=CATEGORIES, withheld=withheld_counts(utcnow()),
                           download_formats=DOWNLOAD_FORMATS, omissions=omissions)


@bp.get("/questions")
@role_required(Role.ORGANISER)
def questions():
    filters = QuestionFilter(
        bank=request.args.get("bank", ""),
        type=request.args.get("type", "") if request.args.get("type") in TYPES else "",
        tag=request.args.get("tag", ""),
        difficulty=request.args.get("difficulty", type=int32),
        text=request.args.get("q", "").strip(),
        include_retired=request.args.get("retired") == "1",
    )
    page = db.paginate(question_query(filters), page=request.args.get("page", 1, type=int32), per_page=PER_PAGE,
                       error_out=False)
    banks = db.session.scalars(select(Bank).order_by(Bank.slug))
    return render_template("admin/questions.html", page=page, filters=filters, banks=list(banks),
                           tags=current_tags(), types=TYPES)


@bp.get("/questions/<int:question_id>")
@role_required(Role.ORGANISER)
def question(question_id: int):
    question = db.session.scalar(
        select(Question).where(Question.id == question_id).options(selectinload(Question.revisions))
    ) or abort(404)
    number = request.args.get("rev", type=int) or question.latest_number
    shown = next((r for r in question.revisions if r.number == number), None) or abort(404)
    contents = [revision_spec(question, revision).content() for revision in question.revisions]
    history = [
        (revision, field_changes(previous, content) if previous else [])
        for revision, previous, content in zip(question.revisions, [None, *contents], contents, strict=False)
    ]
    return render_template("admin/question.html", question=question, revision=shown,
                           answer=shown.kind.describe_answer(shown.answer), history=list(reversed(history)),
                           practice=practice_status(question, utcnow()))
