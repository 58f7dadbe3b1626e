"""A site with something behind every route, for walking the whole URL map as every role: the site fixture and
paths, every (endpoint, method, path) of the map filled from it."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.attempts.service import start_attempt
from app.banks.service import CheckedSources, import_sources
from app.domain.banks import validate_texts
from app.domain.papers import parse_blueprint
from app.extensions import db
from app.models import Attempt, ExamSession, Round, User
from app.scheduling.service import schedule_session
from plugins.accounts import login
from plugins.banks import VALID
from plugins.exams import BLUEPRINT, START, sit
from plugins.practice import start

# Questions open to drills while the session's own paper is withheld from practice.
DRILL_BANK = VALID.replace("bank: party-affairs", "bank: drill-only")
ROLES = {"stranger": None, "candidate": "cand1", "judge": "j1", "organiser": "organiser1"}


@pytest.fixture
def site(app, clock, make_user, organiser, contest):
    """Something behind every route: a session with cand1 sitting it and cand2's paper in (a short answer to mark),
    a drill of cand1's, the sample contest. Returns the value for every path parameter in the URL map."""
    for name in ("cand1", "cand2"):
        make_user(name, role="candidate")
    with app.app_context():
        banks, problems = validate_texts([("pa.yaml", VALID), ("drill.yaml", DRILL_BANK)])
        spec, more = parse_blueprint(BLUEPRINT, "papers/five.yaml")
        assert not [p for p in problems + more if not p.warning]
        import_sources(CheckedSources(banks, [spec], []))
        db.session.commit()
        session = schedule_session(blueprint_slug="five", title="测试场次", opens_at=START,
                                   closes_at=START + timedelta(hours=2), usernames=["cand1", "cand2"],
                                   org_code=None, review="immediate", show_key=False, actor=None)
        submitted = db.session.get(Attempt, sit("cand2", session.id, {"short": "宣传和执行党的路线方针政策。"}))
        cand1 = db.session.scalar(select(User).where(User.username == "cand1"))
        sitting = start_attempt(session.id, cand1, START + timedelta(minutes=1))
        short = next(r for r in submitted.responses if r.paper_item.revision.type == "short")
        revision = next(item.revision for item in db.session.get(ExamSession, session.id).paper.items
                        if item.revision.type == "single")
        values = {
            "session_id": session.id, "attempt_id": sitting.id, "response_id": short.id,
            "revision_id": revision.id, "question_id": revision.question_id,
            "round_id": db.session.scalar(select(Round.id).where(Round.slug == "preliminary")),
            "candidate_id": db.session.scalar(select(User.id).where(User.username == "zhao")),
            "username": "cand1", "slug": "test-2026", "round_slug": "preliminary", "fmt": "csv",
            "bank": "party-affairs", "export": "xlsx", "component": "lecture", "paper_slug": "five",
            "filename": "css/app.css",
        }
    drilling = app.test_client()
    login(drilling, "cand1")
    values["drill_id"] = start(drilling)
    return values


def paths(app, values: dict) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every rule and method in the URL map, its parameters filled from `values`."""
    walk = []
    for rule in app.url_map.iter_rules():
        missing = rule.arguments - values.keys()
        assert not missing, f"{rule.rule}: give the site fixture a real value for {missing}"
        path = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        walk += [(rule.endpoint, method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return walk
