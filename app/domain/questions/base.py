"""What every question type answers to: the base class the registry's types override where they differ."""
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from app.domain import yamlmarks
from app.domain.inputs import BAD_TEXT, text_ok
from app.domain.problems import Report
from app.domain.text import count_blanks


class QuestionType(ABC):
    """One question type: its YAML, the response it takes, its marking and its key, for every page and command.

    Stateless: the registry holds one instance of each, and revisions hand it out as `kind`.
    """

    name: ClassVar[str]                 # the YAML token, stored on every revision
    label: ClassVar[str]                # what people read: 单选题…
    fields: ClassVar[frozenset[str]]    # the YAML fields this type adds to the ones every question has
    # How a page takes the response, in the response's shape: letter | letters | truth | blanks | numbers | order
    # (every option letter once, in the order given) | pairs (one letter or None per prompt) | text.
    input: ClassVar[str]
    objective: ClassVar[bool] = True    # marked by the server against a key; otherwise a judge marks it
    has_options: ClassVar[bool] = False
    has_blanks: ClassVar[bool] = False  # one answer per ___ run in the stem
    has_prompts: ClassVar[bool] = False  # one answer per left item (`prompts`, a matching question's)
    many_choices: ClassVar[bool] = False
    # Options always shown in a shuffled order, whatever the paper's shuffle.options, in practice and on every printed
    # variant: where the bank's order may be the answer (an ordering item's steps, a matching's right items), showing
    # it would give the key. Such a type's key is a list of option letters, one per place of the answer, which the
    # shuffle also keeps from reading A, B, C, … (papers.shuffled_away).
    always_shuffled: ClassVar[bool] = False
    # One right option among wrong ones: item analysis flags a wrong option that draws more than the key.
    has_distractors: ClassVar[bool] = False
    prompt: ClassVar[str] = ""          # what a drill asks the cadre to do
    # What the type is in other systems (app/domain/interchange): the Moodle question type it is written as and
    # read from, and the QTI 2.1 interaction that asks it; empty where the format has nothing that fits.
    moodle: ClassVar[str] = ""
    qti: ClassVar[str] = ""
    key_hint: ClassVar[str] = ""        # how an organiser types a corrected key
    # Why an item of this type cannot be a part of a 材料分析题 (whose parts keep their options in the bank's order and
    # are marked with the material); empty when it can.
    part_refusal: ClassVar[str] = ""
    # Asked through sub-questions (a material's parts, given by `bind`): a workbook row, a Word paragraph and the
    # interchange formats hold one stem with one answer, so they carry no such type (YAML does).
    has_parts: ClassVar[bool] = False

    @property
    def parts(self) -> tuple[Any, ...]:
        """The sub-questions (questions.material.Part) of an item asked as one, once `bind` has given them; none
        for every other type."""
        return ()

    def bind(self, parts: list[dict[str, Any]]) -> "QuestionType":
        """This type for one revision whose `parts` column holds its sub-questions (without their keys): a type
        with parts validates, marks and describes through them; every other type ignores them and is itself."""
        return self

    @property
    def drillable(self) -> bool:
        """Practice gives right or wrong at once, which only a type marked against a key can."""
        return self.objective

    # -- the bank's YAML (DESIGN §3.1) ---------------------------------------------------------------------------

    @abstractmethod
    def parse(self, item: yamlmarks.MarkedMap, qid: str, stem: str, report: Report) -> dict[str, Any]:
        """This type's fields of one question, in canonical form; problems go to the report with their lines."""

    @abstractmethod
    def yaml_fields(self, content: dict[str, Any]) -> dict[str, Any]:
        """This type's fields of a revision's content as the export writes them, parsing back to the same content."""

    def slots(self, stem: str, prompts: list[str]) -> int:
        """How many answers the item takes, the `blanks` its response and key are checked against: one per ___ run
        in the stem by default, one per prompt for a type that has them."""
        return len(prompts) if self.has_prompts else count_blanks(stem)

    def stated_fact(self, stem: str, options: dict[str, str], key: Any) -> str:
        """The sentence an item states once its key is filled in (a judge's stem, a choice stem with its right options
        in the slot), to find two items of a bank that give each other away; empty for a type that states none."""
        return ""

    # -- responses and marking -----------------------------------------------------------------------------------

    @abstractmethod
    def response_problem(self, response: Any, letters: tuple[str, ...], blanks: int) -> str:
        """Why a response (not None) cannot be stored for this type; empty when it can."""

    def mark(self, key: Any, response: Any, points: float, *, multiple_scoring: str, blank_order: str,
             ordering_scoring: str = "strict") -> float:
        """The score of an answered response to an objective item: full points when it is the key. The paper's rules
        for partly right answers (multiple_scoring, ordering_scoring) matter only to the types they name."""
        return float(points) if response == key else 0.0

    def form_response(self, given: list[str]) -> Any:
        """A response from a plain form's `response` fields, in the shape the JSON API takes; None when unanswered."""
        return given[0] if len(given) == 1 else None

    def sheet_response(self, written: list[str]) -> Any:
        """A response from what a marker types off a paper answer sheet (one entry per blank, else one), in the shape
        the JSON API takes and the letters the printed variant shows; None when left empty. UnreadableAnswer says
        why it cannot be read; `response_problem` then says whether it fits the item."""
        texts = [text.strip() for text in written]
        return self.form_response(texts) if any(texts) else None

    def sheet_fields(self, blanks: int) -> int:
        """How many entries a paper answer sheet gives an item (a marker types each): one per blank or prompt (`blanks`
        counts either), else one."""
        return blanks if self.has_blanks or self.has_prompts else 1

    def page_fields(self, key: Any) -> dict[str, Any]:
        """What a page needs besides the stem and options to ask the item (a step's unit), never the key itself."""
        return {}

    def choices(self, options: dict[str, str]) -> list[Any]:
        """What a candidate chooses among (the bank's letters, or True and False); empty for a written answer."""
        return []

    def picks(self, value: Any, option: Any) -> bool:
        """Whether a response or a key chooses this option."""
        return False

    def in_letters(self, value: Any, letter: Callable[[str], str]) -> Any:
        """A response or key (not None) with each option letter passed through `letter`: from the letters a
        candidate saw to the bank's, or back. A type without option letters keeps the value as it is."""
        return value

    def describe_response(self, response: Any) -> str:
        """A response as a person reads it: 'A、C', '正确', '（1）义务；（2）未填'."""
        return str(response)

    def describe_answer(self, key: Any) -> str:
        """A key as a person reads it; the same as a response unless the key holds more (a blank's variants)."""
        return self.describe_response(key)

    # -- correcting a key ----------------------------------------------------------------------------------------

    def parse_key(self, text: str) -> Any:
        """A key as an organiser types it (NFKC-normalised), in canonical form; `key_problem` says if it can stand."""
        return None

    def key_text(self, key: Any) -> str:
        """A key written the way `parse_key` reads it, to prefill the correction form."""
        return self.describe_answer(key)

    def key_rows(self, key: Any) -> int:
        """Lines the correction form gives the key."""
        return 1

    @abstractmethod
    def key_problem(self, key: Any, letters: tuple[str, ...], blanks: int) -> str:
        """Why a corrected key cannot stand for an item (empty when it can)."""


def is_answered(response: Any) -> bool:
    """Whether a response says anything: None, blank text and lists of nothing (a material's all-null parts) do not."""
    if response is None:
        return False
    if isinstance(response, list):
        return any(is_answered(r) for r in response)
    if isinstance(response, str):
        return bool(response.strip())
    return True


class UnreadableAnswer(ValueError):
    """What a marker typed off an answer sheet reads as no answer of this type (its message says what would)."""


def text_problem(text: str, limit: int, what: str) -> str:
    """Why a written answer cannot be stored: too long, or characters no page or file can hold."""
    if len(text) > limit:
        return f"{what}不超过 {limit} 个字符"
    return "" if text_ok(text) else BAD_TEXT
