"""Fixtures: one schema per test run (built by the migrations), emptied after every test.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL names one.
"""
import os
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.models import Organisation, User
from app.users.service import set_password
from config import database_url

# The exam fixtures (clock, exam) are shared by many test files.
pytest_plugins = ["exam_fixtures"]


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    if os.environ.get("DATABASE_URL"):
        return database_url("")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _schema(database_uri, tmp_path_factory):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        db.engine.dispose()
    return database_uri


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
    def make(code: str, name: str | None = None, type: str = "committee", parent: str | None = None) -> None:
        with app.app_context():
            parent_org = db.session.scalar(db.select(Organisation).filter_by(code=parent)) if parent else None
            db.session.add(Organisation(code=code, name=name or code, type=type, parent=parent_org))
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


def sign_in(page, base: str, username: str, password: str = "secret-pass-1") -> None:
    """`login` for a real browser (Playwright page) on the live server."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def organiser(make_user):
    return make_user("organiser1", role="organiser", name="组织者甲")


@pytest.fixture
def organiser_client(client, organiser):
    login(client, "organiser1")
    return client


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped where it is absent, except in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt-get install chromium")
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        _watch_for_csp_violations(chromium)
        yield chromium
        chromium.close()


CSP_VIOLATIONS: list[str] = []      # reported by the browser's pages during the current test


def _watch_for_csp_violations(chromium) -> None:
    """Every context the browser opens notes the Content-Security-Policy violations its pages report.

    Tests open contexts of their own (a second device, JavaScript off), so the watch goes where contexts are made.
    Chromium logs each violation to the console, with or without JavaScript."""
    open_context = chromium.new_context

    def new_context(**options):
        context = open_context(**options)
        context.on("console", _note_csp_violation)
        return context

    chromium.new_context = new_context


def _note_csp_violation(message) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(f"{message.page.url if message.page else ''}: {message.text}")


@pytest.fixture(autouse=True)
def no_csp_violations():
    """A test fails when a page broke the CSP: what the policy blocked would look or work differently in a hall."""
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS, "Content-Security-Policy violations:\n" + "\n".join(CSP_VIOLATIONS)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, for the browser."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
