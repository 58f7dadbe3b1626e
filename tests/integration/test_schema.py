"""The migrations build exactly the models' schema, on whichever database the suite runs on; `flask db` runs them."""
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.schema import MIGRATIONS


def test_migrations_match_models(scratch_app):
    with scratch_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_upgrade_keeps_existing_rows(scratch_app):
    """Migrations that rebuild a table (SQLite batch mode) must work with data in it and in tables pointing at it."""
    with scratch_app.app_context():
        upgrade(revision="a9a8eee5cb7b")
        statements = [
            ("INSERT INTO users (id, username, name, role, password_hash, must_change_password, active, created_at)"
             " VALUES (1, 'u', 'U', 'candidate', 'x', false, true, '2026-01-01 00:00:00')"),
            ("INSERT INTO paper_blueprints (id, slug, title, spec, content_hash, source_file, updated_at)"
             " VALUES (1, 'p', 'P', '{}', 'h', '', '2026-01-01 00:00:00')"),
            ("INSERT INTO exam_sessions (id, title, blueprint_id, opens_at, closes_at, review, show_key, created_at)"
             " VALUES (1, 'S', 1, '2026-01-01 00:00:00', '2026-01-02 00:00:00', 'never', false,"
             " '2026-01-01 00:00:00')"),
            "INSERT INTO session_candidates (session_id, user_id) VALUES (1, 1)",
        ]
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        migrated = db.session.execute(text("SELECT title, round_id, max_attempts FROM exam_sessions")).all()
        assert migrated == [("S", None, 1)]
        assert db.session.execute(text("SELECT count(*) FROM session_candidates")).scalar() == 1
        db.engine.dispose()


def test_flask_db_loads_flask_migrate_when_run_and_takes_its_options(scratch_uri):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_uri)
    runner = app.test_cli_runner()
    assert "upgrade" in runner.invoke(args=["db", "--help"]).output
    result = runner.invoke(args=["db", "-d", str(MIGRATIONS), "upgrade"])
    assert result.exit_code == 0, result.output
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with app.app_context():
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        db.engine.dispose()


def test_the_app_and_its_other_commands_start_without_alembic():
    """Its import cost every worker and every `flask bank import` start-up 120-170 ms."""
    probe = ("import sys; from app import create_app; app = create_app('testing');"
             " app.test_cli_runner().invoke(args=['bank', '--help']);"
             " print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'flask_migrate')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=MIGRATIONS.parent).stdout
    assert loaded.strip() == "[]"
