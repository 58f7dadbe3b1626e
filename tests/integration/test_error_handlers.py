"""The one error path and the one unit of work (issue 10): an AppError is JSON {"error", "message"} from the API and
the error page in the site's layout from a page; a request keeps what it wrote only when it succeeds, and only then
answers; a `flask` command keeps nothing when it fails."""
import pytest
from sqlalchemy import func, select

from app.commands import Commands
from app.errors import AppError
from app.extensions import db
from app.models import AuditEvent, User, record


class Refused(AppError):
    status, code = 409, "probe_refused"


class RefusedButKept(AppError):
    status, code, keeps_changes = 409, "probe_kept", True


def written() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.subject).order_by(AuditEvent.id)))


def wrote(subject: str) -> None:
    record("probe", subject, channel="test")
    db.session.flush()


@pytest.fixture
def probe(app):
    """Views that write an audit event and then answer as told, on a page path and on an API path."""
    def refuse(subject: str):
        wrote(subject)
        raise Refused("这项操作不能进行：测试拒绝。")

    def refuse_but_keep(subject: str):
        wrote(subject)
        raise RefusedButKept("保存未被接受，但此前的变更保留。")

    def answer(subject: str, status: int):
        wrote(subject)
        return "已处理", status

    def commit_fails():
        # Two accounts of one name: the unique username fails at the commit, after the view has answered.
        db.session.add_all([User(username="twin", name="甲", role="candidate", password_hash=""),
                            User(username="twin", name="乙", role="candidate", password_hash="")])
        return {"saved": 1}

    for prefix in ("", "/api/v1"):
        app.add_url_rule(f"{prefix}/probe/refuse/<subject>", f"{prefix}refuse", refuse)
        app.add_url_rule(f"{prefix}/probe/keep/<subject>", f"{prefix}keep", refuse_but_keep)
        app.add_url_rule(f"{prefix}/probe/answer/<subject>/<int:status>", f"{prefix}answer", answer)
    app.add_url_rule("/api/v1/probe/commit-fails", "commit_fails", commit_fails)
    return app


def test_an_app_error_from_the_api_is_json_with_its_status_and_code(probe, client):
    response = client.get("/api/v1/probe/refuse/api")
    assert response.status_code == 409
    assert response.get_json() == {"error": "probe_refused", "message": "这项操作不能进行：测试拒绝。"}


def test_an_app_error_from_a_page_is_the_error_page_in_the_sites_layout(probe, client):
    response = client.get("/probe/refuse/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert "这项操作不能进行：测试拒绝。" in html
    assert "<title>409 · 党支部书记党建业务能力大比武</title>" in html and 'class="topbar"' in html


def test_the_api_answers_an_error_from_before_any_view_the_same_way(app, client):
    response = client.get("/api/v1/sessions")
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthenticated", "message": "请先登录。"}


@pytest.mark.parametrize("prefix", ["", "/api/v1"])
def test_a_refusal_keeps_nothing_the_request_wrote(probe, client, prefix):
    assert client.get(f"{prefix}/probe/refuse/refused").status_code == 409
    with probe.app_context():
        assert written() == []


def test_a_refusal_that_says_so_keeps_what_came_before_it(probe, client):
    # As a save after the deadline is refused while the attempt it closed stays closed.
    response = client.get("/api/v1/probe/keep/closed")
    assert response.status_code == 409 and response.get_json()["error"] == "probe_kept"
    with probe.app_context():
        assert written() == ["closed"]


@pytest.mark.parametrize(("status", "kept"), [(200, True), (302, True), (404, False), (422, False)])
def test_a_request_keeps_its_writes_only_when_it_succeeds(probe, client, status, kept):
    assert client.get(f"/probe/answer/s{status}/{status}").status_code == status
    with probe.app_context():
        assert written() == ([f"s{status}"] if kept else [])


def test_an_answer_leaves_only_once_its_writes_are_stored(probe, client):
    probe.config["PROPAGATE_EXCEPTIONS"] = False   # as in production: the error handlers answer
    response = client.get("/api/v1/probe/commit-fails")
    assert response.status_code == 500
    assert response.get_json()["error"] == "server_error", "a JSON 500 from the one handler, never a 200"
    with probe.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_command_that_fails_keeps_nothing_and_says_why(app, runner):
    probes = Commands("probe")

    @probes.command("refuse")
    def refuse() -> None:
        wrote("command")
        raise Refused("这项操作不能进行：测试拒绝。")

    @probes.command("write")
    def write() -> None:
        wrote("command")

    app.cli.add_command(probes)
    failed = runner.invoke(args=["probe", "refuse"])
    assert failed.exit_code == 1 and "Error: 这项操作不能进行：测试拒绝。" in failed.output
    with app.app_context():
        assert written() == []
        assert runner.invoke(args=["probe", "write"]).exit_code == 0
        assert written() == ["command"], "a command run inside another app context joins its unit of work"
    with app.app_context():
        assert written() == ["command"], "kept when the unit closed cleanly"


def test_a_command_run_inside_an_app_context_rolls_back_what_it_wrote_when_it_fails(app, runner):
    probes = Commands("probe")

    @probes.command("refuse")
    def refuse() -> None:
        wrote("command")
        raise SystemExit(1)

    app.cli.add_command(probes)
    with app.app_context():
        assert runner.invoke(args=["probe", "refuse"]).exit_code == 1
        assert written() == []
