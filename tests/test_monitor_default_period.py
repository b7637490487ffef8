"""The monitor page's default period: the last twelve full months with figures."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tests.test_monitor_figures import _record
from webapp.analyst_data import Snapshot


def _snapshot(months: list[str], as_of: date) -> Snapshot:
    empty = pd.DataFrame()
    return Snapshot(_record(as_of=as_of), empty, empty, empty, months)


def test_a_month_read_before_its_last_day_is_not_the_default_end() -> None:
    months = [str(p) for p in pd.period_range("2025-01", "2026-03", freq="M")]
    assert _snapshot(months, date(2026, 3, 10)).default_range() == ("2025-03", "2026-02")
    assert _snapshot(months, date(2026, 3, 31)).default_range() == ("2025-04", "2026-03")


def test_a_short_record_starts_at_its_first_month() -> None:
    assert _snapshot(["2026-03"], date(2026, 3, 10)).default_range() == ("2026-03", "2026-03")
    assert _snapshot(["2026-01", "2026-02"], date(2026, 2, 28)).default_range() == (
        "2026-01",
        "2026-02",
    )
