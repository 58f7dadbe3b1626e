"""Practice for tests: the cadre fixtures (a candidate of 教育局 with the sample bank loaded), the mock blueprint, right
and wrong answers to a question, and helpers that start and answer drills by plain form posts."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import BookEntry, Drill, PracticeAnswer, QuestionRevision, User
from app.practice.service import current_revision
from plugins.accounts import csrf_from, login
from plugins.exams import BLUEPRINT, load_exam_content

PER_ATTEMPT = BLUEPRINT.replace("paper: five", "paper: five-mock").replace("draw: per_session", "draw: per_attempt")
OBJECTIVE = 4          # the sample bank has one item of each type; `short` is never drilled
EXPLANATIONS = ("支部工作条例第五条", "三会一课。", "党章第一章第七条", "示例。")


@pytest.fixture
def cadre(app, make_user, make_org, clock):
    make_org("c01", "教育局机关党委")
    make_user("cadre", role="candidate", name="李练兵", org="c01")
    make_user("other", role="candidate", org="c01")
    with app.app_context():
        load_exam_content()
    return "cadre"


@pytest.fixture
def cadre_client(client, cadre):
    login(client, cadre)
    return client


def right(revision: QuestionRevision):
    return [variants[0] for variants in revision.answer] if revision.type == "blank" else revision.answer


def wrong(revision: QuestionRevision):
    if revision.type == "judge":
        return not revision.answer
    if revision.type == "blank":
        return ["错"] * len(revision.answer)
    return {"single": "D", "multiple": ["A", "D"]}[revision.type]


def as_form(response) -> list[str]:
    if isinstance(response, bool):
        return ["true" if response else "false"]
    return response if isinstance(response, list) else [response]


def post(client, path: str, data: dict, page: str = "/practice/"):
    return client.post(path, data={"csrf_token": csrf_from(client.get(page).get_data(as_text=True)), **data})


def start(client, **fields) -> int:
    reply = post(client, "/practice/drills", {"mode": "filtered", "count": "10", **fields})
    assert reply.status_code == 302 and "/practice/drills/" in reply.location, reply.get_data(as_text=True)
    return int(reply.location.rsplit("/", 1)[1])


def drill_state(app, drill_id: int) -> Drill:
    with app.app_context():
        drill = db.session.get(Drill, drill_id)
        db.session.expunge(drill)
        return drill


def revision_at(app, drill_id: int, position: int | None = None) -> QuestionRevision:
    drill = drill_state(app, drill_id)
    with app.app_context():
        revision = current_revision(drill.question_ids[drill.position if position is None else position])
        db.session.expunge(revision)
        return revision


def answer_by_form(client, drill_id: int, revision: QuestionRevision, response):
    page = f"/practice/drills/{drill_id}"
    return post(client, f"{page}/answer", {"question_id": str(revision.question_id), "response": as_form(response)},
                page=page)


def answers_kept(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PracticeAnswer))


def book_of(app, username: str) -> list[BookEntry]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return list(db.session.scalars(select(BookEntry).where(BookEntry.user_id == user.id,
                                                               BookEntry.active.is_(True))))
