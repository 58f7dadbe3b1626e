"""切屏记录: the times an exam page was hidden or lost focus, as the page reports them, and their counts for
the organisers' pages. Evidence only: nothing here touches a score."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.attempts.service import writable_attempt
from app.errors import InvalidResponse
from app.extensions import db
from app.models import Attempt, AwayRecord, User

MAX_RECORDS = 50
MAX_NUMBER = 10_000
MAX_TIME_TEXT = 40
# The page keeps the server's clock to within a round trip; a record outside the attempt by more than this is not one.
SLACK = timedelta(minutes=1)
SHAPE = '请求应为 {"records": [{"number": 序号, "left_at": 离开时间, "back_at": 返回时间或 null}]}，每次最多 %d 条。'


@dataclass(frozen=True)
class Period:
    number: int
    left_at: datetime
    back_at: datetime | None


def record_away(attempt_id: int, user: User, records: Any, now: datetime) -> tuple[list[int], int]:
    """Keep the periods the page reports for the user's own attempt, while answers may still reach it.

    Idempotent by (attempt, number): a period first sent open (the page closed while away) may later get its
    back_at; anything else already stored stays as it was. Returns the numbers now held and the attempt's count."""
    periods = _parse(records)
    attempt = writable_attempt(attempt_id, user.id, now, "away")
    _check_times(periods, attempt, now)
    stored = {r.number: r for r in db.session.scalars(
        select(AwayRecord).where(AwayRecord.attempt_id == attempt.id,
                                 AwayRecord.number.in_([p.number for p in periods])))}
    for period in periods:
        record = stored.get(period.number)
        if record is None:
            stored[period.number] = AwayRecord(attempt_id=attempt.id, number=period.number, left_at=period.left_at,
                                               back_at=period.back_at, received_at=now)
            db.session.add(stored[period.number])
        elif record.back_at is None and period.back_at is not None and period.back_at >= record.left_at:
            record.back_at = period.back_at
    db.session.flush()
    return sorted({p.number for p in periods}), away_count(attempt_id)


def _parse(records: Any) -> list[Period]:
    if not isinstance(records, list) or len(records) > MAX_RECORDS:
        raise InvalidResponse(SHAPE % MAX_RECORDS)
    return [_period(record) for record in records]


def _period(record: Any) -> Period:
    if not isinstance(record, dict):
        raise InvalidResponse(SHAPE % MAX_RECORDS)
    number = record.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_NUMBER:
        raise InvalidResponse(f"离开记录的序号应为 1 到 {MAX_NUMBER} 之间的整数。")
    left_at, back_at = _time(record.get("left_at"), number), record.get("back_at")
    back_at = None if back_at is None else _time(back_at, number)
    if back_at is not None and back_at < left_at:
        raise InvalidResponse(f"第 {number} 条离开记录的返回时间早于离开时间。")
    return Period(number, left_at, back_at)


def _time(text: Any, number: int) -> datetime:
    """An ISO 8601 time with its offset (the page sends UTC with a Z), as UTC."""
    problem = f"第 {number} 条离开记录的时间应为带时区的 ISO 8601 时间。"
    if not isinstance(text, str) or len(text) > MAX_TIME_TEXT:
        raise InvalidResponse(problem)
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is not None:
            return value.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise InvalidResponse(problem)


def _check_times(periods: list[Period], attempt: Attempt, now: datetime) -> None:
    earliest, latest = attempt.started_at - SLACK, now + SLACK
    for period in periods:
        times = [period.left_at] + ([period.back_at] if period.back_at else [])
        if not all(earliest <= time <= latest for time in times):
            raise InvalidResponse(f"第 {period.number} 条离开记录的时间不在本次作答期间。")


def away_count(attempt_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AwayRecord).where(AwayRecord.attempt_id == attempt_id))


def away_counts(session_id: int) -> dict[int, int]:
    """attempt id → how many times its page was left, for every attempt of a session that left it at all."""
    return dict(db.session.execute(
        select(AwayRecord.attempt_id, func.count()).join(Attempt, Attempt.id == AwayRecord.attempt_id)
        .where(Attempt.session_id == session_id).group_by(AwayRecord.attempt_id)).all())
