"""When a candidate may see their score and the key (DESIGN §2): the review policy of a session.

A formal session's key is released only once the session has ended for everyone — its window closed, every
extended deadline passed, and the grace for saves in flight run out — because until then a key shown to one
candidate can reach another who is still answering the same questions. A mock (practice) is reviewed at once.
"""
from datetime import datetime, timedelta

IMMEDIATE, AFTER_CLOSE, NEVER = "immediate", "after_close", "never"


def session_end(closes_at: datetime, open_deadlines: list[datetime]) -> datetime:
    """The last moment anyone may still be answering: the window's close, or a later (extended) deadline."""
    return max([closes_at, *open_deadlines])


def has_ended(end: datetime, now: datetime, grace: timedelta) -> bool:
    """Past the end and the grace for saves in flight: no answer can reach the session any more."""
    return now > end + grace


def score_visible(review: str, finished: bool, ended: bool) -> bool:
    if not finished:
        return False
    return review == IMMEDIATE or (review == AFTER_CLOSE and ended)


def key_visible(review: str, show_key: bool, mock: bool, finished: bool, ended: bool) -> bool:
    """Keys and explanations: a mock's at once; a formal session's only after it has ended for everyone."""
    if not finished or not show_key or review == NEVER:
        return False
    return mock or ended
