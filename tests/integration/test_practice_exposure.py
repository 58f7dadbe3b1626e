"""Issue 8 §1, played by an attacker candidate: while a formal exam is open, practice in every form — each drill mode
and scope, the daily set, the book, mocks, progress and the JSON endpoints — gives away no key or explanation of a
question on the open paper, nor of a question of the same family (the bank's word that they give each other away),
and no question at all of a bank closed to practice. Once the session has ended for everyone, the paper's questions
are open to practice again (their bank says so); the closed bank never is."""
import json
import re
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.attempts.release import not_withheld, practicable, withheld_counts
from app.attempts.service import SessionNotOpen, start_attempt
from app.banks.service import CheckedSources, import_sources
from app.domain.banks import validate_texts
from app.domain.papers import parse_blueprint
from app.domain.practice import MODES
from app.extensions import db
from app.models import Bank, BookEntry, PracticeAnswer, Question, User
from app.scheduling.service import ScheduleError, schedule_session
from plugins.accounts import csrf_from, login
from plugins.banks import VALID
from plugins.exams import BLUEPRINT, START

# Bank "party-affairs" (VALID, open to practice) fills the formal paper; "drill-bank" is open and on no paper;
# "contest-bank" is closed to practice.
# Each question stays one YAML line; the long ones are only split across source lines.
DRILL_BANK = (
    "bank: drill-bank\n"
    "title: 练兵题库\n"
    "category: theory\n"
    "practice: true\n"
    "questions:\n"
    "  - {id: D-1, type: single, stem: 乙库单选题干, options: {A: 甲, B: 乙}, answer: B, explanation: 乙库单选解析,"
    " source: 乙库出处一}\n"
    "  - {id: D-2, type: judge, stem: 乙库判断题干, answer: true, explanation: 乙库判断解析, source: 乙库出处二}\n"
    "  - {id: D-3, type: multiple, stem: 乙库多选题干, options: {A: 子, B: 丑, C: 寅}, answer: [A, C],"
    " explanation: 乙库多选解析, source: 乙库出处三}\n"
)
CONTEST_BANK = (
    "bank: contest-bank\n"
    "title: 复赛题库\n"
    "category: policy\n"
    "questions:\n"
    "  - {id: C-1, type: single, stem: 丙库单选题干, options: {A: 东, B: 西}, answer: A, explanation: 丙库单选解析,"
    " source: 丙库出处一}\n"
    "  - {id: C-2, type: judge, stem: 丙库判断题干, answer: false, explanation: 丙库判断解析, source: 丙库出处二}\n"
    "  - {id: C-3, type: blank, stem: 丙库填空___题干, answer: [丙库填空答案], explanation: 丙库填空解析,"
    " source: 丙库出处三}\n"
)
MOCK = textwrap.dedent("""\
    paper: drill-mock
    title: 练兵模拟卷
    duration: 20
    draw: per_attempt
    sections:
      - {title: 一、单选, type: single, points: 50, pick: [{bank: drill-bank, count: 1}]}
      - {title: 二、判断, type: judge, points: 50, pick: [{bank: drill-bank, count: 1}]}
    """)
# A mock over the exam's own bank: it cannot be drawn while the exam may still ask those questions.
PAPER_MOCK = MOCK.replace("paper: drill-mock", "paper: paper-mock").replace("bank: drill-bank", "bank: party-affairs")

# What the formal paper must keep to itself while it runs: stems, explanations, sources, blank variants.
PAPER_STEMS = ("有正式党员（ ）人以上的", "“三会一课”包括哪些", "预备党员的预备期为一年", "党员必须履行")
PAPER_SECRETS = ("支部工作条例第五条", "三会一课。", "党章第一章第七条", "《中国共产党支部工作条例（试行）》第五条",
                 "《中国共产党支部工作条例（试行）》第十九条", "《中国共产党章程》第一章第七条", "党员义务")
CLOSED_TEXTS = ("丙库", )
SCOPES = ("", "bank:party-affairs", "bank:drill-bank", "bank:contest-bank", "category:party_affairs",
          "category:theory", "category:policy")
TYPE_SETS = ((), ("single", "multiple"), ("judge", "blank"))


def load_banks() -> None:
    banks, problems = validate_texts([("pa.yaml", VALID), ("drill.yaml", DRILL_BANK), ("contest.yaml", CONTEST_BANK)])
    blueprints = [parse_blueprint(text, f"papers/{name}.yaml")[0]
                  for name, text in (("five", BLUEPRINT), ("drill-mock", MOCK), ("paper-mock", PAPER_MOCK))]
    assert len(banks) == 3 and all(blueprints) and not [p for p in problems if not p.warning]
    import_sources(CheckedSources(banks, blueprints, []))
    db.session.commit()


def question_ids(bank: str) -> set[int]:
    return set(db.session.scalars(select(Question.id).join(Bank).where(Bank.slug == bank)))


class Attacker:
    """A candidate's browser, keeping every body practice sends it."""

    def __init__(self, client, username: str):
        self.client, self.bodies = client, {}
        login(client, username)

    def token(self) -> str:
        return csrf_from(self.client.get("/practice/").get_data(as_text=True))

    def keep(self, label: str, response) -> str:
        """The body as sent, a JSON one with its text unescaped: the API writes 解析 as \\u89e3\\u6790."""
        text = response.get_data(as_text=True)
        if response.is_json:
            text = json.dumps(response.get_json(), ensure_ascii=False)
        self.bodies[f"{label} #{len(self.bodies)}"] = text
        return text

    def get(self, path: str) -> str:
        return self.keep(f"GET {path}", self.client.get(path, follow_redirects=True))

    def post(self, path: str, data: dict) -> str:
        return self.keep(f"POST {path}", self.client.post(path, data={"csrf_token": self.token(), **data},
                                                         follow_redirects=True))

    def api(self, method: str, path: str, body=None) -> dict:
        response = self.client.open(f"/api/v1{path}", method=method,
                                    data=None if body is None else json.dumps(body),
                                    headers={"X-CSRFToken": self.token(), "Content-Type": "application/json"})
        self.keep(f"{method} {path}", response)
        return response.get_json()

    def drill_through(self, html: str) -> None:
        """Answer every question the drill asks, one by the JSON API and the next by the plain form."""
        for turn in range(20):
            found = re.search(r'data-api="/api/v1/drills/(\d+)/answers"', html)
            question = re.search(r'name="question_id" value="(\d+)"', html)
            if not found or not question:
                return
            drill_id, question_id = int(found.group(1)), int(question.group(1))
            kind = re.search(r'data-type="(\w+)"', html).group(1)
            # Any answer will do to see the key; these are wrong for every paper question.
            guess = {"single": "B", "multiple": ["A", "B"], "judge": False,
                     "blank": ["猜"] * html.count('name="response"')}
            if turn % 2:
                self.api("POST", f"/drills/{drill_id}/answers", {"question_id": question_id, "response": guess[kind]})
            else:
                form = (guess[kind] if isinstance(guess[kind], list)
                        else [{False: "false"}.get(guess[kind], guess[kind])])
                self.post(f"/practice/drills/{drill_id}/answer", {"question_id": question_id, "response": form})
            html = self.get(f"/practice/drills/{drill_id}")

    def walk(self) -> None:
        """Every practice path there is."""
        self.get("/practice/")
        for mode in MODES:
            for scope in SCOPES:
                for types in TYPE_SETS:
                    html = self.post("/practice/drills", {"mode": mode, "scope": scope, "types": list(types),
                                                          "count": "50"})
                    self.drill_through(html)
        self.drill_through(self.post("/practice/daily", {}))
        self.get("/practice/book")
        self.get("/practice/progress")
        self.api("GET", "/sessions")
        home = self.get("/practice/")
        for session_id in re.findall(r'action="/practice/mocks/(\d+)/start"', home):
            self.sit_mock(int(session_id))

    def sit_mock(self, session_id: int) -> None:
        self.post(f"/practice/mocks/{session_id}/start", {})
        page = self.post(f"/practice/mocks/{session_id}/start", {"confirmed": "1"})
        found = re.search(r'data-attempt="(\d+)"', page)
        if not found:
            return
        attempt = self.api("GET", f"/attempts/{found.group(1)}")
        answers = {item["key"]: "A" if item["type"] == "single" else True
                   for section in attempt["sections"] for item in section["items"]}
        self.api("PUT", f"/attempts/{attempt['id']}/responses", {"responses": answers, "seq": 1})
        self.api("POST", f"/attempts/{attempt['id']}/submit")
        self.get(f"/exam/attempts/{attempt['id']}/result")

    def leaks(self, texts) -> list[tuple[str, str]]:
        return [(text, label) for label, body in self.bodies.items() for text in texts if text in body]


@pytest.fixture
def hall(app, make_user, clock):
    """A formal exam open on the paper bank; two mocks open to the same candidates; cand1's book already holds the
    paper's questions (drilled wrongly the week before the exam was scheduled)."""
    for name in ("cand1", "cand2"):
        make_user(name, role="candidate")
    with app.app_context():
        load_banks()
        mocks = [schedule_session(blueprint_slug=slug, title=title, opens_at=START,
                                  closes_at=START + timedelta(days=30),
                                  usernames=["cand1", "cand2"], org_code=None, review="immediate", show_key=True,
                                  actor=None, mock=True, max_attempts=50).id
                 for slug, title in (("drill-mock", "练兵模拟"), ("paper-mock", "本库模拟"))]
    clock.now = START - timedelta(days=7)
    client = app.test_client()
    before = Attacker(client, "cand1")
    before.drill_through(before.post("/practice/drills", {"scope": "bank:party-affairs", "count": "10"}))
    with app.app_context():
        assert len(set(db.session.scalars(select(BookEntry.question_id)))) == 4, "every objective guess was wrong"
        exam = schedule_session(blueprint_slug="five", title="复赛笔试", opens_at=START,
                                closes_at=START + timedelta(hours=2), usernames=["cand1", "cand2"], org_code=None,
                                review="after_close", show_key=True, actor=None).id
    clock.now = START + timedelta(minutes=10)
    return {"exam": exam, "mocks": mocks}


def test_during_the_exam_practice_gives_nothing_of_the_paper_and_nothing_of_the_closed_bank(app, client, hall, clock):
    attacker = Attacker(client, "cand1")
    attacker.api("POST", f"/sessions/{hall['exam']}/attempts")       # sitting it in one tab, practising in another
    attacker.bodies.clear()                                          # the paper itself, legitimately theirs
    with app.app_context():
        answered_before = set(db.session.scalars(select(PracticeAnswer.id)))
    attacker.walk()

    started = [label for label in attacker.bodies if label.startswith("POST /practice/drills ")]
    assert len(started) == len(MODES) * len(SCOPES) * len(TYPE_SETS), "every mode, scope and type set was tried"
    assert len(attacker.bodies) > 150
    assert attacker.leaks(PAPER_SECRETS + PAPER_STEMS) == []
    assert attacker.leaks(CLOSED_TEXTS) == []
    assert any("乙库单选解析" in body for body in attacker.bodies.values()), "open questions are still practised"
    with app.app_context():
        practised = set(db.session.scalars(select(PracticeAnswer.question_id)
                                           .where(PracticeAnswer.id.not_in(answered_before))))
        assert practised and practised <= question_ids("drill-bank")
    book = next(body for label, body in attacker.bodies.items() if label.startswith("GET /practice/book"))
    assert "错题本" in book and "乙库" in book
    home = attacker.bodies[next(label for label in attacker.bodies if label.startswith("GET /practice/ "))]
    assert "contest-bank" not in home and "复赛题库" not in home, "a closed bank is not even offered"


def test_the_other_candidates_of_the_hall_get_nothing_either(app, client, hall, clock):
    attacker = Attacker(client, "cand2")      # not started: the paper is drawn and shared all the same
    attacker.walk()
    assert attacker.leaks(PAPER_SECRETS + PAPER_STEMS + CLOSED_TEXTS) == []
    mock_start = [body for label, body in attacker.bodies.items() if "mocks/" in label]
    assert any("暂时无法组卷" in body for body in mock_start), "the mock over the paper's bank cannot be drawn"


def test_after_the_session_ends_the_paper_is_open_to_practice_again_but_the_closed_bank_never(app, client, hall,
                                                                                            clock):
    clock.now = START + timedelta(hours=2, seconds=31)     # closed at 11:00, and the 30 s grace for saves is over
    attacker = Attacker(client, "cand1")
    attacker.walk()
    assert attacker.leaks(CLOSED_TEXTS) == []
    for text in ("支部工作条例第五条", "有正式党员（ ）人以上的"):
        assert attacker.leaks([text]), f"{text} is practised again"
    book = next(body for label, body in attacker.bodies.items() if label.startswith("GET /practice/book"))
    assert "有正式党员（ ）人以上的" in book, "the book shows the paper's questions again"


def test_an_extended_candidate_keeps_the_paper_withheld_until_their_own_time_runs_out(app, client, hall, clock):
    from app.models import User
    from app.scheduling.service import extend_attempt
    late = Attacker(app.test_client(), "cand2")
    attempt = late.api("POST", f"/sessions/{hall['exam']}/attempts")
    with app.app_context():
        organiser = User(username="org", name="组织者", role="organiser", password_hash="")
        db.session.add(organiser)
        db.session.commit()
        extend_attempt(attempt["id"], 60, organiser, clock.now, "电脑故障")    # deadline 09:40 → 10:40
        extend_attempt(attempt["id"], 60, organiser, clock.now, "停电")        # → 11:40, after the window
    clock.now = START + timedelta(hours=2, minutes=10)      # the window closed at 11:00; cand2 sits until 11:40
    attacker = Attacker(client, "cand1")
    attacker.drill_through(attacker.post("/practice/drills", {"scope": "bank:party-affairs", "count": "10"}))
    attacker.get("/practice/book")
    assert attacker.leaks(PAPER_SECRETS + PAPER_STEMS) == []
    clock.now = START + timedelta(hours=2, minutes=40, seconds=31)
    assert "有正式党员（ ）人以上的" in attacker.get("/practice/book")


def test_a_formal_session_drawing_per_candidate_withholds_the_banks_it_draws_from(app, client, hall, clock):
    with app.app_context():
        schedule_session(blueprint_slug="drill-mock", title="每人抽题的正式考试", opens_at=START,
                         closes_at=START + timedelta(hours=1), usernames=["cand2"], org_code=None,
                         review="after_close", show_key=True, actor=None)
    attacker = Attacker(client, "cand1")
    reply = attacker.post("/practice/drills", {"scope": "bank:drill-bank", "count": "10"})
    assert "没有符合条件的题目" in reply and "乙库单选题干" not in reply


def test_a_mock_over_a_closed_bank_cannot_be_scheduled(app, hall):
    mock = MOCK.replace("paper: drill-mock", "paper: closed-mock").replace("bank: drill-bank", "bank: contest-bank")
    with app.app_context():
        spec, _ = parse_blueprint(mock, "papers/closed-mock.yaml")
        import_sources(CheckedSources([], [spec], []))
        db.session.commit()
        with pytest.raises(ScheduleError, match="contest-bank 未开放"):
            schedule_session(blueprint_slug="closed-mock", title="丙库模拟", opens_at=START,
                             closes_at=START + timedelta(days=1), usernames=["cand1"], org_code=None,
                             review="immediate", show_key=True, actor=None, mock=True)


# -- families: questions of a bank that give each other away ------------------------------------------------------

# PA-0003 (a judge item) goes on the formal paper; its family 预备期 holds PA-0009, whose key 一年 answers it. PA-0010
# has no family, and OT-1 shares the family's name in another bank (a family spans one bank): both stay open.
FAMILY_BANKS = [("pa.yaml", textwrap.dedent("""\
    bank: party-affairs
    title: 党务业务知识
    category: party_affairs
    practice: true
    questions:
      - {id: PA-0003, type: judge, stem: 预备党员的预备期为一年。, answer: 对, explanation: 党章第七条。,
         source: 党章, family: 预备期}
      - {id: PA-0009, type: blank, stem: 预备党员的预备期为___。, answer: [一年], explanation: 同族解析：预备期为一年。,
         source: 党章, family: 预备期}
      - {id: PA-0010, type: blank, stem: 无族填空题干___。, answer: [无族], explanation: 无族解析, source: 条例}
    """)), ("ot.yaml", textwrap.dedent("""\
    bank: other
    title: 他库
    category: theory
    practice: true
    questions:
      - {id: OT-1, type: blank, stem: 他库同名族题干___。, answer: [他库], explanation: 他库解析, source: 他库出处,
         family: 预备期}
    """))]
FAMILY_PAPERS = [textwrap.dedent("""\
    paper: fam
    title: 判断小卷
    duration: 30
    draw: per_session
    sections:
      - {title: 一、判断, type: judge, points: 1, pick: [{bank: party-affairs, count: 1}]}
    """), textwrap.dedent("""\
    paper: fam-mock
    title: 填空模拟
    duration: 30
    draw: per_attempt
    sections:
      - {title: 一、填空, type: blank, points: 1, pick: [{bank: party-affairs, count: 2}]}
    """)]
SIBLING_SECRETS = ("预备党员的预备期为___", "同族解析")


def schedule_family_exam(opens=START) -> int:
    """The formal exam over PA-0003, for cand2."""
    return schedule_session(blueprint_slug="fam", title="复赛笔试", opens_at=opens,
                            closes_at=opens + timedelta(hours=2), usernames=["cand2"], org_code=None,
                            review="after_close", show_key=True, actor=None).id


@pytest.fixture
def family_banks(app, make_user, clock):
    """The family banks, and a mock drawing two blanks of party-affairs for cand1, who practises; no exam yet."""
    for name in ("cand1", "cand2"):
        make_user(name, role="candidate")
    with app.app_context():
        banks, problems = validate_texts(FAMILY_BANKS)
        blueprints = [parse_blueprint(text, f"papers/{n}.yaml")[0] for n, text in enumerate(FAMILY_PAPERS)]
        assert all(blueprints) and not [p for p in problems if not p.warning], problems
        import_sources(CheckedSources(banks, blueprints, []))
        db.session.commit()
        mock = schedule_session(blueprint_slug="fam-mock", title="填空模拟", opens_at=START,
                                closes_at=START + timedelta(days=3), usernames=["cand1"], org_code=None,
                                review="immediate", show_key=True, actor=None, mock=True).id
        ids = dict(db.session.execute(select(Question.code, Question.id)).all())
        db.session.commit()
    clock.now = START + timedelta(minutes=10)
    return {"mock": mock, "ids": ids}


@pytest.fixture
def family_hall(app, family_banks):
    """The formal exam over PA-0003 scheduled, open from START for two hours; it is 10 minutes in."""
    with app.app_context():
        exam = schedule_family_exam()
        db.session.commit()
    return {**family_banks, "exam": exam}


def test_a_family_of_a_question_on_an_unended_paper_is_withheld_with_it(app, family_hall, clock):
    ids = family_hall["ids"]
    with app.app_context():
        everything = set(ids.values())
        assert practicable(everything, clock.now) == {ids["PA-0010"], ids["OT-1"]}
        assert not_withheld(everything, clock.now) == {ids["PA-0010"], ids["OT-1"]}
        bank = db.session.scalar(select(Bank.id).where(Bank.slug == "party-affairs"))
        assert withheld_counts(clock.now) == {bank: 2}
        cand1 = db.session.scalar(select(User).where(User.username == "cand1"))
        with pytest.raises(SessionNotOpen):     # the mock's two blanks: PA-0010 is all the bank has open
            start_attempt(family_hall["mock"], cand1, clock.now)
        db.session.rollback()
        clock.now = START + timedelta(hours=2, seconds=31)
        assert practicable(everything, clock.now) == everything, "the session has ended: the family is open again"


def test_practice_gives_nothing_of_the_family_while_the_exam_may_ask_one_of_it(app, client, family_hall, clock):
    attacker = Attacker(client, "cand1")
    for scope in ("", "bank:party-affairs", "category:party_affairs"):
        attacker.drill_through(attacker.post("/practice/drills", {"scope": scope, "count": "10"}))
    attacker.drill_through(attacker.post("/practice/daily", {}))
    attacker.get("/practice/book")
    assert attacker.leaks(SIBLING_SECRETS) == []
    assert attacker.leaks(["无族解析"]) and attacker.leaks(["他库解析"]), "questions outside the family are practised"
    clock.now = START + timedelta(hours=2, seconds=31)
    attacker.drill_through(attacker.post("/practice/drills", {"scope": "bank:party-affairs", "count": "10"}))
    assert attacker.leaks(["同族解析"]), "once the session has ended the sibling is drilled again"


def test_a_drill_begun_before_the_exam_skips_the_family(app, client, family_banks, clock):
    attacker = Attacker(client, "cand1")
    begun = attacker.client.post("/practice/drills", data={"csrf_token": attacker.token(), "count": "10",
                                                           "scope": "bank:party-affairs"})
    assert begun.status_code == 302, begun.get_data(as_text=True)
    with app.app_context():
        schedule_family_exam(opens=START + timedelta(hours=1))
        db.session.commit()
    attacker.drill_through(attacker.get(begun.location))
    assert attacker.leaks(SIBLING_SECRETS) == [] and attacker.leaks(["无族解析"])


def test_organisers_see_that_a_family_holds_a_question_back(app, client, organiser, family_hall):
    login(client, "organiser1")
    held = client.get(f"/admin/questions/{family_hall['ids']['PA-0009']}").get_data(as_text=True)
    assert "暂停练习" in held and "本题或与本题同属“预备期”一族的题正用于尚未结束的考试" in held
    assert f"/admin/sessions/{family_hall['exam']}" in held
    assert "可以练习" in client.get(f"/admin/questions/{family_hall['ids']['OT-1']}").get_data(as_text=True)


def test_an_empty_answer_to_a_withheld_question_is_refused_as_an_answer_would_be(app, client, family_banks, clock):
    """A slip (nothing chosen) is shown on the question's page: for a question a drill begun earlier now skips, that
    page would show what practice withholds. It is refused first as not askable, by the form and by the API alike."""
    attacker = Attacker(client, "cand1")
    begun = attacker.client.post("/practice/drills", data={"csrf_token": attacker.token(), "count": "10",
                                                           "scope": "bank:party-affairs"})
    drill_id = int(begun.location.rsplit("/", 1)[1])
    with app.app_context():
        schedule_family_exam(opens=START + timedelta(hours=1))
        db.session.commit()
    for question_id in (family_banks["ids"]["PA-0003"], family_banks["ids"]["PA-0009"]):     # on the paper; its family
        for nothing in ([], [""]):              # nothing chosen; an empty box
            page = attacker.post(f"/practice/drills/{drill_id}/answer", {"question_id": question_id,
                                                                          "response": nothing})
            assert "这道题现在不能练习" in page
        empty = attacker.api("POST", f"/drills/{drill_id}/answers", {"question_id": question_id, "response": None})
        guessed = attacker.api("POST", f"/drills/{drill_id}/answers", {"question_id": question_id, "response": ["猜"]})
        assert empty == guessed and empty["error"] == "not_available", (empty, guessed)
    assert attacker.leaks(["预备党员的预备期为", "同族解析", "党章第七条"]) == []
    page = attacker.post(f"/practice/drills/{drill_id}/answer",
                         {"question_id": family_banks["ids"]["PA-0010"], "response": [""]})
    assert "请先作答" in page and "无族填空题干" in page, "a slip on the question the drill asks is still shown on it"
