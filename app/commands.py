"""What every `flask` command shares: each runs as one unit of work (app/database.py), committed when it ends
cleanly; its error path rolls back whatever it wrote and turns an AppError into its message and exit status 1."""
from functools import wraps

import click
from flask.cli import AppGroup

from app.database import end_unit
from app.errors import AppError


class Commands(AppGroup):
    """A group of `flask` commands, each one unit of work."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)
        return lambda callback: register(_unit_of_work(callback))


def _unit_of_work(callback):
    @wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except AppError as error:
            end_unit(keep=error.keeps_changes)
            raise click.ClickException(error.message) from None
        except BaseException:
            # A refusal ends a command with an exit status (click's exceptions, SystemExit): nothing it wrote stays.
            end_unit(keep=False)
            raise
    return run
