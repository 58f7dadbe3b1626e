"""Account rules shared by the CLI, the demo data and the login pages: passwords, account fields,
creating and importing accounts. Failed logins and sessions are app/users/logins.py's."""
import functools
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import passwords as password_rules
from app.domain.accounts import AccountRow, Problem, name_problem, role_of, role_problem, username_problem
from app.errors import AppError
from app.extensions import db
from app.models import Organisation, User
from app.users.logins import end_sessions

# No 0/O, 1/l/I: initial passwords are read off paper slips in an exam hall.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class AccountError(AppError):
    """An account that may not be stored as asked; nothing has been written."""

    status, code = 422, "invalid_account"


# PASSWORD_HASH_METHOD "argon2id" (production): OWASP's Password Storage Cheat Sheet's first choice, 19 MiB, two
# passes, one lane, about 30 ms a check, so a hall of 500 logs in within seconds. Any other method is werkzeug's
# (scrypt and pbkdf2 hashes stored before keep verifying, and are upgraded at the next login).
ARGON2ID = "argon2id"
_argon2 = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str, method: str) -> str:
    return _argon2.hash(password) if method == ARGON2ID else generate_password_hash(password, method=method)


def _verify(stored: str, password: str) -> bool:
    if not stored.startswith("$argon2"):
        return check_password_hash(stored, password)
    try:
        return _argon2.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password, current_app.config["PASSWORD_HASH_METHOD"])


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and _verify(user.password_hash, password)


def upgraded_hash(user: User, password: str) -> str | None:
    """A new hash of the right password just checked, if the stored one is of an older method or weaker parameters
    than argon2id's configured ones; computed before the login's write so the write stays short."""
    if current_app.config["PASSWORD_HASH_METHOD"] != ARGON2ID:
        return None
    stored = user.password_hash
    if stored.startswith("$argon2id$") and not _argon2.check_needs_rehash(stored):
        return None
    return _argon2.hash(password)


def generate_password(length: int = 10) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def authenticate(username: str, password: str) -> User | None:
    """The account these credentials open, or None; active or not is the caller's question."""
    user = db.session.scalar(select(User).filter_by(username=username))
    if user is None:
        # Hash anyway, so the time taken doesn't tell whether the account exists.
        _verify(_decoy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return user if check_password(user, password) else None


@functools.cache
def _decoy_hash(method: str) -> str:
    return hash_password(secrets.token_hex(16), method)


def hash_passwords(passwords: list[str]) -> list[str]:
    """Hashes for many passwords at once: each takes tens of milliseconds and releases the GIL, so use every core."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    with ThreadPoolExecutor() as pool:
        return list(pool.map(lambda password: hash_password(password, method), passwords))


# ---- account fields -------------------------------------------------------------------------------

def password_problem(password: str, *, username: str, name: str) -> str | None:
    """A chosen password held to app/domain/passwords.py's rules; the message is Chinese, for whoever chose it."""
    return "".join(password_rules.problems(password, username=username, name=name)) or None


def organisations_by_code(codes: set[str]) -> dict[str, Organisation]:
    return {org.code: org for org in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}


def _changes(user: User, name: str, role: str, organisation: Organisation | None) -> dict[str, list]:
    """What setting these fields would change, as {field: [old, new]} for the audit trail."""
    old = {"name": user.name, "role": user.role, "org": user.organisation and user.organisation.code}
    new = {"name": name, "role": role, "org": organisation and organisation.code}
    return {key: [old[key], new[key]] for key in old if old[key] != new[key]}


def _apply_fields(user: User, name: str, role: str, organisation: Organisation | None) -> dict[str, list]:
    """Set the account's fields; return those that changed."""
    changes = _changes(user, name, role, organisation)
    user.name, user.role, user.organisation = name, role, organisation
    return changes


# ---- one account ----------------------------------------------------------------------------------

@dataclass
class SavedAccount:
    user: User
    outcome: str                                  # "created", "updated" or "unchanged"
    changes: dict[str, list] = field(default_factory=dict)
    initial_password: str | None = None           # generated for a new account; shown to the organiser once


def save_account(username: str, *, name: str, role: str, password: str | None = None,
                 org_code: str | None = None) -> SavedAccount:
    """Create or update one account in the session. org_code None keeps an existing account's
    organisation, "" removes it. A chosen password is final; a generated one must be changed."""
    checks = [username_problem(username), name_problem(name), role_problem(role)]
    role = role_of(role) or role
    if password is not None:
        checks.append(password_problem(password, username=username, name=name))
    problems = [p for p in checks if p]
    if problems:
        raise AccountError("; ".join(problems))
    organisation = _organisation(org_code) if org_code else None
    user = db.session.scalar(select(User).filter_by(username=username))
    if user is None:
        return _create(username, name, role, organisation, password)
    changes = _apply_fields(user, name, role, user.organisation if org_code is None else organisation)
    if password is not None:
        set_password(user, password)
        user.must_change_password = False
        end_sessions(user)   # a password reset by an organiser signs out whoever was using the old one
        changes["password"] = "set"
    return SavedAccount(user, "updated" if changes else "unchanged", changes)


def _organisation(code: str) -> Organisation:
    organisation = organisations_by_code({code}).get(code)
    if organisation is None:
        raise AccountError(f"没有组织编码 {code}")
    return organisation


def _create(username: str, name: str, role: str, organisation: Organisation | None,
            password: str | None) -> SavedAccount:
    initial = None if password is not None else generate_password()
    user = User(username=username, name=name, role=role, organisation=organisation,
                must_change_password=initial is not None)
    set_password(user, password if initial is None else initial)
    db.session.add(user)
    return SavedAccount(user, "created", initial_password=initial)


# ---- importing a list of accounts -----------------------------------------------------------------

@dataclass(frozen=True)
class PlannedAccount:
    """One row of a list and what importing it would do: a new account, or an existing one changed or left alone."""

    row: AccountRow
    organisation: Organisation | None
    user: User | None                             # the existing account, if there is one

    @property
    def changes(self) -> dict[str, list]:
        """{field: [old, new]}, as the audit trail and the preview say them; empty for a new account."""
        if self.user is None:
            return {}
        return _changes(self.user, self.row.name, self.row.role, self.organisation)

    @property
    def outcome(self) -> str:
        return "created" if self.user is None else "updated" if self.changes else "unchanged"


def plan_accounts(rows: list[AccountRow]) -> tuple[list[PlannedAccount], list[Problem]]:
    """What importing these rows would do, and the organisations they name that cannot be told (by line)."""
    organisations, problems = _organisations_named({row.org for row in rows if row.org})
    existing = {user.username: user for user in db.session.scalars(
        select(User).where(User.username.in_([row.username for row in rows])).options(selectinload(User.organisation)))}
    plan = [PlannedAccount(row, organisations.get(row.org), existing.get(row.username)) for row in rows]
    return plan, [(row.line, problems[row.org]) for row in rows if row.org in problems]


def _organisations_named(written: set[str]) -> tuple[dict[str, Organisation], dict[str, str]]:
    """Each organisation by the code or the name written, and why a name tells none apart."""
    found = list(db.session.scalars(select(Organisation).where(
        or_(Organisation.code.in_(written), Organisation.name.in_(written)))))
    by_code = {org.code: org for org in found}
    named, problems = {}, {}
    for text in written:
        same_name = [org for org in found if org.name == text]
        if text in by_code or len(same_name) == 1:
            named[text] = by_code.get(text) or same_name[0]
        elif same_name:
            codes = "、".join(sorted(org.code for org in same_name))
            problems[text] = f"有 {len(same_name)} 个组织名为“{text}”：请改写组织编码（{codes}）"
        else:
            problems[text] = f"没有组织“{text}”：请写组织的编码或全称"
    return named, problems


@dataclass
class ImportResult:
    created: list[tuple[str, str]] = field(default_factory=list)   # (username, initial password)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_accounts(plan: list[PlannedAccount]) -> ImportResult:
    """Create or update the planned accounts in the session; existing passwords are left alone."""
    result, new = ImportResult(), []
    for planned in plan:
        row = planned.row
        if planned.user is None:
            new.append(planned)
        elif _apply_fields(planned.user, row.name, row.role, planned.organisation):
            result.updated.append(row.username)
        else:
            result.unchanged.append(row.username)
    passwords = [generate_password() for _ in new]
    for planned, password, password_hash in zip(new, passwords, hash_passwords(passwords), strict=True):
        row = planned.row
        db.session.add(User(username=row.username, name=row.name, role=row.role, password_hash=password_hash,
                            organisation=planned.organisation, must_change_password=True))
        result.created.append((row.username, password))
    return result
