"""The migrations build exactly the models' schema, on whichever database the suite runs on."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db


def test_migrations_match_models(scratch_uri):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_uri)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_upgrade_keeps_existing_rows(scratch_uri):
    """Migrations that rebuild a table (SQLite batch mode) must work with data in it and in tables pointing at it."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_uri)
    with app.app_context():
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
