"""What a stored paper needs that never changes, read once per process: a paper, its items and the question revisions
they hold are immutable once stored, so starting, saving, showing and marking an attempt take them from here rather
than loading ORM objects on every request. The one thing of a paper that changes, an organiser's key correction
(paper_items.answer_override and explanation_override), is not kept here: whoever needs the key reads it.

Per app (current_app.extensions: test apps reuse ids), bounded, shared by the process's threads, filled by column
queries. Only what is committed is read into it: a paper drawn inside a write that has not committed is laid out from
its revisions (`unstored`), never cached itself, since a rolled-back id may be given again to another paper.
"""
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import current_app
from sqlalchemy import select

from app.domain.questions import QuestionType, option_letters, question_type
from app.extensions import db
from app.models import Paper, PaperItem, QuestionRevision

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, eq=False)
class RevisionContent:
    """A question revision as attempts use it: to lay out, ask, check and mark."""

    id: int
    type: str
    stem: str
    options: dict[str, str]
    prompts: list[str]
    answer: Any
    blank_order: str
    kind: QuestionType          # bound to its parts, if any
    letters: tuple[str, ...]    # the letters its options carry
    slots: int                  # how many answers it takes


@dataclass(frozen=True, eq=False)
class ItemContent:
    id: int | None              # None in a paper drawn but not yet stored
    position: int
    section_index: int
    section_title: str
    points: float
    revision: RevisionContent


@dataclass(frozen=True, eq=False)
class PaperContent:
    id: int | None
    title: str
    duration: int
    multiple_scoring: str
    ordering_scoring: str
    shuffle_questions: bool
    shuffle_options: bool
    total_points: float
    items: tuple[ItemContent, ...]   # by position

    def __post_init__(self):
        object.__setattr__(self, "by_id", {item.id: item for item in self.items})

    def item(self, item_id: int) -> ItemContent:
        return self.by_id[item_id]


class Lru(Generic[K, V]):
    """The entries a process used last, at most `size`; shared by its threads."""

    def __init__(self, size: int):
        self.size, self.lock, self.entries = size, threading.Lock(), OrderedDict()

    def get(self, key: K) -> V | None:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


# Sized for a busy day of mocks (a paper each) on banks of thousands of questions; a revision is a few kilobytes.
PAPERS, REVISIONS = 1024, 16384

_REVISION_COLUMNS = (QuestionRevision.id, QuestionRevision.type, QuestionRevision.stem, QuestionRevision.options,
                     QuestionRevision.prompts, QuestionRevision.parts, QuestionRevision.answer,
                     QuestionRevision.blank_order)


def app_cache(name: str, make: Callable[[], Any]) -> Any:
    """The app's own instance of a process cache (`make` builds it on first use)."""
    cache = current_app.extensions.get(name)
    if cache is None:
        cache = current_app.extensions.setdefault(name, make())
    return cache


def revisions(ids: Iterable[int]) -> dict[int, RevisionContent]:
    """The revisions of these ids (every one must exist), read in one query for those not cached yet."""
    cache: Lru[int, RevisionContent] = app_cache("revision_content", lambda: Lru(REVISIONS))
    found, missing = {}, []
    for revision_id in ids:
        if revision_id in found:
            continue
        content = cache.get(revision_id)
        if content is None:
            missing.append(revision_id)
        else:
            found[revision_id] = content
    if missing:
        for row in db.session.execute(select(*_REVISION_COLUMNS).where(QuestionRevision.id.in_(missing))):
            content = _revision(*row)
            cache.put(content.id, content)
            found[content.id] = content
    return found


def _revision(revision_id: int, qtype: str, stem: str, options: dict[str, str] | None, prompts: list[str] | None,
              parts: list[dict[str, Any]] | None, answer: Any, blank_order: str) -> RevisionContent:
    options, prompts = options or {}, prompts or []
    kind = question_type(qtype).bind(parts or [])
    return RevisionContent(revision_id, qtype, stem, options, prompts, answer, blank_order, kind,
                           option_letters(options), kind.slots(stem, prompts))


def paper_content(paper_id: int) -> PaperContent:
    """A stored paper with its items and their revisions."""
    cache: Lru[int, PaperContent] = app_cache("paper_content", lambda: Lru(PAPERS))
    content = cache.get(paper_id)
    if content is None:
        paper = db.session.execute(
            select(Paper.title, Paper.duration, Paper.multiple_scoring, Paper.ordering_scoring,
                   Paper.shuffle_questions, Paper.shuffle_options, Paper.total_points)
            .where(Paper.id == paper_id)).one()
        rows = db.session.execute(
            select(PaperItem.id, PaperItem.position, PaperItem.section_index, PaperItem.section_title,
                   PaperItem.points, PaperItem.revision_id)
            .where(PaperItem.paper_id == paper_id).order_by(PaperItem.position)).all()
        by_id = revisions(row.revision_id for row in rows)
        content = PaperContent(paper_id, *paper, items=tuple(
            ItemContent(item_id, position, section_index, section_title, points, by_id[revision_id])
            for item_id, position, section_index, section_title, points, revision_id in rows))
        cache.put(paper_id, content)
    return content


def unstored(paper: Paper) -> PaperContent:
    """A paper just drawn (app/papers/service.py drawn_paper), not yet stored, as stored papers are given here."""
    by_id = revisions(item.revision_id for item in paper.items)
    return PaperContent(None, paper.title, paper.duration, paper.multiple_scoring, paper.ordering_scoring,
                        paper.shuffle_questions, paper.shuffle_options, paper.total_points, items=tuple(
                            ItemContent(None, item.position, item.section_index, item.section_title, item.points,
                                        by_id[item.revision_id])
                            for item in paper.items))
