"""Database settings that differ by engine, and the one way to open a write transaction.

SQLite gets WAL, a busy timeout and foreign keys; we issue its BEGIN ourselves so that writers can take the
write lock up front (BEGIN IMMEDIATE) instead of failing when a read transaction tries to become a write.
Within one process SQLite writers also queue on a lock first: SQLite's own busy wait sleeps and retries, so
under a burst some of 32 threads would lose every retry and time out, while a queue serves them in turn.
"""
import threading

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_BEGIN_OPTION = "sqlite_begin"
_HOLDS_WRITER = "holds_sqlite_writer"
_sqlite_writer = threading.Lock()


class DatabaseBusy(Exception):
    """No turn to write came within the busy timeout: the request should be retried."""


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_connect(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
    event.listen(engine, "begin", _sqlite_begin)


def _sqlite_connect(busy_timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        # Autocommit at the driver level: pysqlite's own implicit BEGIN would hide ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _sqlite_begin(connection) -> None:
    connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get(_BEGIN_OPTION, '')}".strip())


def begin_write() -> None:
    """End any read transaction and start one that may write, holding SQLite's write lock from the start.

    Call it before the first query of a write. On PostgreSQL it is a plain new transaction; rows that two
    requests may race for are then locked with SELECT … FOR UPDATE.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    if db.engine.dialect.name == "sqlite":
        _queue_for_writer(session)
    try:
        session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
    except Exception:
        _release_writer(session)
        raise


def _queue_for_writer(session: Session) -> None:
    if not _sqlite_writer.acquire(timeout=current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000):
        raise DatabaseBusy("database busy")
    session.info[_HOLDS_WRITER] = True


def _release_writer(session: Session) -> None:
    if session.info.pop(_HOLDS_WRITER, False):
        _sqlite_writer.release()


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        _release_writer(session)
