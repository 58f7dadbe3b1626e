"""The failed-login policy (DESIGN §3.4): how long one (account, address) pair must wait before its next try.

Pure: the caller keeps the pair's count and last failure time and says what time it is.
"""
import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Policy:
    slow_after: int          # failures that cost nothing
    lock_after: int          # failures that lock the pair for lock_seconds
    lock_seconds: int        # also how long a failure is remembered: a pair quiet that long starts afresh
    max_delay: int = 60      # the longest wait short of a lock


@dataclass(frozen=True)
class Verdict:
    failures: int            # failures still held against the pair
    wait: int                # whole seconds before a try is heard; 0 means now
    locked: bool

    @property
    def allowed(self) -> bool:
        return self.wait == 0


def delay(failures: int, policy: Policy) -> int:
    """Seconds a pair must wait after its latest failure: nothing, then doubling, then a lock."""
    if failures >= policy.lock_after:
        return policy.lock_seconds
    if failures < policy.slow_after:
        return 0
    return min(2 ** (failures - policy.slow_after), policy.max_delay)


def verdict(failures: int, last_failed_at: datetime | None, now: datetime, policy: Policy) -> Verdict:
    if not failures or last_failed_at is None:
        return Verdict(0, 0, False)
    # Another host's clock may run a little ahead: never make anyone wait longer than the delay.
    elapsed = max((now - last_failed_at).total_seconds(), 0.0)
    if elapsed >= policy.lock_seconds:
        return Verdict(0, 0, False)
    wait = max(math.ceil(delay(failures, policy) - elapsed), 0)
    return Verdict(failures, wait, failures >= policy.lock_after)


def failures_after_one_more(failures: int, last_failed_at: datetime | None, now: datetime, policy: Policy) -> int:
    """The count to store after a failure at `now`: forgotten failures don't count."""
    return verdict(failures, last_failed_at, now, policy).failures + 1
