"""Paper blueprints (DESIGN §3.2) and drawing: blueprint + pool + seed → the same paper every time.

`arrange` then orders one candidate's view of a drawn paper: questions within sections and options shuffled
from the attempt's seed, with the letters a candidate sees mapped back for marking.
"""
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from app.domain import yamlmarks
from app.domain.banks import BankSpec
from app.domain.problems import Problem, Report, text_value
from app.domain.questions import LETTERS, TYPES
from app.domain.questions.ordering import ORDERING_SCORING

DRAW_MODES = ("per_session", "per_attempt")
MULTIPLE_SCORING = ("strict", "half", "proportional")
PAPER_KEYS = {"paper", "title", "description", "duration", "draw", "shuffle", "multiple_scoring", "ordering_scoring",
              "sections", "total"}
SECTION_KEYS = {"title", "type", "points", "pick"}
PICK_KEYS = {"bank", "count", "tags", "difficulty", "ids"}
SHUFFLE_KEYS = {"questions", "options"}


@dataclass(frozen=True)
class Pick:
    """One line of a section's `pick`: either fixed ids, or `count` drawn from a bank by filters."""

    line: int
    ids: tuple[str, ...] = ()
    bank: str = ""
    count: int = 0
    tags: tuple[str, ...] = ()
    difficulty: tuple[int, int] = (1, 5)

    def describe(self, qtype: str) -> str:
        parts = [f"{self.count} {qtype} from {self.bank}"]
        if self.tags:
            parts.append(f"tags {'/'.join(self.tags)}")
        if self.difficulty != (1, 5):
            low, high = self.difficulty
            parts.append(f"difficulty {low}" if low == high else f"difficulty {low}–{high}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Section:
    title: str
    type: str
    points: float
    picks: tuple[Pick, ...]
    line: int = 0


@dataclass(frozen=True)
class BlueprintSpec:
    """试卷蓝图: how to build a paper; `spec()` is its canonical, storable form."""

    slug: str
    title: str
    duration: int
    draw: str
    shuffle_questions: bool
    shuffle_options: bool
    multiple_scoring: str
    sections: tuple[Section, ...]
    description: str = ""
    ordering_scoring: str = "strict"
    file: str = ""
    line: int = 1

    def spec(self) -> dict[str, Any]:
        return {
            "paper": self.slug, "title": self.title, "description": self.description, "duration": self.duration,
            "draw": self.draw, "shuffle": {"questions": self.shuffle_questions, "options": self.shuffle_options},
            "multiple_scoring": self.multiple_scoring,
            # Only when set, so that blueprints written before ordering items keep their content hash.
            **({"ordering_scoring": self.ordering_scoring} if self.ordering_scoring != "strict" else {}),
            "sections": [{
                "title": s.title, "type": s.type, "points": s.points,
                "pick": [{"ids": list(p.ids)} if p.ids else
                         {"bank": p.bank, "count": p.count, "tags": list(p.tags), "difficulty": list(p.difficulty)}
                         for p in s.picks],
            } for s in self.sections],
        }

    @property
    def total_points(self) -> float:
        return sum(section.points * _section_size(section) for section in self.sections)

    def banks(self) -> set[str]:
        """Every bank the blueprint draws from or names a fixed question of."""
        return {pick.bank for section in self.sections for pick in section.picks if pick.bank} | \
            {ref.split("/", 1)[0] for section in self.sections for pick in section.picks for ref in pick.ids}


def _section_size(section: Section) -> int:
    return sum(len(pick.ids) or pick.count for pick in section.picks)


def blueprint_from_spec(spec: dict[str, Any]) -> BlueprintSpec:
    """The inverse of `BlueprintSpec.spec()`, for blueprints read back from the database."""
    return BlueprintSpec(
        slug=spec["paper"], title=spec["title"], description=spec.get("description", ""), duration=spec["duration"],
        draw=spec["draw"], shuffle_questions=spec["shuffle"]["questions"], shuffle_options=spec["shuffle"]["options"],
        multiple_scoring=spec["multiple_scoring"], ordering_scoring=spec.get("ordering_scoring", "strict"),
        sections=tuple(Section(
            title=s["title"], type=s["type"], points=s["points"],
            picks=tuple(Pick(line=0, ids=tuple(p.get("ids", ())), bank=p.get("bank", ""), count=p.get("count", 0),
                             tags=tuple(p.get("tags", ())), difficulty=tuple(p.get("difficulty", (1, 5))))
                        for p in s["pick"]),
        ) for s in spec["sections"]),
    )


def parse_blueprint(text: str, file: str) -> tuple[BlueprintSpec | None, list[Problem]]:
    report = Report(file)
    document = report.load_mapping(text, "试卷蓝图应是一个映射，包含 paper、title、duration、sections")
    if document is None:
        return None, report.problems
    report.repeated_keys(document)
    report.unknown_keys(document, PAPER_KEYS)
    header = _parse_header(document, report)
    sections = _parse_sections(document, report)
    if report.has_errors:
        return None, report.problems
    _check_total(document, sections, report)
    if report.has_errors:
        return None, report.problems
    return BlueprintSpec(sections=tuple(sections), file=file, line=document.line, **header), report.problems


def _check_total(document: yamlmarks.MarkedMap, sections: list[Section], report: Report) -> None:
    """A declared `total` is what the author meant the sections to add up to: a paper of 80 points that was meant to
    be of 100 is caught here rather than by the first candidate's score."""
    if "total" not in document:
        return
    total = document.get("total")
    line = document.line_of("total")
    if isinstance(total, bool) or not isinstance(total, (int, float)) or total <= 0:
        report.error(line, f"total 应为正数（试卷满分），而不是 {total!r}")
        return
    summed = sum(section.points * _section_size(section) for section in sections)
    if abs(summed - total) > 1e-9:
        parts = " + ".join(f"{section.points:g}×{_section_size(section)}" for section in sections)
        report.error(line, f"total: {total:g}，但各大题合计 {parts} = {summed:g} 分")


def _parse_header(document: yamlmarks.MarkedMap, report: Report) -> dict[str, Any]:
    slug = text_value(document.get("paper")) or ""
    if not slug:
        report.error(document.line_of("paper"), "缺少 paper（试卷标识）")
    title = text_value(document.get("title")) or ""
    if not title:
        report.error(document.line_of("title"), "缺少 title（试卷名称）")
    duration = document.get("duration")
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 600:
        report.error(document.line_of("duration"), f"duration 应为 1 到 600 的整数（分钟），而不是 {duration!r}")
    draw = document.get("draw", "per_session")
    if draw not in DRAW_MODES:
        report.error(document.line_of("draw"), f"draw 应为 {' | '.join(DRAW_MODES)} 之一，而不是 {draw!r}")
    scoring = document.get("multiple_scoring", "strict")
    if scoring not in MULTIPLE_SCORING:
        report.error(document.line_of("multiple_scoring"),
                     f"multiple_scoring 应为 {' | '.join(MULTIPLE_SCORING)} 之一，而不是 {scoring!r}")
    ordering = document.get("ordering_scoring", "strict")
    if ordering not in ORDERING_SCORING:
        report.error(document.line_of("ordering_scoring"),
                     f"ordering_scoring 应为 {' | '.join(ORDERING_SCORING)} 之一，而不是 {ordering!r}")
    shuffle = _parse_shuffle(document, report)
    return {"slug": slug, "title": title, "description": text_value(document.get("description")) or "",
            "duration": duration, "draw": draw, "multiple_scoring": scoring, "ordering_scoring": ordering,
            "shuffle_questions": shuffle["questions"], "shuffle_options": shuffle["options"]}


def _parse_shuffle(document: yamlmarks.MarkedMap, report: Report) -> dict[str, bool]:
    shuffle = document.get("shuffle", {"questions": True, "options": True})
    if not isinstance(shuffle, dict):
        report.error(document.line_of("shuffle"), "shuffle 应写成 {questions: true, options: true}")
        return {"questions": True, "options": True}
    if isinstance(shuffle, yamlmarks.MarkedMap):
        report.unknown_keys(shuffle, SHUFFLE_KEYS, where="shuffle 中")
    values = {key: shuffle.get(key, True) for key in SHUFFLE_KEYS}
    for key, value in values.items():
        if not isinstance(value, bool):
            report.error(document.line_of("shuffle"), f"shuffle.{key} 应为 true 或 false")
    return values


def _parse_sections(document: yamlmarks.MarkedMap, report: Report) -> list[Section]:
    sections = document.get("sections")
    if not isinstance(sections, yamlmarks.MarkedList) or not sections:
        report.error(document.line_of("sections"), "缺少 sections，或 sections 不是非空列表")
        return []
    parsed = []
    for index, item in enumerate(sections):
        if not isinstance(item, yamlmarks.MarkedMap):
            report.error(sections.line_of(index), "每个大题应是一个映射（title、type、points、pick）")
            continue
        parsed.append(_parse_section(item, report))
    return parsed


def _parse_section(item: yamlmarks.MarkedMap, report: Report) -> Section:
    report.repeated_keys(item)
    report.unknown_keys(item, SECTION_KEYS, where="大题中")
    title = text_value(item.get("title")) or ""
    if not title:
        report.error(item.line, "大题缺少 title")
    qtype = item.get("type")
    if qtype not in TYPES:
        report.error(item.line_of("type"), f"大题的 type 应为 {' | '.join(TYPES)} 之一，而不是 {qtype!r}")
    points = item.get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        report.error(item.line_of("points"), f"{title}: points 应为正数（每题分值），而不是 {points!r}")
        points = 0
    picks = item.get("pick")
    if not isinstance(picks, yamlmarks.MarkedList) or not picks:
        report.error(item.line_of("pick"), f"{title}: 缺少 pick（抽题规则列表）")
        picks = yamlmarks.MarkedList()
        picks.line, picks.item_lines = item.line, []
    parsed = [_parse_pick(pick, picks.line_of(i), title, report) for i, pick in enumerate(picks)]
    return Section(title=title, type=str(qtype), points=points, picks=tuple(p for p in parsed if p), line=item.line)


def _parse_pick(pick: Any, line: int, title: str, report: Report) -> Pick | None:
    if not isinstance(pick, yamlmarks.MarkedMap):
        report.error(line, f"{title}: 抽题规则应写成 {{bank: …, count: …}} 或 {{ids: [题库/编号, …]}}")
        return None
    report.unknown_keys(pick, PICK_KEYS, where="抽题规则中")
    if "ids" in pick:
        return _parse_fixed(pick, line, title, report)
    bank = text_value(pick.get("bank")) or ""
    count = pick.get("count")
    if not bank:
        report.error(line, f"{title}: 抽题规则缺少 bank")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        report.error(line, f"{title}: count 应为正整数，而不是 {count!r}")
        count = 0
    tags = pick.get("tags", [])
    if not isinstance(tags, list) or any(not text_value(tag) for tag in tags):
        report.error(line, f"{title}: tags 应是文字列表")
        tags = []
    return Pick(line=line, bank=bank, count=count, tags=tuple(text_value(t) for t in tags),
                difficulty=_parse_difficulty(pick.get("difficulty"), line, title, report))


def _parse_fixed(pick: yamlmarks.MarkedMap, line: int, title: str, report: Report) -> Pick | None:
    extra = set(pick) - {"ids"}
    if extra:
        report.error(line, f"{title}: 固定题目（ids）不能与 {', '.join(sorted(extra))} 同用")
    ids = pick.get("ids")
    if not isinstance(ids, list) or not ids or any("/" not in (text_value(i) or "") for i in ids):
        report.error(line, f"{title}: ids 应是 题库/编号 的列表，如 [party-affairs/PA-0007]")
        return None
    return Pick(line=line, ids=tuple(text_value(i) for i in ids))


def _parse_difficulty(value: Any, line: int, title: str, report: Report) -> tuple[int, int]:
    if value is None:
        return (1, 5)
    bounds = [value, value] if isinstance(value, int) and not isinstance(value, bool) else value
    if (not isinstance(bounds, list) or len(bounds) != 2
            or any(isinstance(b, bool) or not isinstance(b, int) or not 1 <= b <= 5 for b in bounds)
            or bounds[0] > bounds[1]):
        report.error(line, f"{title}: difficulty 应为 1..5 的一个数或区间 [低, 高]，而不是 {value!r}")
        return (1, 5)
    return (bounds[0], bounds[1])


@dataclass(frozen=True)
class PoolQuestion:
    """A question that may be drawn: its `bank/id` ref and what filters look at."""

    ref: str
    bank: str
    type: str
    difficulty: int
    tags: frozenset[str] = frozenset()
    revision_id: int = 0
    rubric_total: float = 0.0   # a short item's rubric points added up, when read from a bank file (0: not known)
    family: str = ""            # questions of a bank that give each other away: a paper holds at most one

    @property
    def family_key(self) -> str:
        return f"{self.bank}/{self.family}" if self.family else ""


class Pool:
    """The questions a draw may take, indexed once so that a draw never scans them all: by ref, and by bank and type
    in ref order (the order a draw samples from, so the same seed draws the same paper however the pool was read)."""

    def __init__(self, questions: Iterable[PoolQuestion]):
        self.questions = list(questions)
        self.by_ref = {question.ref: question for question in self.questions}
        self.groups: dict[tuple[str, str], list[PoolQuestion]] = {}
        for question in sorted(self.questions, key=attrgetter("ref")):
            self.groups.setdefault((question.bank, question.type), []).append(question)

    @classmethod
    def of(cls, pool: "Pool | Iterable[PoolQuestion]") -> "Pool":
        return pool if isinstance(pool, Pool) else cls(pool)

    def __iter__(self) -> Iterator[PoolQuestion]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def matching(self, pick: Pick, qtype: str) -> list[PoolQuestion]:
        """The questions a random pick may take, in ref order."""
        group = self.groups.get((pick.bank, qtype), [])
        low, high = pick.difficulty
        if (low, high) == (1, 5) and not pick.tags:
            return group
        tags = frozenset(pick.tags)
        return [question for question in group if low <= question.difficulty <= high
                and (not tags or not tags.isdisjoint(question.tags))]


@dataclass
class DrawnSection:
    title: str
    type: str
    points: float
    questions: list[PoolQuestion] = field(default_factory=list)


@dataclass(frozen=True)
class Shortfall:
    """Why a blueprint cannot be filled, e.g. "二、多项选择题: needs 5 multiple from policy; pool has 3"."""

    line: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class DrawResult:
    sections: list[DrawnSection]
    shortfalls: list[Shortfall]

    @property
    def ok(self) -> bool:
        return not self.shortfalls


def draw(blueprint: BlueprintSpec, pool: Pool | Iterable[PoolQuestion], seed: int) -> DrawResult:
    """Fill the blueprint from the pool: same pool and seed, same paper.

    Fixed ids are reserved first, then random picks are filled narrowest first, so that a broad pick
    cannot take the only questions a narrow one could use. Each pick samples from the questions it matches in ref
    order; an indexed `Pool` finds them without scanning the pool. A question taken shuts out the rest of its family
    (same bank and `family`) for the rest of the draw.
    """
    rng = random.Random(seed)
    index = Pool.of(pool)
    used: set[str] = set()
    shortfalls: list[Shortfall] = []
    fixed = _reserve_fixed(blueprint, index.by_ref, used, shortfalls)
    families = {question.family_key for questions in fixed for question in questions if question.family_key}
    random_picks = [(s_index, p_index, section, pick) for s_index, section in enumerate(blueprint.sections)
                    for p_index, pick in enumerate(section.picks) if not pick.ids]
    free = {(s_index, p_index): [q for q in index.matching(pick, section.type) if q.ref not in used]
            for s_index, p_index, section, pick in random_picks}
    random_picks.sort(key=lambda entry: len(free[entry[0], entry[1]]))
    chosen: dict[tuple[int, int], list[PoolQuestion]] = {}
    for s_index, p_index, section, pick in random_picks:
        candidates = [question for question in free[s_index, p_index]
                      if question.ref not in used and question.family_key not in families]
        chosen[s_index, p_index] = _sample(candidates, pick.count, rng)
        if len(chosen[s_index, p_index]) < pick.count:
            needs = f"{section.title}: needs {pick.describe(section.type)}; pool has {len(candidates)}"
            if any(question.family for question in candidates):
                needs += f" ({len(chosen[s_index, p_index])} once each family is taken at most once)"
            shortfalls.append(Shortfall(pick.line or section.line, needs))
        used.update(question.ref for question in chosen[s_index, p_index])
        families.update(question.family_key for question in chosen[s_index, p_index] if question.family_key)
    sections = [
        DrawnSection(section.title, section.type, section.points,
                     fixed[s_index] + [question for p_index in range(len(section.picks))
                                       for question in chosen.get((s_index, p_index), [])])
        for s_index, section in enumerate(blueprint.sections)
    ]
    return DrawResult(sections, shortfalls)


def _sample(candidates: list[PoolQuestion], count: int, rng: random.Random) -> list[PoolQuestion]:
    """`count` of the candidates at random, at most one of a family. Without families it is `rng.sample`, so that the
    papers drawn before families existed are drawn again the same from their seeds."""
    if not any(question.family for question in candidates):
        return rng.sample(candidates, min(count, len(candidates)))
    left, chosen = list(candidates), []
    while left and len(chosen) < count:
        question = left.pop(rng.randrange(len(left)))
        chosen.append(question)
        if question.family_key:
            left = [other for other in left if other.family_key != question.family_key]
    return chosen


def _reserve_fixed(blueprint: BlueprintSpec, by_ref: dict[str, PoolQuestion], used: set[str],
                   shortfalls: list[Shortfall]) -> list[list[PoolQuestion]]:
    fixed: list[list[PoolQuestion]] = []
    for section in blueprint.sections:
        chosen = []
        for pick in (pick for pick in section.picks if pick.ids):
            for ref in pick.ids:
                problem = _fixed_problem(ref, by_ref.get(ref), section, used)
                if problem:
                    shortfalls.append(Shortfall(pick.line or section.line, f"{section.title}: {problem}"))
                else:
                    chosen.append(by_ref[ref])
                used.add(ref)
        fixed.append(chosen)
    return fixed


def _fixed_problem(ref: str, question: PoolQuestion | None, section: Section, used: set[str]) -> str:
    if ref in used:
        return f"{ref} is picked twice"
    if question is None:
        return f"{ref} is not in the pool (unknown or retired)"
    if question.type != section.type:
        return f"{ref} is {question.type}, the section is {section.type}"
    return ""


@dataclass(frozen=True)
class ArrangedItem:
    """One question as a candidate sees it: `index` into the paper's items, and option letters in shown order."""

    key: str
    index: int
    option_order: tuple[str, ...] = ()


def arrange(section_sizes: list[int], option_letters: list[tuple[str, ...]], seed: int,
            shuffle_questions: bool, shuffle_options: bool,
            shuffled_away_from: list[list[str] | None] | None = None) -> list[list[ArrangedItem]]:
    """Order one attempt's view. Items are numbered across sections as the paper holds them; keys are
    the numbers a candidate sees ("1", "2", …), so a key says nothing about the question behind it.
    An item given its key in `shuffled_away_from` (by index: an `always_shuffled` type's, None for the others) has
    its options shuffled away from the bank's order and from that key (`shuffled_away`) even when the paper does not
    shuffle options."""
    rng = random.Random(seed)
    arranged, start, number = [], 0, 0
    for size in section_sizes:
        indices = list(range(start, start + size))
        if shuffle_questions:
            rng.shuffle(indices)
        items = []
        for index in indices:
            number += 1
            letters = list(option_letters[index])
            key = shuffled_away_from[index] if shuffled_away_from else None
            if key is not None:
                letters = shuffled_away(letters, rng, key)
            elif shuffle_options:
                rng.shuffle(letters)
            items.append(ArrangedItem(key=str(number), index=index, option_order=tuple(letters)))
        arranged.append(items)
        start += size
    return arranged


def shuffled_away(letters: list[str], rng: random.Random, key: list[str] | None = None) -> list[str]:
    """The letters shuffled into an order that shows neither the bank's order nor the key: where authors write the
    answer in the bank's order (an ordering's steps, a matching's right item k as option k), a shuffle that kept it
    would show the answer. `key` is the answer as bank letters, one per place (an ordering's order, a matching's
    letter per prompt); an order starting with it would make the answer read A, B, C, …, so that is shuffled away too.

    Two letters are shuffled as they fall: with only two orders, keeping away from one would always show the other,
    which tells the answer as surely (a matching of two prompts and two right items)."""
    mixed = list(letters)
    if len(set(letters)) < 2:
        return mixed
    rng.shuffle(mixed)
    if len(letters) == 2:
        return mixed
    front = list(key or ())
    while mixed == letters or (front and mixed[:len(front)] == front):
        rng.shuffle(mixed)
    return mixed


def shown_to_original(option_order: tuple[str, ...], shown: str) -> str:
    """The bank's letter for a letter the candidate saw: shown 'A' is the first of option_order."""
    return option_order[LETTERS.index(shown)]


def _rubric_mismatches(blueprint: BlueprintSpec, pool: Pool, file: str) -> list[Problem]:
    """A judge marks a short item out of its section's points with the item's rubric in front of them: a rubric of 10
    on a section of 15 leaves 5 points no scoring point describes. Named per section, for every item it may draw."""
    problems = []
    for section in blueprint.sections:
        drawable = [pool.by_ref[ref] for pick in section.picks for ref in pick.ids if ref in pool.by_ref]
        drawable += [question for pick in section.picks if not pick.ids
                     for question in pool.matching(pick, section.type)]
        mismatched = sorted({q.ref for q in drawable
                             if q.rubric_total and abs(q.rubric_total - section.points) > 1e-9})
        if mismatched:
            message = (f"{section.title}: 每题 {section.points:g} 分，"
                       f"而这些简答题的评分要点合计不是 {section.points:g} 分：{'、'.join(mismatched)}")
            problems.append(Problem(file, section.line, message, blueprint.slug, warning=True))
    return problems


def pool_from_banks(banks: list[BankSpec]) -> list[PoolQuestion]:
    """The pool that bank files would give once imported, for checking blueprints before import."""
    return [PoolQuestion(ref=f"{bank.slug}/{q.id}", bank=bank.slug, type=q.type, difficulty=q.difficulty,
                         tags=frozenset(q.tags), rubric_total=sum(entry["score"] for entry in q.rubric),
                         family=q.family)
            for bank in banks for q in bank.questions]


def validate_blueprint_texts(files: list[tuple[str, str]],
                             pool: Pool | Iterable[PoolQuestion]) -> tuple[list[BlueprintSpec], list[Problem]]:
    """Parse blueprints and check that each can be filled from the pool, naming every shortfall."""
    pool = Pool.of(pool)
    blueprints: list[BlueprintSpec] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name, text in files:
        blueprint, found = parse_blueprint(text, name)
        problems.extend(found)
        if blueprint is None:
            continue
        if blueprint.slug in seen:
            message = f"试卷标识 paper: {blueprint.slug} 与 {seen[blueprint.slug]} 重复"
            problems.append(Problem(name, blueprint.line, message))
            continue
        seen[blueprint.slug] = name
        shortfalls = draw(blueprint, pool, seed=0).shortfalls
        problems.extend(Problem(name, s.line, str(s), blueprint.slug) for s in shortfalls)
        problems.extend(_rubric_mismatches(blueprint, pool, name))
        if not shortfalls:
            blueprints.append(blueprint)
    return blueprints, sorted(problems)


def undrawable(blueprints: list[BlueprintSpec], pool: Pool | Iterable[PoolQuestion]) -> dict[str, list[str]]:
    """The questions of each bank that no pick of any blueprint can draw (a filter left them out, or no section asks
    their type), by bank, in ref order: information for whoever wrote the filters, not a fault."""
    pool = Pool.of(pool)
    drawable = {ref for blueprint in blueprints for section in blueprint.sections for pick in section.picks
                for ref in (pick.ids or [question.ref for question in pool.matching(pick, section.type)])}
    left: dict[str, list[str]] = {}
    for question in sorted(pool, key=attrgetter("ref")):
        if question.ref not in drawable:
            left.setdefault(question.bank, []).append(question.ref)
    return left
