"""Account rules shared by the CLI, the demo data and the login pages: passwords, account fields,
creating and importing accounts. Failed logins and sessions are app/users/logins.py's."""
import csv
import functools
import io
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import passwords as password_rules
from app.errors import AppError
from app.extensions import db
from app.models import Organisation, Role, User
from app.users.logins import end_sessions

# No 0/O, 1/l/I: initial passwords are read off paper slips in an exam hall.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
_NAME_MAX = 100
CSV_COLUMNS = ("username", "name", "role", "org")


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

def username_problem(username: str) -> str | None:
    if not username:
        return "username is empty"
    if not _USERNAME.fullmatch(username):
        return f"username {username!r} must be 1-64 letters, digits, '.', '_' or '-'"
    return None


def name_problem(name: str) -> str | None:
    if not name:
        return "name is empty"
    if len(name) > _NAME_MAX:
        return f"name is longer than {_NAME_MAX} characters"
    return None


def role_problem(role: str) -> str | None:
    if role in {r.value for r in Role}:
        return None
    return f"unknown role {role!r}: use {', '.join(r.value for r in Role)}"


def password_problem(password: str, *, username: str, name: str) -> str | None:
    """A chosen password held to app/domain/passwords.py's rules; the message is Chinese, for whoever chose it."""
    return "".join(password_rules.problems(password, username=username, name=name)) or None


def organisations_by_code(codes: set[str]) -> dict[str, Organisation]:
    return {org.code: org for org in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}


def _apply_fields(user: User, name: str, role: str, organisation: Organisation | None) -> dict[str, list]:
    """Set the account's fields; return those that changed as {field: [old, new]} for the audit trail."""
    old = {"name": user.name, "role": user.role, "org": user.organisation and user.organisation.code}
    new = {"name": name, "role": role, "org": organisation and organisation.code}
    user.name, user.role, user.organisation = name, role, organisation
    return {key: [old[key], new[key]] for key in old if old[key] != new[key]}


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
        raise AccountError(f"unknown organisation code {code!r}")
    return organisation


def _create(username: str, name: str, role: str, organisation: Organisation | None,
            password: str | None) -> SavedAccount:
    initial = None if password is not None else generate_password()
    user = User(username=username, name=name, role=role, organisation=organisation,
                must_change_password=initial is not None)
    set_password(user, password if initial is None else initial)
    db.session.add(user)
    return SavedAccount(user, "created", initial_password=initial)


# ---- importing a CSV ------------------------------------------------------------------------------

@dataclass(frozen=True)
class AccountRow:
    line: int
    username: str
    name: str
    role: str
    org: str                                      # organisation code; "" for none


Problem = tuple[int, str]                         # (line as a person counts it, message)


def parse_accounts_csv(data: bytes) -> tuple[list[AccountRow], list[Problem]]:
    """Rows of a `username,name,role,org` file (UTF-8, BOM or not) and everything wrong with it.
    The rows are fit to import only if there are no problems."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return [], [(line, "not UTF-8 text: in Excel save it as 'CSV UTF-8 (逗号分隔)'")]
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = ((reader.line_num, [cell.strip() for cell in cells])
             for cells in reader if any(cell.strip() for cell in cells))
    header_line, header = next(lines, (1, []))
    problems = _header_problems(header_line, header)
    if problems:
        return [], problems
    rows, seen = [], {}
    for line, cells in lines:
        row, row_problems = _row(line, header, cells, seen)
        problems += row_problems
        if row:
            rows.append(row)
    return rows, problems


def _header_problems(line: int, header: list[str]) -> list[Problem]:
    if not header:
        return [(line, f"empty file: the first line must be the header {','.join(CSV_COLUMNS)}")]
    problems = [(line, f"unknown column {name!r}") for name in header if name not in CSV_COLUMNS]
    problems += [(line, f"missing column {name!r}") for name in CSV_COLUMNS if name not in header]
    problems += [(line, f"column {name!r} appears more than once") for name in CSV_COLUMNS if header.count(name) > 1]
    if problems:
        problems.append((line, f"the header must be exactly {','.join(CSV_COLUMNS)}"))
    return problems


def _row(line: int, header: list[str], cells: list[str],
         seen: dict[str, int]) -> tuple[AccountRow | None, list[Problem]]:
    # Excel may leave empty cells after the last column; anything else out of place is an error.
    if len(cells) < len(header) or any(cells[len(header):]):
        return None, [(line, f"expected {len(header)} fields, found {len(cells)}")]
    values = dict(zip(header, cells, strict=False))
    row = AccountRow(line, values["username"], values["name"], values["role"], values["org"])
    checks = (username_problem(row.username), name_problem(row.name), role_problem(row.role))
    problems = [(line, problem) for problem in checks if problem]
    if row.username and row.username in seen:
        problems.append((line, f"duplicate username {row.username!r} (first on line {seen[row.username]})"))
    seen.setdefault(row.username, line)
    return row, problems


def unknown_organisations(rows: list[AccountRow]) -> list[Problem]:
    known = organisations_by_code({row.org for row in rows if row.org})
    return [(row.line, f"unknown organisation code {row.org!r}")
            for row in rows if row.org and row.org not in known]


@dataclass
class ImportResult:
    created: list[tuple[str, str]] = field(default_factory=list)   # (username, initial password)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_accounts(rows: list[AccountRow]) -> ImportResult:
    """Create or update the rows' accounts in the session; existing passwords are left alone."""
    organisations = organisations_by_code({row.org for row in rows if row.org})
    existing = {user.username: user for user in db.session.scalars(
        select(User).where(User.username.in_([row.username for row in rows])))}
    result, new_rows = ImportResult(), []
    for row in rows:
        user = existing.get(row.username)
        if user is None:
            new_rows.append(row)
        elif _apply_fields(user, row.name, row.role, organisations.get(row.org)):
            result.updated.append(row.username)
        else:
            result.unchanged.append(row.username)
    passwords = [generate_password() for _ in new_rows]
    for row, password, password_hash in zip(new_rows, passwords, hash_passwords(passwords), strict=True):
        db.session.add(User(username=row.username, name=row.name, role=row.role, password_hash=password_hash,
                            organisation=organisations.get(row.org), must_change_password=True))
        result.created.append((row.username, password))
    return result
