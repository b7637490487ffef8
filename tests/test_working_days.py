from datetime import date

import pytest

from signals.triage.working_days import add_working_days, is_working_day


def test_three_working_days_across_kings_day():
    # Thursday 23 April 2026; Koningsdag is Monday 27 April.
    assert add_working_days(date(2026, 4, 23), 3) == date(2026, 4, 29)


def test_three_working_days_across_easter_monday():
    # Thursday 2 April 2026: Good Friday 3 April is a working day under the Algemene
    # termijnenwet, Easter Monday 6 April is not: 3, 7, 8 April.
    assert add_working_days(date(2026, 4, 2), 3) == date(2026, 4, 8)
    assert is_working_day(date(2026, 4, 3))
    assert not is_working_day(date(2026, 4, 6))


def test_three_working_days_across_christmas():
    # Wednesday 23 December 2026: 24th, then 25/26 (Christmas), weekend, 28th, 29th.
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 29)


def test_weekend_is_skipped_without_holidays():
    # Friday 6 March 2026 + 1 working day = Monday 9 March.
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_zero_days_is_the_start_and_negative_is_refused():
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2026, 3, 7), -1)


def test_liberation_day_policy_option():
    # 5 May 2026 is a Tuesday; the holidays package counts it only in lustrum years.
    assert not is_working_day(date(2026, 5, 5), "every_year")
    assert is_working_day(date(2026, 5, 5), "lustrum")
    assert not is_working_day(date(2025, 5, 5), "lustrum")  # 2025 is a lustrum year
    # Monday 4 May 2026 + 1 working day.
    assert add_working_days(date(2026, 5, 4), 1, "every_year") == date(2026, 5, 6)
    assert add_working_days(date(2026, 5, 4), 1, "lustrum") == date(2026, 5, 5)
