"""Problems found in YAML files, and the report that collects them with their lines."""
from dataclasses import dataclass, field
from typing import Any

from app.domain import yamlmarks


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a file, printed as `FILE:LINE: [ID] message`."""

    file: str
    line: int
    message: str = field(compare=False)
    question_id: str | None = field(default=None, compare=False)
    warning: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        qid = f" [{self.question_id}]" if self.question_id else ""
        kind = "警告：" if self.warning else ""
        return f"{self.file}:{self.line}:{qid} {kind}{self.message}"


class Report:
    """Collects the problems of one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def error(self, line: int, message: str, qid: str | None = None) -> None:
        self.problems.append(Problem(self.file, line, message, qid))

    def warn(self, line: int, message: str, qid: str | None = None) -> None:
        self.problems.append(Problem(self.file, line, message, qid, warning=True))

    def load_mapping(self, text: str, shape: str) -> yamlmarks.MarkedMap | None:
        """The YAML document when it parses to a mapping; otherwise the problem is reported and None returned.
        `shape` says what the file should hold, for the message."""
        try:
            document = yamlmarks.load(text)
        except yamlmarks.YamlSyntaxError as error:
            self.error(error.line, error.message)
            return None
        if not isinstance(document, yamlmarks.MarkedMap):
            self.error(1, shape)
            return None
        return document

    @property
    def has_errors(self) -> bool:
        return any(not p.warning for p in self.problems)

    def repeated_keys(self, mapping: yamlmarks.MarkedMap, qid: str | None = None) -> None:
        for key, line in mapping.repeated:
            self.error(line, f"字段 {key!r} 重复出现", qid)

    def unknown_keys(self, mapping: yamlmarks.MarkedMap, allowed: set[str], qid: str | None = None,
                     where: str = "") -> None:
        for key in mapping:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(mapping.line_of(key), f"{where}未知字段 {key!r}（可用字段：{known}）", qid)


def text_value(value: Any) -> str | None:
    """A scalar as text; numbers are accepted as text, booleans and collections are not."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return None
