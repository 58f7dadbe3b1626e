"""Errors a candidate or organiser can cause while sitting or running an exam; each knows its HTTP status."""


class ExamError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ExamError):
    status, code = 404, "not_found"


class SessionNotOpen(ExamError):
    status, code = 409, "session_not_open"


class DeadlinePassed(ExamError):
    status, code = 409, "deadline_passed"


class AttemptClosed(ExamError):
    status, code = 409, "attempt_closed"


class InvalidResponse(ExamError):
    status, code = 422, "invalid_response"
