"""Banks between YAML and the database: import makes revisions, export writes them back.

Import works inside the caller's transaction; the caller commits, or rolls back for a dry run.
"""
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from app.banks.formats import FORMATS, export_path, left_out, readers
from app.banks.queries import CURRENT
from app.database import insert_rows
from app.domain.banks import BankDefaults, BankDocument, BankSpec, QuestionSpec, validate_documents
from app.domain.papers import (
    BlueprintSpec,
    Pool,
    draw,
    pool_from_banks,
    validate_blueprint_texts,
)
from app.domain.problems import Problem
from app.domain.sources import Reader, read_sources
from app.errors import AppError
from app.extensions import db
from app.models import (
    Bank,
    Question,
    QuestionRevision,
    RevisionTag,
    User,
    record,
    utcnow,
)
from app.papers.service import BlueprintSummary, import_blueprints, load_pool


@dataclass
class ImportSummary:
    """What an import did (or would do): question refs by outcome."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    banks_created: list[str] = field(default_factory=list)
    banks_updated: list[str] = field(default_factory=list)
    opened_to_practice: list[str] = field(default_factory=list)
    closed_to_practice: list[str] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.changed or self.retired or self.banks_created or self.banks_updated)

    def counts(self) -> str:
        return (f"added {len(self.added)}, changed {len(self.changed)}, "
                f"retired {len(self.retired)}, unchanged {self.unchanged}")


def import_banks(specs: list[BankSpec], *, actor: User | None = None, channel: str = "cli",
                 on_question: Callable[[], None] = lambda: None, held: Iterable[str] = ()) -> ImportSummary:
    """Import the banks read from files; `held` names banks whose files were skipped as unchanged."""
    summary = ImportSummary(unchanged=_live_questions(held))
    for spec in specs:
        bank = _upsert_bank(spec, summary)
        _sync_questions(bank, spec, summary, on_question)
    if summary.changes_anything:
        record("bank.import", ", ".join(spec.slug for spec in specs), actor=actor, channel=channel,
               added=summary.added, changed=summary.changed, retired=summary.retired, unchanged=summary.unchanged,
               opened_to_practice=summary.opened_to_practice, closed_to_practice=summary.closed_to_practice)
    db.session.flush()
    return summary


def _live_questions(slugs: Iterable[str]) -> int:
    slugs = list(slugs)
    if not slugs:
        return 0
    return db.session.scalar(select(func.count()).select_from(Question).join(Bank)
                             .where(Bank.slug.in_(slugs), Question.retired_at.is_(None))) or 0


def _upsert_bank(spec: BankSpec, summary: ImportSummary) -> Bank:
    bank = db.session.scalar(select(Bank).where(Bank.slug == spec.slug))
    fields = {"title": spec.title, "category": spec.category, "description": spec.description,
              "practice": spec.practice}
    source_file = Path(spec.file).name
    if bank is None:
        bank = Bank(slug=spec.slug, source_file=source_file, source_hash=spec.digest, **fields)
        db.session.add(bank)
        summary.banks_created.append(spec.slug)
        (summary.opened_to_practice if spec.practice else summary.closed_to_practice).append(spec.slug)
        return bank
    # The same bank read from another file (its workbook instead of its YAML) is not a change to the bank.
    bank.source_file, bank.source_hash = source_file, spec.digest
    if bank.practice != spec.practice:
        (summary.opened_to_practice if spec.practice else summary.closed_to_practice).append(spec.slug)
    if any(getattr(bank, key) != value for key, value in fields.items()):
        for key, value in fields.items():
            setattr(bank, key, value)
        bank.updated_at = utcnow()
        summary.banks_updated.append(spec.slug)
    return bank


def _sync_questions(bank: Bank, spec: BankSpec, summary: ImportSummary, on_question: Callable[[], None]) -> None:
    existing, hashes = _stored_questions(bank)
    fresh: list[tuple[int, QuestionSpec]] = []
    revisions: list[tuple[QuestionSpec, str]] = []      # every new revision, first or next, with its content hash
    for position, question_spec in enumerate(spec.questions):
        ref = f"{spec.slug}/{question_spec.id}"
        question = existing.pop(question_spec.id, None)
        digest = question_spec.content_hash()
        if question is None:
            fresh.append((position, question_spec))
            revisions.append((question_spec, digest))
            summary.added.append(ref)
        elif question.retired_at is not None or hashes[question.id] != digest:
            # A changed (or returning) question gets a new revision; the old ones stay for papers that drew them.
            question.retired_at = None
            if hashes[question.id] != digest:
                question.latest_number += 1
                revisions.append((question_spec, digest))
            summary.changed.append(ref)
        else:
            summary.unchanged += 1
        if question is not None and question.position != position:
            question.position = position
        on_question()
    _insert_new(bank, fresh, revisions)
    for question in existing.values():
        if question.retired_at is None and question.code not in spec.skipped:
            question.retired_at = utcnow()
            summary.retired.append(f"{spec.slug}/{question.code}")


def _insert_new(bank: Bank, fresh: list[tuple[int, QuestionSpec]], revisions: list[tuple[QuestionSpec, str]]) -> None:
    """New questions, and every new revision (a new question's first, a changed one's next) with its tags, inserted in
    bulk rather than as an object per row (an import of thousands of questions is mostly these), their ids read back by
    their keys: RETURNING would make the rows multi-row statements of thousands of parameters, each rewritten by
    psycopg placeholder by placeholder."""
    if not revisions:
        return
    db.session.flush()      # the bank's id, and the changed questions' revision numbers
    insert_rows(Question, [{"bank_id": bank.id, "code": spec.id, "position": position, "latest_number": 1,
                            "retired_at": None} for position, spec in fresh])
    numbered = {code: (question_id, number) for code, question_id, number in db.session.execute(
        select(Question.code, Question.id, Question.latest_number).where(Question.bank_id == bank.id))}
    now = utcnow()
    insert_rows(QuestionRevision, [_revision_row(spec, digest, *numbered[spec.id], now) for spec, digest in revisions])
    revision_ids = dict(db.session.execute(select(Question.code, QuestionRevision.id).join(QuestionRevision, CURRENT)
                                           .where(Question.bank_id == bank.id)).all())
    insert_rows(RevisionTag, [{"revision_id": revision_ids[spec.id], "tag": tag}
                              for spec, _ in revisions for tag in dict.fromkeys(spec.tags)])


def _revision_row(spec: QuestionSpec, digest: str, question_id: int, number: int, now: datetime) -> dict:
    """Every column of a revision, so that every row of one insert names the same columns."""
    return {"question_id": question_id, "number": number, "content_hash": digest, "created_at": now,
            "prompts": [], "parts": [], "family": "", **spec.content()}


def _stored_questions(bank: Bank) -> tuple[dict[str, Question], dict[int, str]]:
    """A bank's questions by code, and each one's current content hash: the hash alone, not the whole revision."""
    if bank.id is None:
        return {}, {}
    questions = {question.code: question for question in
                 db.session.scalars(select(Question).where(Question.bank_id == bank.id))}
    hashes = dict(db.session.execute(select(Question.id, QuestionRevision.content_hash)
                                     .join(QuestionRevision, CURRENT).where(Question.bank_id == bank.id)).all())
    return questions, hashes


def revision_spec(question: Question, revision: QuestionRevision | None = None) -> QuestionSpec:
    """A stored revision (the current one by default) back in the domain's canonical form."""
    revision = revision or question.current
    return QuestionSpec(
        id=question.code, type=revision.type, stem=revision.stem, options=revision.options,
        answer=revision.answer, blank_order=revision.blank_order, reference_answer=revision.reference_answer,
        rubric=revision.rubric, parts=revision.parts or [], explanation=revision.explanation, source=revision.source,
        difficulty=revision.difficulty, tags=revision.tags, prompts=revision.prompts or [],
        family=revision.family,
    )


def bank_spec(bank: Bank) -> BankSpec:
    """A bank's live questions (not the retired ones) as a spec, in file order."""
    return BankSpec(
        slug=bank.slug, title=bank.title, category=bank.category, description=bank.description,
        practice=bank.practice, file=bank.source_file or f"{bank.slug}.yaml",
        questions=[revision_spec(question) for question in bank.questions if question.retired_at is None],
    )


def export_banks(directory: Path, format_name: str = "yaml", left_out_by: list[str] | None = None) -> list[Path]:
    """Write each bank's current revisions in a format (FORMATS), one file per bank; what the format cannot carry
    (a material outside YAML) is named in `left_out_by`."""
    fmt = FORMATS[format_name]
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    banks: Iterable[Bank] = db.session.scalars(
        select(Bank).order_by(Bank.slug).options(selectinload(Bank.questions).selectinload(Question.current))
    )
    for bank in banks:
        spec = bank_spec(bank)
        if left_out_by is not None:
            left_out_by.extend(left_out(spec, fmt))
        path = export_path(directory, spec, fmt)
        path.write_bytes(fmt.write(spec))
        written.append(path)
    return written


@dataclass
class CheckedSources:
    """Bank and paper files after validation: what may be imported, and every problem found."""

    banks: list[BankSpec]
    blueprints: list[BlueprintSpec]
    problems: list[Problem]
    unchanged: list[str] = field(default_factory=list)    # banks whose files the database holds as they are

    @property
    def ok(self) -> bool:
        return not any(not problem.warning for problem in self.problems)


def check_sources(paths: list[Path], display: Callable[[Path], str] = str, *, defaults: BankDefaults | None = None,
                  partial: bool = False, skip_unchanged: bool = False) -> CheckedSources:
    """Validate banks in any format import reads, then check each blueprint fills from those banks (and, for other
    banks, the database). `defaults` fills in bank metadata a file lacks; `partial` leaves out questions with errors;
    `skip_unchanged` does not read again a file the database holds as it is (an import's, not a validation's)."""
    held = _held_files() if skip_unchanged and defaults is None and not partial else {}
    sources = read_sources(paths, display, _hashing(readers(), held))
    banks, bank_problems = validate_documents(sources.banks, defaults, partial)
    pool = pool_from_banks(banks)
    if sources.papers:
        in_files = {bank.slug for bank in banks}
        pool += [question for question in _database_pool() if question.bank not in in_files]
    blueprints, paper_problems = validate_blueprint_texts(sources.papers, pool)
    held_banks = [document.unchanged for document in sources.banks if document.unchanged]
    return CheckedSources(banks, blueprints, sources.problems + bank_problems + paper_problems, held_banks)


def _held_files() -> dict[tuple[str, str], str]:
    """(file name, SHA-256) → slug of each bank last imported whole from that file."""
    try:
        rows = db.session.execute(select(Bank.source_file, Bank.source_hash, Bank.slug).where(Bank.source_hash != ""))
        return {(name, digest): slug for name, digest, slug in rows}
    except OperationalError:
        db.session.rollback()
        return {}


def _hashing(readers: dict[str, Reader], held: dict[tuple[str, str], str]) -> dict[str, Reader]:
    """The readers, each giving the file's SHA-256 with its document, or not reading at all a file held unchanged."""
    def hashed(read: Reader) -> Reader:
        def read_hashed(file: Path, name: str) -> BankDocument:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            slug = held.get((file.name, digest))
            return BankDocument(name, None, unchanged=slug) if slug else replace(read(file, name), digest=digest)
        return read_hashed
    return {suffix: hashed(read) for suffix, read in readers.items()}


def _database_pool() -> Pool:
    """The imported pool, or none where no database has been set up (validating YAML on a laptop)."""
    try:
        return load_pool()
    except OperationalError:
        db.session.rollback()
        return Pool([])


def import_sources(checked: CheckedSources, *, actor: User | None = None, channel: str = "cli",
                   on_question: Callable[[], None] = lambda: None) -> tuple[ImportSummary, BlueprintSummary]:
    """Import checked banks, then blueprints, checking each blueprint against the pool now in the database (when
    the import changed no bank, that is the pool check_sources checked them against)."""
    summary = import_banks(checked.banks, actor=actor, channel=channel, on_question=on_question,
                           held=checked.unchanged)
    if checked.blueprints and summary.changes_anything:
        pool = load_pool()
        problems = [Problem(blueprint.file, shortfall.line, str(shortfall), blueprint.slug)
                    for blueprint in checked.blueprints for shortfall in draw(blueprint, pool, seed=0).shortfalls]
        if problems:
            raise SourcesRejected(problems)
    return summary, import_blueprints(checked.blueprints)


class SourcesRejected(AppError):
    """Files that validated alone but not against the database (a blueprint the imported pool can't fill)."""

    status, code = 422, "invalid_sources"

    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(map(str, problems)))
        self.problems = problems
