"""A list of accounts uploaded on the organisers' pages: read as `flask users import` reads it, shown as what would
happen to each account, and imported only when the organiser confirms the very preview they saw (the file comes back
with the preview's fingerprint; see app/admin/uploads.py)."""
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from app.database import begin_write
from app.domain.accounts import Problem, read_accounts
from app.extensions import db
from app.models import User, record
from app.users.service import ImportResult, PlannedAccount, import_accounts, plan_accounts


@dataclass
class AccountsPreview:
    """What importing the file would do, or why it cannot be imported."""

    filename: str
    data: bytes
    problems: list[Problem] = field(default_factory=list)
    plan: list[PlannedAccount] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return not self.problems and bool(self.plan)

    def counted(self, outcome: str) -> int:
        return sum(1 for planned in self.plan if planned.outcome == outcome)

    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.filename.encode() + b"\0" + hashlib.sha256(self.data).digest())
        digest.update(json.dumps([[p.row.username, p.outcome, p.changes] for p in self.plan]).encode())
        return digest.hexdigest()


def preview_accounts(filename: str, data: bytes) -> AccountsPreview:
    """Everything read and checked against the accounts there are; nothing written."""
    rows, problems = read_accounts(filename, data)
    plan, unknown = plan_accounts(rows)
    problems = sorted(problems + unknown, key=lambda problem: problem[0])
    return AccountsPreview(filename, data, problems, [] if problems else plan)


def confirm_accounts(filename: str, data: bytes, fingerprint: str,
                     actor: User) -> tuple[AccountsPreview, ImportResult | None]:
    """Import the file if that is still what the preview with this fingerprint showed; else None, nothing written."""
    begin_write()
    preview = preview_accounts(filename, data)
    if not preview.importable or preview.fingerprint() != fingerprint:
        return preview, None
    try:
        with db.session.begin_nested():
            result = import_accounts(preview.plan)
    except IntegrityError:
        # A second confirmation of the same list (a double click, on PostgreSQL) created them first: show what is now.
        return preview_accounts(filename, data), None
    record("users.imported", filename, actor=actor, created=[username for username, _ in result.created],
           updated=result.updated, unchanged=len(result.unchanged))
    return preview, result
