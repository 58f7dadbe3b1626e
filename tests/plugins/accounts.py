"""Accounts and signing in: make_user/make_org and the organiser fixtures; csrf_from, login and fail_logins helpers."""
import re
from datetime import datetime, timedelta

import pytest

from app.extensions import db
from app.models import Organisation, User
from app.users import logins
from app.users.service import set_password


@pytest.fixture
def make_user(app):
    """Create an account directly in the database: make_user("zhang", role="candidate")."""
    def make(username: str, *, role: str = "candidate", password: str = "secret-pass-1",
             name: str | None = None, org: str | None = None, must_change_password: bool = False) -> User:
        with app.app_context():
            organisation = db.session.scalar(db.select(Organisation).filter_by(code=org)) if org else None
            user = User(username=username, name=name or username, role=role, organisation=organisation,
                        must_change_password=must_change_password, password_hash="")
            set_password(user, password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user
    return make


@pytest.fixture
def make_org(app):
    def make(code: str, name: str | None = None, kind: str = "committee", parent: str | None = None) -> None:
        with app.app_context():
            parent_org = db.session.scalar(db.select(Organisation).filter_by(code=parent)) if parent else None
            db.session.add(Organisation(code=code, name=name or code, type=kind, parent=parent_org))
            db.session.commit()
    return make


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page carries no CSRF token"
    return match.group(1) or match.group(2)


def login(client, username: str, password: str = "secret-pass-1", **environ):
    page = client.get("/login", environ_overrides=environ)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page.get_data(as_text=True))},
                       environ_overrides=environ)


@pytest.fixture
def organiser(make_user):
    return make_user("organiser1", role="organiser", name="组织者甲")


@pytest.fixture
def organiser_client(client, organiser):
    login(client, "organiser1")
    return client


def fail_logins(app, username: str, times: int, address: str, now: datetime) -> datetime:
    """Failed logins counted straight through the throttle's service, as the login page counts them: `times`
    failures, each as soon as the throttle hears it; returns the time after the last."""
    with app.app_context():
        for _ in range(times):
            verdict = logins.take_slot(username, address, now)
            if not verdict.allowed:
                now += timedelta(seconds=verdict.wait)
                assert logins.take_slot(username, address, now).allowed
    return now
