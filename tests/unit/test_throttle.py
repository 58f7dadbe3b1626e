"""The failed-login policy on its own, with hand-picked times."""
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.throttle import (
    Failures,
    Policy,
    account_delay,
    counted,
    holds,
    pair_delay,
    remembered,
    verdict,
)

POLICY = Policy(pair_free=3, pair_max_delay=30, account_free=10, account_interval=40, hold_after=100,
                forget_after=3600)
T0 = datetime(2022, 10, 8, 9, 0, tzinfo=UTC)
NONE = Failures()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def failed(count: int, seconds_ago: float = 0) -> Failures:
    return Failures(count, at(-seconds_ago))


def test_the_defaults_are_the_documented_ones():
    assert Policy() == POLICY


def test_the_owner_never_waits_a_minute_behind_someone_elses_failures():
    assert POLICY.longest_wait == 40 < 60


def test_one_account_hears_at_most_a_hundred_failures_an_hour():
    """OWASP ASVS 2.2.1, whatever the number of addresses."""
    assert POLICY.most_per_hour == 100


def test_without_failures_a_try_is_heard_now():
    assert verdict(NONE, NONE, False, T0, POLICY).allowed


# ---- one (account, address) pair ----------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 2])
def test_the_first_failures_from_an_address_cost_nothing(count):
    assert verdict(failed(count), failed(count), False, T0, POLICY).allowed


@pytest.mark.parametrize("count, seconds", [(3, 1), (4, 2), (5, 4), (6, 8), (7, 16), (8, 30), (9, 30), (500, 30)])
def test_the_wait_from_one_address_doubles_up_to_half_a_minute_never_a_lock(count, seconds):
    assert pair_delay(count, POLICY) == seconds


def test_a_huge_count_costs_nothing_to_compute():
    assert pair_delay(10 ** 9, POLICY) == 30


def test_the_wait_counts_from_the_latest_failure_and_part_seconds_round_up():
    result = verdict(failed(6, seconds_ago=7.2), failed(6, seconds_ago=7.2), False, T0, POLICY)
    assert not result.allowed and result.wait == 1 and not result.held


def test_a_try_after_the_wait_is_heard():
    assert verdict(failed(6, seconds_ago=8), failed(6, seconds_ago=8), False, T0, POLICY).allowed


def test_a_clock_running_behind_the_last_failure_never_lengthens_the_wait():
    assert verdict(failed(4, seconds_ago=-30), NONE, False, T0, POLICY).wait == 2


# ---- one account from every address -------------------------------------------------------------

@pytest.mark.parametrize("count, seconds", [(0, 0), (9, 0), (10, 40), (99, 40)])
def test_the_account_is_paced_after_its_free_failures(count, seconds):
    assert account_delay(count, POLICY) == seconds


def test_a_new_address_waits_for_the_accounts_pace():
    """Twenty addresses buy no more guesses than one: the account's count is shared."""
    assert verdict(NONE, failed(10, seconds_ago=15), False, T0, POLICY).wait == 25


def test_the_longer_of_the_two_waits_applies():
    assert verdict(failed(8, seconds_ago=0), failed(10, seconds_ago=0), False, T0, POLICY).wait == 40
    assert verdict(failed(8, seconds_ago=0), failed(8, seconds_ago=0), False, T0, POLICY).wait == 30


def test_a_held_account_hears_nothing_and_has_no_time_to_wait_for():
    result = verdict(NONE, NONE, True, at(10 ** 6), POLICY)
    assert (result.allowed, result.held, result.wait) == (False, True, 0)


@pytest.mark.parametrize("count, held", [(99, False), (100, True), (150, True)])
def test_a_long_run_of_failures_holds_the_account(count, held):
    assert holds(Failures(count, T0), POLICY) is held


# ---- counting and forgetting --------------------------------------------------------------------

def test_recent_failures_add_up():
    assert counted(failed(7, seconds_ago=100), T0, POLICY) == Failures(8, T0)


def test_a_counter_quiet_for_an_hour_starts_afresh():
    assert remembered(failed(90, seconds_ago=3600), T0, POLICY) == 0
    assert counted(failed(90, seconds_ago=3600), T0, POLICY) == Failures(1, T0)
    assert verdict(failed(90, seconds_ago=3600), failed(90, seconds_ago=3600), False, T0, POLICY).allowed


def test_a_counter_never_counted_remembers_nothing():
    assert remembered(Failures(0, None), T0, POLICY) == 0


# ---- the exam hall --------------------------------------------------------------------------------

@pytest.mark.parametrize("guesses", [10, 30, 99])
def test_a_neighbour_pacing_guesses_by_the_waits_never_keeps_the_owner_out_a_minute(guesses):
    """The neighbour guesses as fast as the throttle allows from the hall's one address, then the owner types the
    right password there: however long the attack, the owner is heard within a minute of its last guess."""
    pair = account = NONE
    now = T0
    for _ in range(guesses):
        now += timedelta(seconds=verdict(pair, account, False, now, POLICY).wait)
        pair, account = counted(pair, now, POLICY), counted(account, now, POLICY)
    assert not holds(account, POLICY)
    assert verdict(pair, account, False, now, POLICY).wait <= 40


def test_settings_change_the_thresholds():
    strict = Policy(pair_free=1, pair_max_delay=5, account_free=2, account_interval=9, hold_after=3, forget_after=60)
    assert verdict(failed(1), NONE, False, T0, strict).wait == 1
    assert verdict(NONE, failed(2), False, T0, strict).wait == 9
    assert holds(Failures(3, T0), strict)
