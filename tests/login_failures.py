"""Failed logins counted straight through the throttle's service, as the login page counts them."""
from datetime import datetime, timedelta

from app.users import logins


def fail_logins(app, username: str, times: int, address: str, now: datetime) -> datetime:
    """`times` failures, each as soon as the throttle hears it; returns the time after the last."""
    with app.app_context():
        for _ in range(times):
            verdict = logins.take_slot(username, address, now)
            if not verdict.allowed:
                now += timedelta(seconds=verdict.wait)
                assert logins.take_slot(username, address, now).allowed
    return now
