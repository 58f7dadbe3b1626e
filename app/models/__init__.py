"""The database models, one module per concern; import them from here."""
from app.models.accounts import AccountThrottle, LoginFailure, Organisation, OrganisationType, Role, User
from app.models.audit import AuditEvent, record
from app.models.banks import Bank, Question, QuestionRevision, RevisionTag
from app.models.contests import (
    Contest,
    ContestCandidate,
    JudgeAssignment,
    Round,
    RoundEntry,
    RoundStatus,
    ScoreEntry,
    StandingsVersion,
    contest_organisations,
)
from app.models.exams import (
    Attempt,
    AttemptEvent,
    AttemptStatus,
    AwayRecord,
    ExamSession,
    Paper,
    PaperBlueprint,
    PaperItem,
    Response,
    ScoreRelease,
    SessionCandidate,
)
from app.models.practice import BookEntry, Drill, PracticeAnswer
from app.models.types import UTCDateTime, utcnow

__all__ = [
    "BookEntry", "Drill", "PracticeAnswer",
    "Contest", "ContestCandidate", "JudgeAssignment", "Round", "RoundEntry", "RoundStatus", "ScoreEntry",
    "StandingsVersion",
    "contest_organisations",
    "Attempt", "AttemptEvent", "AttemptStatus", "AwayRecord", "ExamSession", "Paper", "PaperBlueprint", "PaperItem",
    "Response", "ScoreRelease", "SessionCandidate",
    "AccountThrottle", "AuditEvent", "Bank", "LoginFailure", "Organisation", "OrganisationType", "Question",
    "QuestionRevision", "RevisionTag", "Role", "UTCDateTime", "User", "record", "utcnow",
]
