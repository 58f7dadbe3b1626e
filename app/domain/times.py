"""Reading times people type: ISO 8601, in the configured zone when no offset is given."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def parse_local_iso(text: str, zone: str) -> datetime:
    """'2026-12-01T09:00' means 09:00 in `zone`; '2026-12-01T01:00+00:00' means what it says. Returns UTC."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    try:
        return value.astimezone(UTC)
    except OverflowError:   # 0001-01-01 in Shanghai is before the first representable UTC time
        raise ValueError(f"{text!r} is out of range") from None
