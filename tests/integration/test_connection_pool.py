"""The connection pool covers a process's threads (issue 13): under a burst a connection returned is kept for the
next request, not closed and opened again, and pinged only if it lay idle; SQLite in memory keeps its one shared
connection."""
import threading

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool, StaticPool

from app import create_app, database
from app.extensions import db

THREADS = 10   # gunicorn's 8 request threads, the marking thread and the sweep's


def _hold_connections_at_once(app, count: int) -> None:
    """count threads each holding a connection until all of them hold one, as a burst does."""
    all_in = threading.Barrier(count)
    failures = []

    def hold():
        try:
            with app.app_context():
                db.session.execute(text("SELECT 1"))
                all_in.wait(timeout=30)
        except Exception as error:   # noqa: BLE001 — re-raised below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=hold) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_a_burst_of_every_thread_reuses_the_connections_it_opened(database_uri):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    with app.app_context():
        engine = db.engine
    opened = []
    event.listen(engine, "connect", lambda *_: opened.append(1))

    _hold_connections_at_once(app, THREADS)
    first = len(opened)
    for _ in range(3):
        _hold_connections_at_once(app, THREADS)

    assert first == THREADS
    assert len(opened) == THREADS, "connections beyond the pool were closed on return and opened again"
    engine.dispose()


def test_the_pool_size_comes_from_the_configuration(database_uri):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, DATABASE_POOL_SIZE=3, DATABASE_POOL_OVERFLOW=1)
    with app.app_context():
        assert db.engine.pool.size() == 3
        db.engine.dispose()


def test_sqlite_in_memory_keeps_one_shared_connection():
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        assert isinstance(db.engine.pool, StaticPool)


def _postgresql_app(database_uri, monkeypatch, pings: list[int]):
    if not database_uri.startswith("postgresql"):
        pytest.skip("PostgreSQL's connections can be dropped by the server; SQLite's are files, never pinged")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, DATABASE_POOL_SIZE=1, DATABASE_POOL_OVERFLOW=0)
    with app.app_context():
        dialect = db.engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(1) or real_ping(connection))
    return app


def _backend(app) -> int:
    """The server process of the connection a unit of work is handed, the unit ended (its connection returned)."""
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.commit()
    return pid


def _drop(app, pid: int) -> None:
    with app.app_context():
        server = create_engine(db.engine.url, poolclass=NullPool)
    with server.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    server.dispose()


def test_a_connection_returned_moments_ago_is_handed_out_without_a_ping(database_uri, monkeypatch):
    pings: list[int] = []
    app = _postgresql_app(database_uri, monkeypatch, pings)
    assert len({_backend(app) for _ in range(5)}) == 1
    assert pings == [], "a round trip per request for a connection in use moments ago"
    with app.app_context():
        db.engine.dispose()


def test_a_connection_that_lay_idle_is_pinged_and_replaced_if_the_server_dropped_it(database_uri, monkeypatch):
    pings: list[int] = []
    app = _postgresql_app(database_uri, monkeypatch, pings)
    first = _backend(app)
    _drop(app, first)
    monkeypatch.setattr(database, "PING_IDLE", 0.0)   # as if it had lain idle for longer than that
    second = _backend(app)
    assert second != first and pings == [1]
    with app.app_context():
        db.engine.dispose()
