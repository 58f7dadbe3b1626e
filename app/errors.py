"""The one root of every error a user can cause, AppError: the Chinese message shown, the HTTP status and a stable
code for API clients (docs/api.md); and the refusals that more than one feature raises."""


class AppError(Exception):
    """A request or command refused: the user is told `message`, and what the refused work wrote is rolled back
    (app/database.py) unless the error says it keeps it."""

    status = 400
    code = "bad_request"
    keeps_changes = False   # what happened before the refusal stands (a save too late still closes the attempt)
    retry_after = 0         # seconds after which the same request may succeed (a busy database)

    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status or self.status
        self.code = code or self.code


class NotFound(AppError):
    """No such thing, or it is someone else's: ids reveal nothing."""

    status, code = 404, "not_found"


class InvalidResponse(AppError):
    """An answer or a request body of the wrong shape, too long, or holding text that cannot be stored."""

    status, code = 422, "invalid_response"


class InvalidText(AppError):
    """A query string or form field holding NUL or another control character."""

    status, code = 400, "invalid_text"


class InvalidJson(AppError):
    """A body sent as JSON that is not JSON in UTF-8, or nests too deep."""

    status, code = 400, "invalid_json"


class TooLarge(AppError):
    """A body over the request's limit: refused before any of it is read."""

    status, code = 413, "too_large"


class Unauthenticated(AppError):
    status, code = 401, "unauthenticated"


class CsrfFailed(AppError):
    status, code = 400, "csrf_failed"


class PasswordChangeRequired(AppError):
    status, code = 403, "password_change_required"


class SessionNotOpen(AppError):
    status, code = 409, "session_not_open"


class DeadlinePassed(AppError):
    """Raised having closed the attempt: the close is kept, only the save is refused."""

    status, code, keeps_changes = 409, "deadline_passed", True


class AttemptClosed(AppError):
    status, code = 409, "attempt_closed"
