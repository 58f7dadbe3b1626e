"""The unit layer: pure tests of app/domain and other code that needs no app, no database and no browser.

The layer is kept by refusing the app's fixtures here: a unit test that asks for the app, its client or CLI runner
(or for a fixture built on them: make_user, exam, contest…) fails at setup with the message below."""
import pytest

REFUSED = "a unit test needs no app, database or server: move it to tests/integration"


@pytest.fixture(scope="session")
def _schema():
    pytest.fail(f"_schema: {REFUSED}", pytrace=False)


@pytest.fixture
def app():
    pytest.fail(f"app: {REFUSED}", pytrace=False)


@pytest.fixture
def client():
    pytest.fail(f"client: {REFUSED}", pytrace=False)


@pytest.fixture
def runner():
    pytest.fail(f"runner: {REFUSED}", pytrace=False)
