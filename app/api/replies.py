"""The API's JSON replies: presenters hand over datetimes, written here, once, as ISO 8601 (docs/api.md)."""
from datetime import datetime
from typing import Any

from flask import Response, jsonify


def reply(data: dict[str, Any] | None = None, /, **fields: Any) -> Response:
    """A 200 reply holding `data` and `fields`, every datetime in them in ISO 8601 with its UTC offset."""
    return jsonify(_iso({**(data or {}), **fields}))


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _iso(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_iso(item) for item in value]
    return value
