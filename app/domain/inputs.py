"""What the engine accepts from outside, in one place: text it can store and show everywhere, JSON nested no deeper
than a request ever needs, and integers that fit the 32-bit columns behind ids and sequence numbers."""
import json
import re
from typing import Any

# Ids and sequence numbers live in 32-bit integer columns; anything from 2**31 on names nothing.
INT_LIMIT = 2**31
# The deepest request is {"records": [{"number": …}]} or {"responses": {key: [text]}}: three or four levels.
MAX_JSON_DEPTH = 8

# NUL (PostgreSQL refuses it), the other C0 controls but tab and line breaks (XLSX cannot hold them) and lone
# surrogates (no page or file can encode them).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
BAD_TEXT = "含有无法保存的字符（空字符、控制字符或不成对的代理项）"


def text_ok(text: str) -> bool:
    """Whether text can be stored, shown on a page and written to a spreadsheet as it is."""
    return _UNSTORABLE.search(text) is None


def id_ok(value: Any) -> bool:
    """An integer (not a boolean) that fits an id or sequence column."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < INT_LIMIT


def int32(text: str) -> int:
    """`type=` for a number read from a query string or form: a 32-bit integer, else ValueError, so a value past
    the columns it is compared with counts as absent instead of overflowing the database driver."""
    value = int(text)
    if not -INT_LIMIT <= value < INT_LIMIT:
        raise ValueError(f"{text!r} is out of range")
    return value


class JsonRefused(ValueError):
    """A request body that is not JSON we take; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_json(data: bytes) -> Any:
    """The document in a request body: strict JSON (no NaN or Infinity) in UTF-8, nested at most MAX_JSON_DEPTH."""
    too_deep = JsonRefused(f"请求的 JSON 嵌套超过 {MAX_JSON_DEPTH} 层。")
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:   # nested past what the parser itself can follow
        raise too_deep from None
    except ValueError:
        raise JsonRefused("请求内容不是有效的 JSON（UTF-8 编码）。") from None
    if _depth_over(document, MAX_JSON_DEPTH):
        raise too_deep
    return document


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _depth_over(document: Any, limit: int) -> bool:
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_text_ok(document: Any) -> bool:
    """Whether every key and string anywhere in a parsed document is text_ok."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not text_ok(value):
                return False
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True
