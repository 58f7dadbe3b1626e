"""Passwords are hashed with argon2id at OWASP's parameters; hashes of the methods used before (scrypt, pbkdf2) keep
verifying and are replaced by argon2id at the owner's next login, in the login's own write."""
import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import User
from plugins.accounts import login


@pytest.fixture
def argon2(app):
    app.config["PASSWORD_HASH_METHOD"] = "argon2id"
    return app


def stored_hash(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.username == username))


def set_hash(app, username: str, password_hash: str) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).password_hash = password_hash


def test_a_new_password_is_an_argon2id_hash_at_owasps_parameters(argon2, make_user):
    make_user("zhang")
    assert stored_hash(argon2, "zhang").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256:600000"])
def test_an_older_hash_logs_in_and_is_upgraded_at_that_login(argon2, client, make_user, method):
    make_user("zhang")
    set_hash(argon2, "zhang", generate_password_hash("secret-pass-1", method=method))
    assert login(client, "zhang").status_code == 302
    upgraded = stored_hash(argon2, "zhang")
    assert upgraded.startswith("$argon2id$")
    assert login(argon2.test_client(), "zhang").status_code == 302, "the upgraded hash opens the account"
    assert stored_hash(argon2, "zhang") == upgraded, "an argon2id hash at the parameters in force stays"


def test_a_wrong_password_upgrades_nothing(argon2, client, make_user):
    make_user("zhang")
    old = generate_password_hash("secret-pass-1", method="scrypt")
    set_hash(argon2, "zhang", old)
    assert login(client, "zhang", password="wrong-pass-99").status_code == 200
    assert stored_hash(argon2, "zhang") == old


def test_an_unknown_account_costs_an_argon2id_check_too(argon2, client, monkeypatch):
    from app.users import service
    checked = []
    monkeypatch.setattr(service, "_verify", lambda stored, password: checked.append(stored) or False)
    assert "用户名或密码错误" in login(client, "nobody").get_data(as_text=True)
    assert [h[:10] for h in checked] == ["$argon2id$"], "the time taken does not tell the account is missing"
