"""The connection pool covers a process's threads (issue 13): under a burst a connection returned is kept for the
next request, not closed and opened again; SQLite in memory keeps its one shared connection."""
import threading

from sqlalchemy import event, text
from sqlalchemy.pool import StaticPool

from app import create_app
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
