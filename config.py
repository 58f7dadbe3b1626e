"""Configuration for development, testing and production.

Values come from the environment where a deployment must choose them (DATABASE_URL, SECRET_KEY);
everything else has a default that suits the embedded SQLite shape.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def database_url(default: str) -> str:
    """DATABASE_URL, with bare postgres URLs pointed at the psycopg 3 driver we ship."""
    url = os.environ.get("DATABASE_URL") or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'exam.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}   # app/database.py sizes the pool and pings a connection that lay idle
    # Connections each app process keeps open (app/database.py). A gthread worker uses at most one per thread (8 in
    # docs/operations.md), one for the marking thread and one for the sweep's; a gevent worker, one per request
    # talking to the database at that moment, which the pool bounds. Past the pool a process opens up to
    # DATABASE_POOL_OVERFLOW more, each closed again on return: 16 autosaves in flight on a pool of 10 spent a fifth
    # of the machine's CPU opening and closing PostgreSQL connections. Workers × the two together must stay below
    # PostgreSQL's max_connections (100 by default).
    DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "20"))
    DATABASE_POOL_OVERFLOW = int(os.environ.get("DATABASE_POOL_OVERFLOW", "5"))
    SQLITE_BUSY_TIMEOUT_MS = 15_000
    # Saves already in flight when the clock reaches zero are still accepted for this long. It covers the
    # queue of a deadline burst (500 candidates submitting at once waited up to ~30 s on a busy 2-core
    # SQLite host in `make bench`), not slow networks: the page submits by itself at zero.
    EXAM_SAVE_GRACE_SECONDS = 30
    # Each app process closes attempts past their deadline (and releases ended sessions to practice) this often,
    # so a candidate who vanished is marked without cron; `flask exam sweep` from cron does the same. 0: off.
    SWEEP_EVERY_SECONDS = 30
    # Request bodies past these are refused with 413 before anything reads them (app/web.py). A save of a whole
    # paper's answers, essays included, or any form is far below 1 MB; only a score sheet upload is a file.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_UPLOAD_LENGTH = 4 * 1024 * 1024

    # A candidate's exam page must be able to save until the longest paper plus grace has run out;
    # Flask-WTF's one-hour default would break a 90-minute paper, so tokens live as long as the session.
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Browsers keep to HTTPS this long once told (app/security.py tells them only while SESSION_COOKIE_SECURE).
    HSTS_SECONDS = 365 * 24 * 3600
    # The reverse proxies in front of the app (docs/operations.md): the X-Forwarded-For and X-Forwarded-Proto
    # they add are believed, so login throttling sees the candidate's address. 0: no proxy, no such header believed.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    TIMEZONE = os.environ.get("EXAM_TIMEZONE", "Asia/Shanghai")
    BANKS_DIR = os.environ.get("BANKS_DIR", str(BASE_DIR / "question_banks"))

    # Practice: the daily set's mix by category, and how many right answers in a row take a question out of the book.
    DAILY_MIX = {"theory": 4, "policy": 3, "party_affairs": 3}
    BOOK_LEAVE_AFTER = 2

    # argon2id at OWASP's parameters; tests use a cheap method only to keep the suite fast.
    PASSWORD_HASH_METHOD = "argon2id"   # app/users/service.py

    # Failed logins (app/domain/throttle.py) slow guessers, counted per (account, address) — never per address alone,
    # as 500 candidates share a hall's — and per account across all addresses. The owner never waits more than 40 s
    # behind someone else's failures; only LOGIN_HOLD_AFTER of them in a row need an organiser's unlock.
    LOGIN_PAIR_FREE = 3           # failures from one address that cost nothing; then it waits 1, 2, 4 … s
    LOGIN_PAIR_MAX_DELAY = 30     # seconds: the longest wait between tries from one address
    LOGIN_ACCOUNT_FREE = 10       # failures from all addresses before the account hears one try per interval
    LOGIN_ACCOUNT_INTERVAL = 40   # seconds: at most 100 failures in any hour (OWASP ASVS 2.2.1)
    LOGIN_HOLD_AFTER = 100        # failures in a row (NIST SP 800-63B §5.2.2): held until an organiser unlocks it
    LOGIN_FORGET_AFTER = 3600     # seconds without a failure after which a count starts afresh and is pruned


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SWEEP_EVERY_SECONDS = 0
    SQLALCHEMY_DATABASE_URI = database_url("sqlite://")
    SECRET_KEY = "testing-only-secret"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
