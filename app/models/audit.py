"""The audit trail: who did what to which thing, and when (DESIGN §2, "every step is kept")."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import User
from app.models.types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Where the act came from when no user did it: "cli", "web", "system".
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record(action: str, subject: str, *, actor: User | None = None, channel: str = "web", **details: Any) -> AuditEvent:
    """Add an audit event to the current transaction; it is kept only if the transaction commits."""
    event = AuditEvent(action=action, subject=subject, actor=actor, channel=channel, details=details)
    db.session.add(event)
    return event
