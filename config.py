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
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15_000
    # Saves already in flight when the clock reaches zero are still accepted for this long. It covers the
    # queue of a deadline burst (500 candidates submitting at once waited up to ~30 s on a busy 2-core
    # SQLite host in `make bench`), not slow networks: the page submits by itself at zero.
    EXAM_SAVE_GRACE_SECONDS = 30
    # Each app process closes attempts past their deadline (and releases ended sessions to practice) this often,
    # so a candidate who vanished is marked without cron; `flask exam sweep` from cron does the same. 0: off.
    SWEEP_EVERY_SECONDS = 30

    # A candidate's exam page must be able to save until the longest paper plus grace has run out;
    # Flask-WTF's one-hour default would break a 90-minute paper, so tokens live as long as the session.
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    TIMEZONE = os.environ.get("EXAM_TIMEZONE", "Asia/Shanghai")
    BANKS_DIR = os.environ.get("BANKS_DIR", str(BASE_DIR / "question_banks"))

    # Practice: the daily set's mix by category, and how many right answers in a row take a question out of the book.
    DAILY_MIX = {"theory": 4, "policy": 3, "party_affairs": 3}
    BOOK_LEAVE_AFTER = 2

    # werkzeug's scrypt is a memory-hard KDF; tests use a cheap method only to keep the suite fast.
    PASSWORD_HASH_METHOD = "scrypt"

    # Failed logins: per (account, address) so that 500 candidates behind one hall's NAT don't lock each other out.
    LOGIN_SLOW_AFTER = 3          # failures before each further try must wait
    LOGIN_LOCK_AFTER = 10         # failures before the pair is refused for LOGIN_LOCK_SECONDS
    LOGIN_LOCK_SECONDS = 15 * 60


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
