"""Accounts: people, their roles and the organisations they belong to."""
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Role(StrEnum):
    ORGANISER = "organiser"   # 组织者
    JUDGE = "judge"           # 评委
    CANDIDATE = "candidate"   # 考生 / 参赛选手

    @property
    def label(self) -> str:
        return {"organiser": "组织者", "judge": "评委", "candidate": "考生"}[self.value]


class OrganisationType(StrEnum):
    LIAISON_GROUP = "liaison_group"   # 党建工作联系片组
    COMMITTEE = "committee"           # 基层党委
    DIRECT_BRANCH = "direct_branch"   # 直属党支部
    BRANCH = "branch"                 # 党支部

    @property
    def label(self) -> str:
        return {"liaison_group": "联系片组", "committee": "基层党委",
                "direct_branch": "直属党支部", "branch": "党支部"}[self.value]


class Organisation(db.Model):
    """A Party organisation (组织): liaison group, committee or branch, in a tree."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(f"type IN {tuple(t.value for t in OrganisationType)}", name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Where the contest file lists it: trees, sheets and reports follow the organisers' order, not codes or names.
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    parent: Mapped["Organisation | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Organisation"]] = relationship(back_populates="parent")
    members: Mapped[list["User"]] = relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {tuple(r.value for r in Role)}", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    # Set for accounts given a generated initial password: they must choose their own at first login.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session and remember-me cookie (get_id): raising it ends all the account's sessions at once.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the account and its session version."""
        return f"{self.id}:{self.session_version}"

    @staticmethod
    def parse_session_key(key: str) -> tuple[int, int] | None:
        """(user id, session version) from what get_id made, or None for anything else (a cookie from before)."""
        user_id, _, version = key.partition(":")
        return (int(user_id), int(version)) if user_id.isdecimal() and version.isdecimal() else None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class LoginFailure(db.Model):
    """Failed logins for one (username, address) pair (app/domain/throttle.py). The username need not be an
    account's: made-up names are counted alike, so the answers don't tell which accounts exist. The sweep prunes
    rows once they are forgotten."""

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("username", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # None until a failure is counted


class AccountThrottle(db.Model):
    """Failed logins for one username from every address, and the hold a long run of them puts on it until an
    organiser unlocks it. Like LoginFailure, kept for made-up names too and pruned by the sweep once forgotten
    (a hold on a real account stays)."""

    __tablename__ = "account_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # None until a failure is counted
    held_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
