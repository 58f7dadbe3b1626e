"""Fixtures: one schema per test run (built by the migrations), emptied after every test; the app, its test client and
CLI runner. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL names one.

The tests come in three layers: tests/unit (no app), tests/integration (app + database) and tests/browser (Chromium).
What they share is in the fixture plugins of tests/plugins, registered here; tests import helpers from them, never
from another test module."""
import os
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.schema import enable_migrations
from config import database_url

pytest_plugins = [
    "plugins.accounts",   # make_user, make_org, organiser(_client); csrf_from, login, fail_logins
    "plugins.banks",      # VALID (a bank of every type), BANKS (the sample banks' folder)
    "plugins.exams",      # clock, exam; BLUEPRINT, START, load_exam_content, schedule, sit, Candidate
    "plugins.contests",   # contest; CONTEST, CANDIDATES and the contest pages' helpers
    "plugins.practice",   # cadre, cadre_client; PER_ATTEMPT, right, wrong, start and the drill helpers
    "plugins.site",       # site (something behind every route), paths, ROLES
    "plugins.projector",  # big_rounds: a 复赛 of 82 and a 决赛 of 10, published, for the projector view
    "plugins.http",       # live_server; Browser (cookies over real HTTP), deep_json
]


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    if os.environ.get("DATABASE_URL"):
        return database_url("")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _schema(database_uri, tmp_path_factory):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    enable_migrations(app)
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        db.engine.dispose()
    return database_uri


@pytest.fixture
def scratch_uri(tmp_path):
    """A database of its own, so that migrating up and down cannot disturb the suite's."""
    if not os.environ.get("DATABASE_URL"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    server = make_url(database_url(""))
    name = f"scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def scratch_app(scratch_uri):
    """An app on a database of its own, whose migrations a test runs up and down."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_uri)
    enable_migrations(app)
    return app


@pytest.fixture
def app(_schema):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=_schema)
    yield app
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
