"""Database settings that differ by engine, the one way to open a write transaction, bulk inserts, and the unit of
work.

SQLite gets WAL, a busy timeout and foreign keys; we issue its BEGIN ourselves so that writers can take the
write lock up front (BEGIN IMMEDIATE) instead of failing when a read transaction tries to become a write.
SQLite writers also queue before they BEGIN: within one process on a lock, then across processes (gunicorn's
workers, a command) on an flock of a file beside the database. SQLite's own busy wait sleeps and polls (1, 2, 5 …
100 ms), so under a burst the write lock would lie idle while waiters sleep, and some of 32 threads would lose every
retry and time out; a queue wakes the next writer the moment the last one ends. The busy timeout still bounds the
whole wait (DatabaseBusy). On PostgreSQL a pooled connection is pinged before it is handed out only when it has lain
idle (`PING_IDLE`).

One unit of work per request, `flask` command or app context: services change the session and flush, and never
commit or roll back. A request's unit ends once, after its view has answered and before the answer leaves: kept
if the answer is a success (so an autosave's 200 means the answers are stored), rolled back if it is a 4xx or 5xx.
`end_unit` ends it sooner where the view must: the one error handler (app/web.py) and the commands' error path
(app/commands.py) for a refusal, a view that answers a refusal with a page showing what is stored, and the exam
API's start, autosave, submit and drill answer, kept before their answer is built so the write lock is not held
meanwhile.
Any other app context (a command, a script, a test) keeps its work when it closes cleanly. Units of their own by
design: a login try's slot (app/users/logins.py), each batch of the sweep (app/attempts/sweeper.py), a batch of a
group write (`GroupWrite`, the deadline's submits and the autosaves), and a dry run, which rolls back.
"""
import fcntl
import functools
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from flask import Flask, Response, current_app
from sqlalchemy import Dialect, Engine, Executable, Row, event, insert, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session

from app.errors import AppError
from app.extensions import db

_BEGIN_OPTION = "sqlite_begin"
_HOLDS_WRITER = "holds_sqlite_writer"
_WRITER_FILE = "sqlite_writer_file"
_WRITING = "writing"
_sqlite_writer = threading.Lock()


class DatabaseBusy(AppError):
    """No turn to write came within the busy timeout: the request should be retried; the exam page does."""

    status, code, retry_after = 503, "busy", 2


def configure_pool(app: Flask) -> None:
    """Size the connection pool from the configuration, before the engine is made. SQLite in memory (the tests) has
    one connection shared by every thread, so no pool to size."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                                               "pool_size": app.config["DATABASE_POOL_SIZE"],
                                               "max_overflow": app.config["DATABASE_POOL_OVERFLOW"]}


def init_app(app: Flask) -> None:
    app.after_request(_end_request)
    app.teardown_appcontext(_end_context)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        _ping_when_idle(engine)
        return
    if engine.url.database and engine.url.database != ":memory:":
        app.extensions[_WRITER_FILE] = os.path.abspath(engine.url.database) + "-writer"
    event.listen(engine, "connect", _sqlite_connect(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
    event.listen(engine, "begin", _sqlite_begin)


# A connection back in the pool for longer than this may have been dropped by the server or a firewall meanwhile, so
# it is pinged before it is handed out. One returned moments ago is alive: pinging on every checkout (SQLAlchemy's
# pool_pre_ping) cost each request a round trip more, where a save makes six.
PING_IDLE = 10.0   # seconds


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine.pool, "checkin")
    def returned(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def handing_out(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("returned_at", math.inf) < PING_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool throws this one away and hands out another, opened afresh.
            raise DisconnectionError("a pooled connection was dropped while it was idle") from error


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
    """End any read transaction and start one that may write, holding SQLite's write lock from the start; in a
    unit of work that already writes, carry on in its transaction.

    Call it before the first query of a write. On PostgreSQL the read transaction goes on as the write (at READ
    COMMITTED each statement sees what is committed, so ending it would only cost two round trips); what the session
    loaded is expired, as a commit would, so it is read afresh. Rows that two requests may race for are then locked
    with SELECT … FOR UPDATE.
    """
    session = db.session()
    if session.info.get(_WRITING):
        return
    sqlite = db.engine.dialect.name == "sqlite"
    if session.in_transaction() and sqlite:
        session.commit()
    elif session.in_transaction():
        session.flush()
        session.expire_all()
    if sqlite:
        _queue_for_writer(session)
        try:
            session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
        except Exception:
            _release_writer(session)
            raise
    else:
        session.connection()   # the transaction begun (or carried on), so that its end clears the flag below
    session.info[_WRITING] = True


def insert_rows(model: type[db.Model], rows: list[dict[str, Any]]) -> None:
    """Insert many rows of one table in the current transaction, each naming the same columns: at least every column
    the model gives a default, since PostgreSQL takes them by COPY, which fills in none (a column left out is NULL).
    COPY because an executemany costs psycopg several Python calls a row, most of a large bank import's time and a
    tenth of a start's; elsewhere an executemany."""
    if not rows:
        return
    dialect = db.engine.dialect
    if dialect.name != "postgresql":
        db.session.execute(insert(model), rows)
        return
    columns = [model.__table__.c[name] for name in rows[0]]
    processors = [(column.name, column.type.dialect_impl(dialect).bind_processor(dialect)) for column in columns]
    quoted = dialect.identifier_preparer
    statement = (f"COPY {quoted.format_table(model.__table__)} "
                 f"({', '.join(quoted.format_column(column) for column in columns)}) FROM STDIN")
    with db.session.connection().connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] if process is None else process(row[name]) for name, process in processors])


def execute_each(statement: Executable, rows: list[dict[str, Any]]) -> list[int]:
    """Run a statement once for each parameter set of `rows`, in order, in the unit of work; how many rows each run
    changed. PostgreSQL takes them in one pipeline (psycopg's executemany): one round trip, where a round trip each
    would hand a gevent worker's thread to its other requests between any two. SQLite runs them in-process."""
    dialect = db.engine.dialect
    if dialect.name != "postgresql" or len(rows) < 2:
        return [db.session.execute(statement, row).rowcount for row in rows]
    db.session.flush()   # what the unit holds in the ORM first, as its own statements would have it
    sql, processors = _driver_form(statement, dialect)
    params = [{name: value if process is None else process(value)
               for name, value in row.items() for process in [processors.get(name)]} for row in rows]
    counts = []
    with db.session.connection().connection.driver_connection.cursor() as cursor:
        cursor.executemany(sql, params, returning=True)
        counts.append(cursor.rowcount)
        while cursor.nextset():
            counts.append(cursor.rowcount)
    return counts


@functools.lru_cache(maxsize=16)
def _driver_form(statement: Executable, dialect: Dialect) -> tuple[str, dict[str, Callable | None]]:
    """A statement's SQL as the driver takes it, and each parameter's conversion from Python, compiled once."""
    compiled = statement.compile(dialect=dialect)
    return compiled.string, {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                             for name, bind in compiled.binds.items()}


Job = TypeVar("Job")
Outcome = TypeVar("Outcome")
_UNSET = object()


class _Slot(Generic[Job]):
    def __init__(self, job: Job):
        self.job, self.outcome, self.leads = job, _UNSET, False
        self.done = threading.Event()


class GroupWrite(Generic[Job, Outcome]):
    """Group commit (成批写入) for a short write that arrives all at once, such as the submits at a deadline and the
    candidates' autosaves: within one process, requests that come while another of them writes leave their job here;
    the next of them takes the write lock once for all that wait, runs them in one transaction and commits, and each
    request gets its own outcome. The lock changes hands once a batch, not once a request, and a batch costs a few
    statements, not a few per job.

    `run(jobs)` writes in the open write transaction and returns one outcome per job: a value, or the AppError that
    job alone is refused with (having written nothing, unless the error keeps its changes: a save past the deadline
    closes its attempt). A failure of the whole batch (no turn to write, a bug) is raised in every request of it. The
    caller's unit of work so far is kept first, as `begin_write` does on SQLite (one that has only read goes on into
    the batch when it leads at once, saving PostgreSQL three round trips), and when the call returns the outcome is
    committed and the caller's session reads afresh."""

    def __init__(self, run: Callable[[Sequence[Job]], list[Outcome | AppError]], limit: int = 64):
        self._run, self._limit = run, limit
        self._guard = threading.Lock()
        self._waiting: list[_Slot[Job]] = []
        self._writing = False

    def __call__(self, job: Job) -> Outcome:
        slot = _Slot(job)
        with self._guard:
            self._waiting.append(slot)
            slot.leads, self._writing = not self._writing, True
        if not slot.leads or db.session().info.get(_WRITING):
            end_unit(keep=True)   # nothing of this request's stays open (or holds a connection) while it waits
        if not slot.leads:
            slot.done.wait()
        if slot.outcome is _UNSET:   # first, or handed the lead by the batch before
            self._lead()
        if isinstance(slot.outcome, BaseException):
            raise slot.outcome
        return slot.outcome

    def _lead(self) -> None:
        with self._guard:
            batch, self._waiting = self._waiting[:self._limit], self._waiting[self._limit:]
        try:
            outcomes = self._write([slot.job for slot in batch])
        except BaseException as error:
            outcomes = [error] * len(batch)
        with self._guard:
            following = self._waiting[0] if self._waiting else None
            self._writing = following is not None
        for slot, outcome in zip(batch, outcomes, strict=True):
            slot.outcome = outcome
            slot.done.set()
        if following is not None:
            following.done.set()   # its outcome unset: it leads the next batch

    def _write(self, jobs: list[Job]) -> list[Outcome | AppError]:
        begin_write()
        try:
            outcomes = self._run(jobs)
            if len(outcomes) != len(jobs):
                raise RuntimeError(f"{self._run.__name__} gave {len(outcomes)} outcomes for {len(jobs)} jobs")
            end_unit(keep=True)
        except BaseException:
            end_unit(keep=False)
            raise
        return outcomes


def read_alone(statement: Executable, params: dict[str, Any]) -> Row | None:
    """One row read outside the unit of work. On PostgreSQL in autocommit, on a connection held for that read
    alone: one round trip, where the unit's first read costs three (BEGIN, the read, and the COMMIT or ROLLBACK
    that ends a request whose unit does nothing more: a submit another thread writes). SQLite reads in-process,
    through the session."""
    if db.engine.dialect.name == "sqlite":
        return db.session.execute(statement, params).one_or_none()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement, params).one_or_none()


def end_unit(*, keep: bool, reread: bool = True) -> None:
    """End the unit of work: commit what it wrote, or roll it all back. `reread=False` leaves what the session loaded
    readable as it was after a commit, where the caller goes on to show what it has just written (a new attempt).
    A unit already ended (the exam API's writes end theirs before they answer) has nothing to end: a commit would
    begin a transaction only to end it."""
    if not db.session.registry.has() or not db.session().in_transaction():
        return
    session = db.session()
    if not keep:
        session.rollback()
    elif reread:
        session.commit()
    else:
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


def _end_request(response: Response) -> Response:
    end_unit(keep=response.status_code < 400)
    return response


def _end_context(error: BaseException | None) -> None:
    """A command, a script or a test's app context: its work is kept if it closes cleanly. Its session is closed
    next, so what it loaded is left readable as it was rather than expired by the commit."""
    if db.session.registry.has():
        db.session().expire_on_commit = False
    end_unit(keep=error is None)


def _queue_for_writer(session: Session) -> None:
    timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
    given_up = time.monotonic() + timeout
    if not _sqlite_writer.acquire(timeout=timeout):
        raise DatabaseBusy("服务器繁忙，请稍后重试；已作答的内容不会丢失。")
    path = current_app.extensions.get(_WRITER_FILE)
    try:
        held = _locked_file(path, max(given_up - time.monotonic(), 0)) if path else -1   # -1: no file (in memory)
    except BaseException:
        _sqlite_writer.release()
        raise
    if held is None:
        _sqlite_writer.release()
        raise DatabaseBusy("服务器繁忙，请稍后重试；已作答的内容不会丢失。")
    session.info[_HOLDS_WRITER] = held


def _release_writer(session: Session) -> None:
    held = session.info.pop(_HOLDS_WRITER, None)
    if held is None:
        return
    if held >= 0:
        os.close(held)   # closing the descriptor releases its flock
    _sqlite_writer.release()


def _locked_file(path: str, timeout: float) -> int | None:
    """A descriptor of the writers' lock file holding its exclusive flock, or None if `timeout` passed first. The
    kernel hands the lock to the next waiter as it is released; flock itself cannot time out, so a wait blocks in a
    helper thread, and a lock it gets after the wait was given up is released at once. A descriptor of its own per
    wait: two flocks on one descriptor would not exclude each other. Read-only is enough for an flock."""
    fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        pass
    except BaseException:
        os.close(fd)
        raise
    ended, guard = threading.Event(), threading.Lock()
    state = {"waiting": True, "locked": False}

    def wait() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            state["locked"] = True
        except OSError:
            pass
        with guard:
            if state["waiting"]:
                ended.set()
            else:
                os.close(fd)

    threading.Thread(target=wait, name="sqlite-writer-wait", daemon=True).start()
    ended.wait(timeout)
    with guard:
        if not ended.is_set():
            state["waiting"] = False   # given up: the helper closes the descriptor once it has the lock
            return None
    if state["locked"]:
        return fd
    os.close(fd)
    return None


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITING, None)
        _release_writer(session)
