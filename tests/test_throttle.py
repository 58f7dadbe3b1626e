"""The failed-login policy on its own, with hand-picked times."""
from datetime import datetime, timedelta, timezone

import pytest

from app.domain.throttle import Policy, delay, failures_after_one_more, verdict

POLICY = Policy(slow_after=3, lock_after=10, lock_seconds=900)
T0 = datetime(2022, 10, 8, 9, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_pair_without_failures_may_try():
    assert verdict(0, None, T0, POLICY).allowed


@pytest.mark.parametrize("failures", [1, 2])
def test_the_first_failures_cost_nothing(failures):
    result = verdict(failures, T0, T0, POLICY)
    assert result.allowed and result.failures == failures and not result.locked


@pytest.mark.parametrize("failures, seconds", [(3, 1), (4, 2), (5, 4), (6, 8), (7, 16), (8, 32), (9, 60)])
def test_the_delay_doubles_from_the_slow_threshold_and_is_capped_at_a_minute(failures, seconds):
    assert delay(failures, POLICY) == seconds


def test_a_try_inside_the_delay_is_told_how_long_to_wait():
    result = verdict(6, T0, at(3), POLICY)
    assert (result.allowed, result.wait, result.locked) == (False, 5, False)


def test_part_seconds_round_up_so_the_wait_is_never_understated():
    assert verdict(6, T0, at(7.2), POLICY).wait == 1


def test_a_try_after_the_delay_is_heard():
    assert verdict(6, T0, at(8), POLICY).allowed


def test_the_lock_threshold_locks_the_pair_for_the_lock_time():
    result = verdict(10, T0, at(60), POLICY)
    assert (result.allowed, result.wait, result.locked) == (False, 840, True)


def test_the_lock_ends_after_the_lock_time_and_the_failures_are_forgotten():
    result = verdict(10, T0, at(900), POLICY)
    assert result.allowed and result.failures == 0 and not result.locked


def test_a_pair_quiet_for_the_lock_time_starts_afresh():
    assert failures_after_one_more(7, T0, at(900), POLICY) == 1


def test_recent_failures_add_up():
    assert failures_after_one_more(7, T0, at(100), POLICY) == 8


def test_a_clock_running_behind_the_last_failure_never_lengthens_the_wait():
    assert verdict(4, T0, at(-30), POLICY).wait == 2


def test_settings_change_the_thresholds():
    strict = Policy(slow_after=1, lock_after=2, lock_seconds=60)
    assert verdict(1, T0, at(0.5), strict).wait == 1
    assert verdict(2, T0, at(0), strict).locked
