"""`flask demo init`, as `make run` calls it: sample banks, demo accounts and open sessions, once."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Bank, ExamSession, PaperBlueprint, User


def test_demo_init_once(app, runner):
    first = runner.invoke(args=["demo", "init"])
    assert first.exit_code == 0, first.output
    assert "demo-organiser" in first.stdout and "demo-candidate3" in first.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 3
        assert db.session.scalar(select(func.count()).select_from(PaperBlueprint)) == 2
        assert db.session.scalar(select(func.count()).select_from(ExamSession)) == 2
        assert all("演示" in u.name for u in db.session.scalars(select(User)))
    second = runner.invoke(args=["demo", "init"])
    assert second.exit_code == 0 and second.stdout == ""
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 5
