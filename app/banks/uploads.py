"""Bank and paper files uploaded on the organisers' pages: read and validated as `flask bank import` reads them,
shown as a dry run (what each question's change is, word by word), and imported only when the organiser confirms
the very preview they saw.

Nothing is kept between the preview and the confirmation: the confirmation posts the files back with the
fingerprint of the preview, so any worker can take it and a change in between (someone else's import) is seen."""
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.banks.service import (
    CheckedSources,
    ImportSummary,
    SourcesRejected,
    check_sources,
    import_sources,
    revision_spec,
)
from app.database import end_unit
from app.domain.banks import BankDefaults, BankSpec, FieldChange, field_changes
from app.domain.problems import Problem
from app.extensions import db
from app.models import Bank, Question, User
from app.papers.service import BlueprintSummary

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class UploadedFile:
    """One uploaded file: a bank in any format import reads, or a paper blueprint (试卷方案, YAML)."""

    name: str
    data: bytes
    paper: bool = False


@dataclass
class UploadPreview:
    """What importing the files would do, or why they cannot be imported."""

    files: list[UploadedFile]
    problems: list[Problem]
    summary: ImportSummary | None = None
    papers: BlueprintSummary | None = None
    changes: dict[str, list[FieldChange]] = field(default_factory=dict)    # changed question ref → its changes
    question_count: int = 0

    @property
    def importable(self) -> bool:
        return self.summary is not None

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.warning]

    def fingerprint(self) -> str:
        """What the organiser confirms: these files, and these changes to the banks and papers."""
        digest = hashlib.sha256()
        for upload in self.files:
            digest.update(f"{upload.name}\0{upload.paper}\0".encode() + hashlib.sha256(upload.data).digest())
        if self.summary is not None and self.papers is not None:
            digest.update(json.dumps([vars(self.summary), vars(self.papers)], sort_keys=True).encode())
        return digest.hexdigest()


def safe_name(name: str) -> str:
    """The file's own name (Chinese kept: it is what problems are reported against), without any path."""
    return _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "upload"


def preview(files: list[UploadedFile], defaults: BankDefaults, partial: bool, actor: User) -> UploadPreview:
    """A dry run of importing the files: everything is read, checked and imported, then rolled back."""
    result = _read_and_import(files, defaults, partial, actor)
    end_unit(keep=False)
    return result


def confirm(files: list[UploadedFile], defaults: BankDefaults, partial: bool, actor: User,
            fingerprint: str) -> tuple[UploadPreview, bool]:
    """Import the files if doing so is still what the preview with this fingerprint showed; otherwise roll back
    and give the new preview (False)."""
    result = _read_and_import(files, defaults, partial, actor)
    if result.importable and result.fingerprint() == fingerprint:
        return result, True
    end_unit(keep=False)
    return result, False


def _read_and_import(files: list[UploadedFile], defaults: BankDefaults, partial: bool,
                     actor: User) -> UploadPreview:
    with TemporaryDirectory(prefix="bank-upload-") as directory:
        paths = [_written(Path(directory, str(index)), upload) for index, upload in enumerate(files)]
        checked = check_sources(paths, display=lambda path: path.name, defaults=defaults, partial=partial)
    result = UploadPreview(files, checked.problems, question_count=sum(len(b.questions) for b in checked.banks))
    if not checked.ok:
        return result
    changes = _question_changes(checked)
    try:
        result.summary, result.papers = import_sources(checked, actor=actor, channel="web")
    except SourcesRejected as rejected:
        result.problems = sorted([*result.problems, *rejected.problems])
        return result
    result.changes = {ref: changes[ref] for ref in result.summary.changed if ref in changes}
    return result


def _written(directory: Path, upload: UploadedFile) -> Path:
    """The file on disk where the readers look for it: a blueprint is told apart by its `papers/` folder."""
    path = directory / "papers" / upload.name if upload.paper else directory / upload.name
    path.parent.mkdir(parents=True)
    path.write_bytes(upload.data)
    return path


def _question_changes(checked: CheckedSources) -> dict[str, list[FieldChange]]:
    """Each uploaded question against its stored current revision, before the import makes a new one."""
    changes = {}
    for spec in checked.banks:
        stored = _stored_questions(spec)
        for question_spec in spec.questions:
            question = stored.get(question_spec.id)
            if question is not None:
                old = revision_spec(question).content()
                changes[f"{spec.slug}/{question_spec.id}"] = field_changes(old, question_spec.content())
    return changes


def _stored_questions(spec: BankSpec) -> dict[str, Question]:
    bank = db.session.scalar(select(Bank).where(Bank.slug == spec.slug)
                             .options(selectinload(Bank.questions).selectinload(Question.current)))
    return {question.code: question for question in bank.questions} if bank else {}
