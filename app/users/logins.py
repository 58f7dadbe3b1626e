"""Logging in, as stored: the failed-login counters of app/domain/throttle.py (a try takes its slot before its
password is checked), organisers' unlocks, pruning by the sweep, the account a session cookie names, and ending every
session of an account."""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from werkzeug.local import LocalProxy

from app.database import begin_write, end_unit, read_alone
from app.domain import throttle
from app.errors import AppError, PasswordChangeRequired, Unauthenticated
from app.extensions import db
from app.models import AccountThrottle, LoginFailure, User


def policy() -> throttle.Policy:
    config = current_app.config
    return throttle.Policy(
        pair_free=config["LOGIN_PAIR_FREE"], pair_max_delay=config["LOGIN_PAIR_MAX_DELAY"],
        account_free=config["LOGIN_ACCOUNT_FREE"], account_interval=config["LOGIN_ACCOUNT_INTERVAL"],
        hold_after=config["LOGIN_HOLD_AFTER"], forget_after=config["LOGIN_FORGET_AFTER"])


def take_slot(username: str, address: str, now: datetime) -> throttle.Verdict:
    """Whether a try for `username` from `address` may have its password checked now. If so it is counted as a
    failure at once and committed, before the (slow) check: tries racing it see it, so concurrency buys no
    guesses; that commit is why a try is a unit of work of its own. A try that turns out right calls
    forget_failures."""
    rules = policy()
    begin_write()
    # Every transaction locks a username's account row before its pair rows: they queue there, never deadlock.
    account = _locked(AccountThrottle, username=username)
    pair = _locked(LoginFailure, username=username, address=address)
    verdict = throttle.verdict(_failures(pair), _failures(account), account.held_since is not None, now, rules)
    if verdict.allowed:
        for row in (account, pair):
            counted = throttle.counted(_failures(row), now, rules)
            row.failures, row.last_failed_at = counted.count, counted.last_at
        if throttle.holds(_failures(account), rules):
            account.held_since = now
    end_unit(keep=True)
    return verdict


def forget_failures(username: str, address: str) -> None:
    """The right password from `address`: forget its failures there and the account's count (a hold included).
    Failures from other addresses stay. Commit is the caller's."""
    begin_write()
    _locked(AccountThrottle, username=username)
    db.session.execute(delete(LoginFailure).filter_by(username=username, address=address))
    db.session.execute(delete(AccountThrottle).filter_by(username=username))


@dataclass(frozen=True)
class Throttled:
    """An account's failed logins still counted against it, as organisers see them."""
    user: User
    failures: int                                 # in a row, from all addresses
    last_failed_at: datetime
    held_since: datetime | None
    wait: int                                     # seconds before a try from a new address is heard
    addresses: list[tuple[str, int, int]]         # (address, failures from it, seconds before it is heard)

    @property
    def slowed(self) -> bool:
        return bool(self.wait or any(wait for _, _, wait in self.addresses))

    def audit(self) -> dict:
        return {"failures": self.failures, "held_since": self.held_since and self.held_since.isoformat(),
                "addresses": [address for address, _, _ in self.addresses]}


def throttled(now: datetime, username: str | None = None) -> list[Throttled]:
    """Accounts with failed logins from the last hour or a hold: held first, then slowed, then the rest, each the
    latest failure first. Only real accounts: made-up names are counted by unknown_names."""
    rules = policy()

    def rows(model, *where):
        return db.session.scalars(select(model).where(*where, *([model.username == username] if username else []))
                                  .order_by(model.last_failed_at.desc()))

    pairs = defaultdict(list)
    for pair in rows(LoginFailure, _remembered(LoginFailure, now)):
        pairs[pair.username].append(pair)
    accounts = {row.username: row for row in rows(
        AccountThrottle, or_(_remembered(AccountThrottle, now), AccountThrottle.held_since.is_not(None)))}
    users = db.session.scalars(select(User).where(User.username.in_(pairs.keys() | accounts.keys())))
    found = [_throttled(user, accounts.get(user.username), pairs[user.username], now, rules) for user in users]
    return sorted(found, key=lambda item: (item.held_since is None, not item.slowed, -item.last_failed_at.timestamp()))


def _throttled(user: User, account: AccountThrottle | None, pairs: list[LoginFailure], now: datetime,
               rules: throttle.Policy) -> Throttled:
    counter = _failures(account) if account else throttle.Failures()
    held_since = account.held_since if account else None

    def wait(pair_counter: throttle.Failures) -> int:
        return throttle.verdict(pair_counter, counter, held_since is not None, now, rules).wait

    addresses = [(pair.address, pair.failures, wait(_failures(pair))) for pair in pairs]
    last = max(filter(None, [counter.last_at, *(pair.last_failed_at for pair in pairs)]))
    # A hold outlasts the hour after which failures are forgotten; the run that caused it is still worth seeing.
    failures = counter.count if held_since else throttle.remembered(counter, now, rules)
    return Throttled(user, failures, last, held_since, wait(throttle.Failures()), addresses)


def unknown_names(now: datetime) -> int:
    """Made-up usernames with failed logins still counted, or held: typos, or someone trying names."""
    known = exists().where(User.username == AccountThrottle.username)
    counted = or_(_remembered(AccountThrottle, now), AccountThrottle.held_since.is_not(None))
    return db.session.scalar(select(func.count()).select_from(AccountThrottle).where(counted, ~known))


def unlock(username: str, now: datetime) -> Throttled | None:
    """An organiser lifts the throttle: the account's failures from every address and its hold are forgotten.
    Returns what was lifted, or None (and nothing written) when nothing was counted against it. Commit is the
    caller's."""
    lifted = throttled(now, username)
    if not lifted:
        return None
    begin_write()
    _locked(AccountThrottle, username=username)
    db.session.execute(delete(LoginFailure).filter_by(username=username))
    db.session.execute(delete(AccountThrottle).filter_by(username=username))
    return lifted[0]


def prune(now: datetime) -> int:
    """Delete counters that are forgotten anyway, so the tables hold only the last hour's failures (made-up names
    included) and holds. A hold stays until an organiser lifts it whether or not the name is an account: were a
    made-up name's to lapse, one try an hour later would tell it from a real one, still held. Returns how many rows
    went; most runs take no write lock."""
    cutoff = now - timedelta(seconds=policy().forget_after)
    stale_pairs = or_(LoginFailure.last_failed_at.is_(None), LoginFailure.last_failed_at < cutoff)
    stale_accounts = (or_(AccountThrottle.last_failed_at.is_(None), AccountThrottle.last_failed_at < cutoff)
                      & AccountThrottle.held_since.is_(None))
    if not (db.session.scalar(select(exists().where(stale_pairs)))
            or db.session.scalar(select(exists().where(stale_accounts)))):
        return 0
    begin_write()
    # Account rows first, as take_slot locks them, so that a login at the same moment never deadlocks with it.
    return (db.session.execute(delete(AccountThrottle).where(stale_accounts)).rowcount
            + db.session.execute(delete(LoginFailure).where(stale_pairs)).rowcount)


_ACCOUNT = select(*User.__table__.columns).where(User.__table__.c.id == bindparam("id"))


def session_account(session_key: str) -> User | None:
    """The account a session or remember-me cookie names (User.get_id), if that session still stands: the account
    is active and the cookie carries its session version. Read on every request, and built from one Core read rather
    than loaded by the ORM, which took a fifth of the app CPU of a request that only submits."""
    key = User.parse_session_key(session_key)
    if key is None:
        return None
    user = db.session.identity_map.get(identity_key(User, key[0])) or _account(key[0])
    # A deactivated account loses sessions it already had, not only future logins; so does every session (and
    # remember-me cookie) issued before its session version rose: logout, a new password, an organiser's sign-out.
    return user if user is not None and user.active and user.session_version == key[1] else None


def _account(user_id: int) -> User | None:
    """The account as stored, in the session as if the ORM had loaded it."""
    row = read_alone(_ACCOUNT, {"id": user_id})
    if row is None:
        return None
    user = User(**row._mapping)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


NOT_LOGGED_IN = "请先登录。"
PASSWORD_DUE = "请先修改初始密码。"


class ClaimedAccount:
    """The account a session cookie names (id and session version, as signed when it was issued), taken at its word
    until the request's write checks that it still stands (`refused_claims`): the exam API's saves and submits check
    every claim of their batch in one read inside the write, where reading each account alone before it was a
    quarter of a submit's CPU on PostgreSQL. It has no name and no role: a view that needs them loads the account."""

    is_authenticated, is_active, is_anonymous = True, True, False
    must_change_password = False    # checked with the rest, by the write

    def __init__(self, user_id: int, session_version: int):
        self.id, self.session_version = user_id, session_version
        self.checked = False        # set by refused_claims; a request that answers without it is a bug

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *_roles) -> bool:
        return False


def claimed_account(session_key: str) -> ClaimedAccount | None:
    key = User.parse_session_key(session_key)
    return ClaimedAccount(*key) if key is not None else None


_STANDING = (select(User.id, User.active, User.session_version, User.must_change_password)
             .where(User.id.in_(bindparam("ids", expanding=True))))


def refused_claims(claims: Iterable[ClaimedAccount]) -> dict[ClaimedAccount, AppError]:
    """What each claim that no longer stands is refused with, in one read of their accounts: 401 where the account
    was deactivated or the session ended since (a logout, a new password, an organiser's sign-out), 403 where the
    account must first choose its own password, as a request that loaded its account would have been refused.
    Claims that stand are left out."""
    claims = set(claims)
    if not claims:
        return {}
    rows = {row.id: row for row in db.session.execute(_STANDING, {"ids": sorted({claim.id for claim in claims})})}
    refused: dict[ClaimedAccount, AppError] = {}
    for claim in claims:
        claim.checked = True
        row = rows.get(claim.id)
        if row is None or not row.active or row.session_version != claim.session_version:
            refused[claim] = Unauthenticated(NOT_LOGGED_IN)
        elif row.must_change_password:
            refused[claim] = PasswordChangeRequired(PASSWORD_DUE)
    return refused


def claim_of(user: User | ClaimedAccount) -> ClaimedAccount | None:
    """The claim a write must check for this user (current_user's own object: a batch is written on another
    request's thread, where the proxy would name that request's user), or None for an account already read."""
    user = user._get_current_object() if isinstance(user, LocalProxy) else user
    return user if isinstance(user, ClaimedAccount) else None


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie the account has stops working: they carry the old session version.
    One UPDATE adds one, so two at once both count. Commit is the caller's; a device that should stay signed in
    logs in again after it (login_user), which reads the new version."""
    user.session_version = User.session_version + 1
    db.session.flush()


# ---- rows -----------------------------------------------------------------------------------------------------

def _locked(model, **key):
    """The row for `key`, made if missing and locked until the transaction ends (SQLite: begin_write's lock)."""
    query = select(model).filter_by(**key).with_for_update().execution_options(populate_existing=True)
    while (row := db.session.scalar(query)) is None:
        # A row made or pruned at the same moment by another process is fine: look again.
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        db.session.execute(insert(model).values(failures=0, **key).on_conflict_do_nothing())
    return row


def _failures(row: LoginFailure | AccountThrottle) -> throttle.Failures:
    return throttle.Failures(row.failures, row.last_failed_at)


def _remembered(model, now: datetime):
    return model.last_failed_at >= now - timedelta(seconds=policy().forget_after)
