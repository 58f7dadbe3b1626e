"""The API's JSON replies: presenters hand over datetimes, which the app's JSON provider writes as ISO 8601
(docs/api.md)."""
from datetime import datetime
from typing import Any

from flask import Response, jsonify
from flask.json.provider import DefaultJSONProvider


def reply(data: dict[str, Any] | None = None, /, **fields: Any) -> Response:
    """A 200 reply holding `data` and `fields`, every datetime in them in ISO 8601 with its UTC offset."""
    return jsonify({**(data or {}), **fields})


class IsoJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but a datetime is written in ISO 8601 with its UTC offset (Flask writes an HTTP date), by the
    encoder as it meets one: a paper's payload is not copied first to convert it."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return DefaultJSONProvider.default(o)
