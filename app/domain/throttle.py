"""The failed-login policy (DESIGN §5): how long a try must wait before its password is checked.

Failures are counted twice: per (account, address), so a guesser is slowed without slowing the hundreds of
candidates who share an exam hall's address, and per account across every address, so more addresses buy no more
guesses. Neither counter makes the owner wait longer than `Policy.longest_wait`; only a long run of failures holds
an account until an organiser unlocks it. Pure: the caller keeps the counters and says what time it is.
"""
import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Policy:
    pair_free: int = 3            # failures from one address that cost nothing; then it waits 1, 2, 4 … seconds
    pair_max_delay: int = 30      # the longest wait between tries from one address
    account_free: int = 10        # failures across all addresses before the account is paced
    account_interval: int = 40    # the pace after that: one try per interval, from any address
    hold_after: int = 100         # failures in a row that hold the account until an organiser unlocks it
    forget_after: int = 3600      # a counter quiet this long starts afresh (and the sweep prunes it)

    @property
    def longest_wait(self) -> int:
        """The longest anyone waits behind someone else's failures, short of a hold."""
        return max(self.pair_max_delay, self.account_interval)

    @property
    def most_per_hour(self) -> int:
        """The most failures one account can collect in any hour, from any number of addresses."""
        return self.account_free + math.ceil(3600 / self.account_interval)


@dataclass(frozen=True)
class Failures:
    """One counter: failures in a row and when the latest was."""
    count: int = 0
    last_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    wait: int = 0                 # whole seconds before a try is heard; 0 means now
    held: bool = False            # nothing is heard until an organiser unlocks the account

    @property
    def allowed(self) -> bool:
        return not self.held and self.wait == 0


def pair_delay(count: int, policy: Policy) -> int:
    """Seconds one address waits after its latest failure: nothing, then doubling up to the cap."""
    if count < policy.pair_free:
        return 0
    # Twenty doublings pass any sensible cap; stopping there keeps a huge count from building a huge number.
    return min(2 ** min(count - policy.pair_free, 20), policy.pair_max_delay)


def account_delay(count: int, policy: Policy) -> int:
    """Seconds the account waits after its latest failure, whoever tries next and from wherever."""
    return policy.account_interval if count >= policy.account_free else 0


def remembered(failures: Failures, now: datetime, policy: Policy) -> int:
    """The failures still held against a counter: all of them, or none once it has been quiet for forget_after."""
    if not failures.count or failures.last_at is None:
        return 0
    return failures.count if _elapsed(failures, now) < policy.forget_after else 0


def verdict(pair: Failures, account: Failures, held: bool, now: datetime, policy: Policy) -> Verdict:
    """Whether a try for the account from the pair's address is heard now, or how long it must wait."""
    if held:
        return Verdict(held=True)
    return Verdict(wait=max(_wait(pair, pair_delay(remembered(pair, now, policy), policy), now),
                            _wait(account, account_delay(remembered(account, now, policy), policy), now)))


def counted(failures: Failures, now: datetime, policy: Policy) -> Failures:
    """The counter with one more failure at `now`; forgotten failures don't count."""
    return Failures(remembered(failures, now, policy) + 1, now)


def holds(account: Failures, policy: Policy) -> bool:
    """Whether the account's failures in a row have reached the hold."""
    return account.count >= policy.hold_after


def _wait(failures: Failures, delay: int, now: datetime) -> int:
    if not delay:
        return 0
    return max(math.ceil(delay - _elapsed(failures, now)), 0)


def _elapsed(failures: Failures, now: datetime) -> float:
    # Another host's clock may run a little ahead: never make anyone wait longer than the delay.
    return max((now - failures.last_at).total_seconds(), 0.0)
