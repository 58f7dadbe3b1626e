"""The schema's migrations: Flask-Migrate, and alembic under it, are loaded by `flask db` and by whatever migrates in
code (the tests), not by every command and worker, whose start-up their import would slow by 120-170 ms."""
from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def enable_migrations(app: Flask) -> None:
    """Bind Flask-Migrate to `app`: its `flask db` commands and `flask_migrate.upgrade()` read it from there."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    from app.extensions import db
    Migrate(app, db, directory=str(MIGRATIONS))


class MigrationCommands(click.Command):
    """`flask db`: Flask-Migrate's command group, imported only when it is run (with its options and subcommands)."""

    def __init__(self) -> None:
        super().__init__("db", help="Perform database migrations.")

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # The parent invokes the command of the context made here, so the real group parses and runs everything.
        enable_migrations(parent.find_object(ScriptInfo).load_app())
        from flask_migrate.cli import db as migration_group
        return migration_group.make_context(info_name, args, parent=parent, **extra)
