"""Month arithmetic and delivery calendars (monthly per partner, weekly for the bank)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

#: Day of the month on which each monthly partner delivers, and on which its charge is due.
DELIVERY_DAY: dict[str, int] = {"zorg": 3, "domesta": 5, "energie": 8, "water": 12, "nazorg": 20}
DUE_DAY: dict[str, int] = {"zorg": 1, "domesta": 1, "energie": 20, "water": 25}
BANK_WEEKDAY = 4  # Friday


def add_months(day: date, months: int, day_of_month: int = 1) -> date:
    """The given day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day_of_month)


def due_ordinals(start: date, burn_in: int, total: int, due_day: int) -> np.ndarray:
    """Ordinal of the due date in each simulated month (index 0 = ``burn_in`` months before)."""
    return np.array([add_months(start, t - burn_in, due_day).toordinal() for t in range(total)])


def monthly_deliveries(partner: str, start: date, months: int) -> list[tuple[int, date]]:
    """(output month index, delivery date) for each monthly delivery in [start, start+months)."""
    end = add_months(start, months, 1) if start.day == 1 else _shift(start, months)
    out = []
    for i in range(months + 1):
        day = add_months(start, i, DELIVERY_DAY[partner])
        if start <= day < end:
            out.append((i, day))
    return out


def weekly_deliveries(start: date, months: int) -> list[date]:
    """Every Friday in [start, start+months)."""
    end = add_months(start, months, 1) if start.day == 1 else _shift(start, months)
    day = start + timedelta(days=(BANK_WEEKDAY - start.weekday()) % 7)
    out = []
    while day < end:
        out.append(day)
        day += timedelta(days=7)
    return out


def _shift(day: date, months: int) -> date:
    target = add_months(day, months, 1)
    try:
        return target.replace(day=day.day)
    except ValueError:
        return add_months(day, months + 1, 1)
