"""Dutch working days: deadlines such as "within 3 working days" skip weekends and holidays."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

import holidays

LiberationDay = Literal["every_year", "lustrum"]


@lru_cache(maxsize=8)
def _holidays(liberation_day: LiberationDay) -> holidays.HolidayBase:
    # `holidays` lists 5 May as a public holiday only in lustrum years; its OPTIONAL category
    # adds it every year, as the Algemene termijnenwet counts it.
    categories = ("public", "optional") if liberation_day == "every_year" else ("public",)
    return holidays.country_holidays("NL", categories=categories, language="en_US")


#: Days `holidays` lists that the Algemene termijnenwet (art. 3) does not: working days.
_NOT_IN_TERMIJNENWET = frozenset({"Good Friday"})


def is_working_day(day: date, liberation_day: LiberationDay = "every_year") -> bool:
    """Monday to Friday and not a general holiday of the Algemene termijnenwet."""
    name = _holidays(liberation_day).get(day)
    return day.weekday() < 5 and (name is None or name in _NOT_IN_TERMIJNENWET)


def add_working_days(start: date, n: int, liberation_day: LiberationDay = "every_year") -> date:
    """The date ``n`` working days after ``start`` (``start`` itself does not count).

    ``n = 0`` returns ``start`` unchanged.
    """
    if n < 0:
        raise ValueError(f"n must be zero or more working days, got {n}")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, liberation_day):
            remaining -= 1
    return day
