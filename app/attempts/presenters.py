"""What a candidate may see of an attempt, as plain data (times as datetimes) for the JSON API and the result page.

Answer keys, explanations and per-item scores are added only once the attempt is finished and the
session's review policy allows it (DESIGN §2, app/domain/review.py): nothing here can leak a key into a running
exam, and a question that an unended session can still ask keeps its key back even then (app/attempts/release.py).
"""
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Row, select
from sqlalchemy.orm import selectinload

from app.attempts.away import away_count
from app.attempts.letters import bank_letters, shown_letters
from app.attempts.release import grace, has_ended, not_withheld, practicable
from app.attempts.service import LaidOut, Submitted
from app.domain import review
from app.domain.marking import is_answered
from app.domain.markup import render_inline, render_markdown, render_stem
from app.domain.questions import LETTERS, QuestionType
from app.domain.scores import rounded
from app.domain.text import count_blanks
from app.extensions import db
from app.models import Attempt, AttemptStatus, ExamSession, PaperItem, Response, SessionCandidate, User
from app.papers.content import ItemContent, PaperContent, RevisionContent, paper_content


def score_visible(session: ExamSession, attempt: Attempt, now: datetime) -> bool:
    return review.score_visible(session.review, attempt.finished, has_ended(session, now))


def key_visible(session: ExamSession, attempt: Attempt, now: datetime) -> bool:
    return review.key_visible(session.review, session.show_key, session.mock, attempt.finished,
                              has_ended(session, now))


def _rendered_once(render: Callable[[str], str], size: int) -> Callable[[str], str]:
    """`render` cached per process, each text rendered by one thread at a time: when 500 candidates start at once, a
    process that has not shown the paper yet has all its threads asking for the same stems in the same order, and
    without the lock they rendered them side by side (8 threads took 2.3 times one thread's CPU for a 48-item paper)."""
    cached, lock = lru_cache(maxsize=size)(render), threading.Lock()

    def rendered(text: str) -> str:
        with lock:
            return cached(text)
    return rendered


# Rendering the same stems for 500 candidates at once would be wasted work; revisions never change.
stem_html = _rendered_once(render_stem, 8192)
inline_html = _rendered_once(render_inline, 32768)
markdown_html = _rendered_once(render_markdown, 8192)


def _responses(attempt: Attempt) -> list[Response]:
    return list(db.session.scalars(
        select(Response).where(Response.attempt_id == attempt.id).order_by(Response.position)
        .options(selectinload(Response.paper_item).selectinload(PaperItem.revision))))


def attempt_payload(attempt: Attempt, now: datetime) -> dict[str, Any]:
    """GET /api/v1/attempts/<id> (DESIGN §3.4): the paper as this candidate sees it, from the process's cache of the
    paper (app/papers/content.py) and one column query of the attempt's responses. An attempt this request has just
    started has nothing answered and no away record yet: its items come from the layout its start stored, not read
    back (a spike of 500 starts)."""
    paper = paper_content(attempt.paper_id)
    just_started = attempt.laid_out_here is not None
    answers = _laid_out(paper, attempt.laid_out_here) if just_started else _answers(attempt.id)
    payload: dict[str, Any] = {
        "id": attempt.id, "status": attempt.status, "title": paper.title,
        "session": {"id": attempt.session_id, "title": attempt.session.title},
        "started_at": attempt.started_at, "deadline": attempt.deadline, "server_time": now,
        "sections": _sections(paper, answers),
        "responses": {answer.key: answer.value for answer in answers if answer.value is not None},
        # A reload or a second device numbers its away records (切屏) after these, and shows the count.
        "away_count": 0 if just_started else away_count(attempt.id),
    }
    if attempt.finished:
        payload["finished_at"], payload["marked"] = attempt.finished_at, attempt.score is not None
        payload["result"] = result_payload(attempt, _responses(attempt), now)
    return payload


def _answers(attempt_id: int) -> list[Row]:
    """The attempt's items in the order shown, with what this candidate sees of each, and a key correction's override,
    which can change what a page shows (a calculation's units) while the paper's content never does."""
    return db.session.execute(
        select(Response.key, Response.paper_item_id, Response.section_index, Response.option_order, Response.value,
               PaperItem.answer_override)
        .join(PaperItem, Response.paper_item_id == PaperItem.id)
        .where(Response.attempt_id == attempt_id).order_by(Response.position)).all()


class Asked(NamedTuple):
    """An item as `_answers` reads it, for an attempt laid out but not read back."""
    key: str
    paper_item_id: int
    section_index: int
    option_order: list[str]
    value: Any
    answer_override: Any


def _laid_out(paper: PaperContent, laid_out: LaidOut) -> list[Asked]:
    """A new attempt's items as its start arranged them, each with its paper item's key correction as its start read
    it; nothing answered yet."""
    return [Asked(item.key, paper.items[item.index].id, section_index, list(item.option_order), None,
                  laid_out.corrections.get(paper.items[item.index].id))
            for section_index, section in enumerate(laid_out.arranged) for item in section]


def submit_payload(submitted: Submitted, now: datetime, marked_here: bool = False) -> dict[str, Any]:
    """POST …/submit: the outcome without the paper again, so a deadline burst of submits stays cheap: while its marks
    are being computed (by the marking thread), what the submit read and wrote, and no query."""
    if marked_here or submitted.score is not None:   # marked: the result as the attempt's page gives it
        attempt = db.session.get(Attempt, submitted.id)
        payload = {"id": attempt.id, "status": attempt.status, "deadline": attempt.deadline,
                   "finished_at": attempt.finished_at, "marked": attempt.score is not None, "server_time": now}
        visible = score_visible(attempt.session, attempt, now)
        payload["result"] = result_payload(attempt, _responses(attempt) if visible else [], now)
        return payload
    # has_ended()'s own first look, so that the session is loaded only once its window has closed
    closed = review.has_ended(submitted.closes_at, now, grace())
    ended = closed and has_ended(db.session.get(ExamSession, submitted.session_id), now)
    visible = review.score_visible(submitted.review, submitted.status != AttemptStatus.IN_PROGRESS, ended)
    return {"id": submitted.id, "status": submitted.status, "deadline": submitted.deadline,
            "finished_at": submitted.finished_at, "marked": False, "server_time": now,
            "result": _pending(submitted.max_score) if visible else {"visible": False}}


def _pending(max_score: float) -> dict[str, Any]:
    """A visible result whose marks follow the submit's commit."""
    return {"visible": True, "pending": True, "max_score": max_score}


def _sections(paper: PaperContent, answers: list[Row] | list[Asked]) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    for answer in answers:
        item = paper.item(answer.paper_item_id)
        if not sections or sections[-1]["index"] != answer.section_index:
            sections.append({"index": answer.section_index, "title": item.section_title, "items": []})
        sections[-1]["items"].append(_item(answer.key, item, answer.option_order, answer.answer_override))
    return [{"title": s["title"], "items": s["items"]} for s in sections]


def _item(key: str, item: ItemContent, option_order: list[str], override: Any) -> dict[str, Any]:
    """One item as a candidate is asked it: what every candidate sees of it (kept per item), with this candidate's
    number and order of the options."""
    fields, options = _asked(item) if override is None else (_asked_fields(item, override), None)
    asked = {**fields, "key": key}
    if item.revision.options:
        options = options or _options_html(item.revision)
        asked["options"] = [{"key": LETTERS[shown], "html": options[letter]}
                            for shown, letter in enumerate(option_order)]
    return asked


@lru_cache(maxsize=8192)
def _asked(item: ItemContent) -> tuple[dict[str, Any], dict[str, str]]:
    """Per item of a cached paper (by identity: a paper's content is read once per app and never changes)."""
    return _asked_fields(item, item.revision.answer), _options_html(item.revision)


def _options_html(revision: RevisionContent) -> dict[str, str]:
    return {letter: inline_html(text) for letter, text in revision.options.items()}


def _asked_fields(item: ItemContent, key: Any) -> dict[str, Any]:
    revision = item.revision
    fields: dict[str, Any] = {"type": revision.type, "type_label": revision.kind.label, "input": revision.kind.input,
                              "stem_html": stem_html(revision.stem), "points": item.points}
    if revision.kind.has_blanks:
        fields["blanks"] = count_blanks(revision.stem)
    if revision.kind.has_prompts:   # left items in bank order: the shuffled right items alone carry the key
        fields["prompts"] = [inline_html(prompt) for prompt in revision.prompts]
    fields |= revision.kind.page_fields(key)
    if revision.kind.parts:
        fields["parts"] = _parts(revision.kind, fields.pop("part_fields"), item.points)
    return fields


def _parts(kind: QuestionType, fields: list[dict[str, Any]], points: float) -> list[dict[str, Any]]:
    """A material's parts as its page asks them, each like an item of its own type: options in the bank's order (a
    part's options are not shuffled), its share of the points, and its own page fields; never a key."""
    return [{"number": number, "type": part.kind.name, "type_label": part.kind.label, "input": part.kind.input,
             "stem_html": stem_html(part.stem), "points": rounded(share),
             **({"options": [{"key": letter, "html": inline_html(text)} for letter, text in part.options.items()]}
                if part.options else {}),
             **({"blanks": part.blanks} if part.kind.has_blanks else {}), **page}
            for number, (part, page, share) in enumerate(zip(kind.parts, fields, kind.shares(points), strict=True),
                                                         start=1)]


def result_payload(attempt: Attempt, responses: list[Response], now: datetime) -> dict[str, Any] | None:
    """The score, and per item the key and explanation where the review policy allows; None if not yet.

    An item whose question an unended session may still ask is held back: no key, and no mark either, since a
    judge item's mark is its key. A mock's score then covers only its other items (its total less their marks would
    give the held-back marks away); a formal session's total is the candidate's official score and stays whole, so
    its items wait for review until none is held back."""
    session = attempt.session
    if not score_visible(session, attempt, now):
        return {"visible": False}
    if attempt.score is None:   # submitted a moment ago; its marks follow the commit
        return _pending(attempt.max_score)
    held = _held_back_keys(session, responses, now)
    result: dict[str, Any] = {"visible": True, **_score_fields(attempt, responses, held),
                              "sections": _section_scores(responses, held)}
    if not key_visible(session, attempt, now):
        return result
    if held and not session.mock:
        result["review_waits"] = True
        return result
    result["items"] = {r.key: _held_back(r) if r.key in held else _reviewed(r) for r in responses}
    return result


def _held_back_keys(session: ExamSession, responses: list[Response], now: datetime) -> set[str]:
    """The items whose key and mark this review may not show yet: a mock's must still be open to practice; any
    review holds back a question that another session, not yet ended, may still ask."""
    questions = {r.paper_item.revision.question_id for r in responses}
    released = practicable(questions, now) if session.mock else not_withheld(questions, now)
    return {r.key for r in responses if r.paper_item.revision.question_id not in released}


def _score_fields(attempt: Attempt, responses: list[Response], held: set[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {"score": attempt.score, "max_score": attempt.max_score,
                              "fully_marked": attempt.fully_marked}
    if not held:
        return fields
    fields["held_back"] = {"items": len(held), "points": rounded(sum(r.paper_item.points for r in responses
                                                                      if r.key in held))}
    if attempt.session.mock:
        shown = [r for r in responses if r.key not in held]
        fields["score"] = rounded(sum(r.score for r in shown if r.score is not None))
        fields["max_score"] = rounded(sum(r.paper_item.points for r in shown))
    return fields


def _section_scores(responses: list[Response], held: set[str]) -> list[dict[str, Any]]:
    """Per section in paper order: its score, full marks and items waiting for a judge; a section holding an item
    held back gives no score (a one-item section's score is that item's mark)."""
    sections: dict[int, dict[str, Any]] = {}
    for response in responses:
        item = response.paper_item
        section = sections.setdefault(response.section_index,
                                      {"title": item.section_title, "score": 0.0, "points": 0.0, "pending": 0})
        section["points"] = rounded(section["points"] + item.points)
        if response.key in held:
            section["held_back"] = True
        elif response.score is None:
            section["pending"] += 1
        else:
            section["score"] = rounded(section["score"] + response.score)
    for section in sections.values():
        if section.get("held_back"):
            del section["score"]
    return list(sections.values())


def score_summary(attempt: Attempt, now: datetime) -> dict[str, Any]:
    """What a list of the candidate's sessions or mocks says of a finished attempt's score, as its result page
    would: nothing, pending, or the score shown (a mock's without its held-back items)."""
    session = attempt.session
    if not score_visible(session, attempt, now):
        return {}
    if attempt.score is None:
        return {"pending": True}
    if not session.mock:   # the official score, never partial
        return {"score": attempt.score, "max_score": attempt.max_score, "fully_marked": attempt.fully_marked}
    responses = _responses(attempt)
    return _score_fields(attempt, responses, _held_back_keys(session, responses, now))


def _held_back(response: Response) -> dict[str, Any]:
    held = {"points": response.paper_item.points, "held_back": True}
    if response.paper_item.revision.kind.parts:
        held["parts"] = [{"said": said} for said in _parts_said(response)]
    return held


def _parts_said(response: Response) -> list[str]:
    """What the candidate gave for each part of a material, as a person reads it."""
    kind = response.paper_item.revision.kind
    given = response.value if isinstance(response.value, list) else [None] * len(kind.parts)
    return [part.kind.describe_response(value) if is_answered(value) else "未作答"
            for part, value in zip(kind.parts, given, strict=False)]


def _parts_reviewed(response: Response) -> list[dict[str, Any]]:
    """Each part's answer and score for a material's review: its key, and its mark by its own type."""
    item, kind = response.paper_item, response.paper_item.revision.kind
    given = bank_letters(response)
    given = given if isinstance(given, list) else [None] * len(kind.parts)
    scores = kind.part_scores(item.key, given, item.points, multiple_scoring=item.paper.multiple_scoring,
                              ordering_scoring=item.paper.ordering_scoring)
    return [{"said": said, "answer_text": part.kind.describe_answer(key), "answer": key, "score": rounded(score),
             "points": rounded(share)}
            for part, key, said, score, share in zip(kind.parts, item.key, _parts_said(response), scores,
                                                     kind.shares(item.points), strict=True)]


def _reviewed(response: Response) -> dict[str, Any]:
    item, revision = response.paper_item, response.paper_item.revision
    reviewed = {"score": response.score, "points": item.points, "explanation_html": markdown_html(item.explanation)}
    if not revision.kind.objective:
        reviewed["reference_html"] = markdown_html(revision.reference_answer)
        return reviewed
    shown = shown_letters(response, item.key)
    reviewed["answer"] = shown
    reviewed["answer_text"] = revision.kind.describe_answer(shown)
    if revision.kind.parts:
        reviewed["parts"] = _parts_reviewed(response)
    if item.answer_override is not None:
        original = shown_letters(response, revision.answer)
        reviewed["corrected"] = {"old": original, "old_text": revision.kind.describe_answer(original)}
    return reviewed


def sessions_for(user: User, now: datetime) -> list[dict[str, Any]]:
    """GET /api/v1/sessions: the user's sessions with their state, and their attempt if any."""
    sessions = db.session.scalars(
        select(ExamSession).join(SessionCandidate).where(SessionCandidate.user_id == user.id)
        .order_by(ExamSession.opens_at).options(selectinload(ExamSession.paper), selectinload(ExamSession.blueprint)))
    attempts = {a.session_id: a for a in db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.number))}
    return [session_summary(session, attempts.get(session.id), now) for session in sessions]


def deadline_if_started(session: ExamSession, now: datetime) -> datetime:
    """The deadline an attempt started now would get (or at the opening, for a session still to come)."""
    return min(max(now, session.opens_at) + timedelta(minutes=session.duration), session.closes_at)


def session_summary(session: ExamSession, attempt: Attempt | None, now: datetime) -> dict[str, Any]:
    state = "upcoming" if now < session.opens_at else "open" if now < session.closes_at else "closed"
    summary: dict[str, Any] = {
        "id": session.id, "title": session.title, "state": state, "duration": session.duration,
        "review": session.review, "opens_at": session.opens_at, "closes_at": session.closes_at,
        "deadline_if_started_now": deadline_if_started(session, now),
        "attempt": None,
    }
    if attempt is not None:
        summary["attempt"] = {"id": attempt.id, "status": attempt.status, "deadline": attempt.deadline,
                              **score_summary(attempt, now)}
    return summary

