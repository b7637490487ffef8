"""Each monitor figure on a small hand-built record with answers worked out by hand."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd
import pytest

from connectors.database.frames import CASE_SCHEMA
from signals.monitor import build_monitor
from signals.monitor.data_quality import data_quality_table, timeliness, usual_schedule
from signals.monitor.facts import DELIVERY_FACT_SCHEMA, SIGNAL_FACT_SCHEMA, MonitorInput
from signals.monitor.figures import (
    escalations_table,
    reach_table,
    results_table,
    signals_table,
    triage_table,
)
from signals.monitor.relapse import (
    followed_trajectories,
    kaplan_meier,
    relapse_curves,
    relapse_table,
)
from signals.monitor.suppression import TOTAL
from signals.schema import CONTACT_ATTEMPT_SCHEMA, LINKED_AFTERCARE_SCHEMA, conform

T = pd.Timestamp
MONTHS = ["2026-01", "2026-02", "2026-03"]
REPEAT = "Niet opgepakt: herhaalde melding"


def _signal(
    key: str, household: str, partner: str, kind: str, delivered: str, **extra: Any
) -> dict[str, Any]:
    partner_id, signal_id = key.split(":")
    row: dict[str, Any] = {
        "signal_key": f"{partner_id}/{delivered}/{signal_id}",
        "partner": partner_id,
        "partner_type": partner,
        "signal_id": signal_id,
        "household_key": household,
        "wijkcode": "WK01" if household in {"h1", "h3", "h4"} else "WK02",
        "wijknaam": "Centrum" if household in {"h1", "h3", "h4"} else "Noord",
        "delivery_date": T(delivered),
        "signal_date": T(delivered) - pd.Timedelta(days=2),
        "amount": 500.0,
        "signal_state": "new",
        "status": "Opgepakt",
        "rule": "standaard",
        "decided_on": T(delivered),
        "crisis_kind": kind or None,
    }
    row.update(extra)
    return row


def _record(**overrides: Any) -> MonitorInput:
    signals = pd.DataFrame(
        [
            _signal("domesta:DOM-1", "h1", "Huur", "", "2026-01-05"),
            _signal(
                "domesta:DOM-1",
                "h1",
                "Huur",
                "",
                "2026-02-05",
                signal_state="repeat",
                status=REPEAT,
            ),
            _signal("zorg:ZV-1", "h2", "Zorg", "", "2026-01-03"),
            _signal("domesta:DOM-3", "h3", "Huur", "ontruiming", "2026-01-05"),
            _signal(
                "domesta:DOM-3",
                "h3",
                "Huur",
                "ontruiming",
                "2026-02-05",
                signal_state="repeat",
                status=REPEAT,
            ),
            _signal("energie:EN-3", "h3", "Energie", "", "2026-01-08"),
            _signal(
                "energie:EN-3",
                "h3",
                "Energie",
                "eindelevering",
                "2026-02-08",
                signal_state="escalated",
            ),
            _signal("domesta:DOM-4", "h4", "Huur", "ontruiming", "2026-02-05"),
            # Not yet decided: counts nowhere.
            _signal("water:W-9", "h2", "Water", "", "2026-03-12", decided_on=pd.NaT, status=None),
        ]
    )
    cases = pd.DataFrame(
        [
            {
                "case_id": "c1",
                "household_key": "h1",
                "case_type": "enkelvoudig",
                "opened_on": T("2026-01-05"),
                "picked_up_on": T("2026-01-05"),
                "status": "closed",
                "closed_on": T("2026-02-10"),
                "result": "(Budget)advies en/of quick fix",
            },
            {
                "case_id": "c2",
                "household_key": "h2",
                "case_type": "enkelvoudig",
                "opened_on": T("2026-01-03"),
                "picked_up_on": T("2026-01-03"),
                "status": "closed",
                "closed_on": T("2026-02-20"),
                "result": "Definitief geen contact kunnen krijgen",
            },
            {
                "case_id": "c3",
                "household_key": "h3",
                "case_type": "meervoudig",
                "opened_on": T("2026-01-05"),
                "picked_up_on": T("2026-01-05"),
                "status": "open",
            },
            {
                "case_id": "c4",
                "household_key": "h4",
                "case_type": "enkelvoudig",
                "opened_on": T("2026-02-05"),
                "picked_up_on": T("2026-02-05"),
                "status": "open",
            },
        ]
    )
    cases = conform(cases, CASE_SCHEMA).assign(opening_case_type=lambda f: f["case_type"])
    keys = signals.set_index(["partner", "signal_id", "household_key"])["signal_key"]
    case_signals = pd.DataFrame(
        {
            "case_id": ["c1", "c1", "c2", "c3", "c3", "c3", "c3", "c4"],
            "signal_key": [
                "domesta/2026-01-05/DOM-1",
                "domesta/2026-02-05/DOM-1",
                "zorg/2026-01-03/ZV-1",
                "domesta/2026-01-05/DOM-3",
                "domesta/2026-02-05/DOM-3",
                "energie/2026-01-08/EN-3",
                "energie/2026-02-08/EN-3",
                "domesta/2026-02-05/DOM-4",
            ],
        }
    )
    assert set(case_signals["signal_key"]) <= set(keys)
    attempts = conform(
        pd.DataFrame(
            [
                ("c1", "Brief", "2026-01-10", False),
                ("c1", "Telefoon", "2026-01-20", True),
                ("c3", "Huisbezoek", "2026-01-07", True),  # crisis signal of 2026-01-05 (Monday)
                ("c3", "Telefoon", "2026-02-12", False),
            ],
            columns=["case_id", "contact_kind", "attempt_date", "reached"],
        ).assign(attempt_date=lambda f: pd.to_datetime(f["attempt_date"])),
        CONTACT_ATTEMPT_SCHEMA,
    )
    wijken = pd.DataFrame(
        {
            "wijkcode": ["WK01", "WK02"],
            "wijknaam": ["Centrum", "Noord"],
            "inwoners": [1000, 2000],
            "huishoudens": [400, 800],
        }
    )
    values: dict[str, Any] = {
        "signals": conform(signals, SIGNAL_FACT_SCHEMA),
        "cases": cases,
        "case_signals": case_signals.astype("string"),
        "attempts": attempts,
        "deliveries": conform(
            pd.DataFrame(columns=list(DELIVERY_FACT_SCHEMA)), DELIVERY_FACT_SCHEMA
        ),
        "aftercare": conform(
            pd.DataFrame(columns=list(LINKED_AFTERCARE_SCHEMA)), LINKED_AFTERCARE_SCHEMA
        ),
        "wijken": wijken,
        "as_of": date(2026, 3, 31),
    }
    values.update(overrides)
    return MonitorInput(**values)


def _row(frame: pd.DataFrame, **chosen: str) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    for name, value in chosen.items():
        keep &= frame[name] == value
    assert int(keep.sum()) == 1, chosen
    return frame[keep].iloc[0]


def test_signals_and_episodes_are_told_apart_and_counted_per_1000() -> None:
    values = signals_table(_record(), MONTHS).values
    january_rent = _row(values, maand="2026-01", partnertype="Huur", wijk="Centrum")
    assert (january_rent["signalen"], january_rent["nieuwe episodes"]) == (2, 2)
    february_rent = _row(values, maand="2026-02", partnertype="Huur", wijk="Centrum")
    # DOM-1 and DOM-3 again (same ids: no new episode), DOM-4 new.
    assert (february_rent["signalen"], february_rent["nieuwe episodes"]) == (3, 1)
    january = _row(values, maand="2026-01", partnertype=TOTAL, wijk=TOTAL)
    assert (january["signalen"], january["nieuwe episodes"]) == (4, 4)
    assert january["signalen per 1.000 inwoners"] == pytest.approx(4 / 3000 * 1000, abs=0.01)
    centrum = _row(values, maand="2026-01", partnertype=TOTAL, wijk="Centrum")
    assert centrum["signalen per 1.000 huishoudens"] == pytest.approx(3 / 400 * 1000, abs=0.01)
    # The undecided water signal of March counts nowhere.
    assert _row(values, maand="2026-03", partnertype=TOTAL, wijk=TOTAL)["signalen"] == 0
    assert _row(values, maand=TOTAL, partnertype=TOTAL, wijk=TOTAL)["signalen"] == 8


def test_without_wijken_there_are_no_figures_per_1000() -> None:
    values = signals_table(_record(wijken=None), MONTHS).values
    assert values["signalen per 1.000 inwoners"].isna().all()


def test_share_picked_up_and_the_reasons_for_not_picking_up() -> None:
    values = triage_table(_record(), MONTHS).values
    february = _row(values, maand="2026-02", partnertype=TOTAL, wijk=TOTAL, status="Opgepakt")
    assert february["signalen"] == 2  # EN-3 escalated, DOM-4
    assert february["aandeel"] == pytest.approx(0.5)
    repeat = _row(values, maand="2026-02", partnertype=TOTAL, wijk=TOTAL, status=REPEAT)
    assert (repeat["signalen"], repeat["aandeel"]) == (2, 0.5)
    assert (
        _row(values, maand="2026-01", partnertype=TOTAL, wijk=TOTAL, status="Opgepakt")["aandeel"]
        == 1
    )


def test_reach_days_four_weeks_and_crises_in_three_working_days() -> None:
    values = reach_table(_record(), MONTHS).values
    january = _row(values, maand="2026-01", partnertype=TOTAL, wijk=TOTAL)
    assert january["zaken"] == 3  # c1, c2, c3
    assert january["bereikt"] == 2  # c1 and c3
    assert january["contactpogingen"] == 4
    assert january["contactpogingen per zaak"] == pytest.approx(4 / 3, abs=0.01)
    # c1 received 2026-01-05: first attempt after 5 days, reached after 15; c3: 2 and 2 days.
    assert january["mediaan dagen tot eerste poging"] == pytest.approx(3.5)
    assert january["mediaan dagen tot eerste bereikt contact"] == pytest.approx(8.5)
    assert january["bereikt binnen 4 weken"] == 2
    assert january["4 weken verstreken"] == 3
    # c3's eviction signal came 2026-01-05 (Monday): three working days end 2026-01-08.
    assert january["crisis bereikt binnen 3 werkdagen"] == 1
    assert january["crisiszaken, 3 werkdagen verstreken"] == 1
    february = _row(values, maand="2026-02", partnertype=TOTAL, wijk=TOTAL)
    assert (february["zaken"], february["bereikt"]) == (1, 0)  # c4, eviction, nobody reached
    assert february["crisiszaken, 3 werkdagen verstreken"] == 1
    assert february["crisis bereikt binnen 3 werkdagen"] == 0


def test_four_weeks_not_yet_over_is_left_out_of_the_share() -> None:
    values = reach_table(_record(as_of=date(2026, 2, 20)), MONTHS).values
    february = _row(values, maand="2026-02", partnertype=TOTAL, wijk=TOTAL)
    assert february["4 weken verstreken"] == 0
    assert pd.isna(february["aandeel bereikt binnen 4 weken"])


def test_results_help_accepted_declined_no_contact() -> None:
    values = results_table(_record(), MONTHS).values
    february = _row(
        values, maand="2026-02", partnertype=TOTAL, wijk=TOTAL, resultaat="Hulp geaccepteerd"
    )
    assert february["zaken"] == 1
    assert february["aandeel"] == pytest.approx(0.5)
    assert (
        _row(values, maand="2026-02", partnertype="Zorg", wijk="Noord", resultaat="Geen contact")[
            "zaken"
        ]
        == 1
    )
    assert (
        _row(values, maand="2026-02", partnertype=TOTAL, wijk=TOTAL, resultaat="Hulp afgewezen")[
            "zaken"
        ]
        == 0
    )


def test_escalations_and_how_many_households_were_reached_before() -> None:
    values = escalations_table(_record(), MONTHS).values
    january = _row(values, maand="2026-01", soort="Ontruimingsaanvraag", wijk=TOTAL)
    assert (january["escalaties"], january["eerder bereikt"]) == (1, 0)  # h3, reached after
    # February: h3's end-of-supply notice (reached on 2026-01-07, before), h4's eviction (never).
    # h3's eviction request repeats: no new escalation.
    february = _row(values, maand="2026-02", soort=TOTAL, wijk=TOTAL)
    assert (february["escalaties"], february["eerder bereikt"]) == (2, 1)
    supply = _row(values, maand="2026-02", soort="Eindeleveringsbericht", wijk="Centrum")
    assert (supply["escalaties"], supply["eerder bereikt"]) == (1, 1)


def test_published_tables_hide_small_counts() -> None:
    tables = build_monitor(_record(), date(2026, 1, 1), date(2026, 3, 31))
    published = tables["signalen"].published(10)
    grand = _row(published, maand=TOTAL, partnertype=TOTAL, wijk=TOTAL)
    assert grand["signalen"] == "<10"
    assert grand["signalen per 1.000 inwoners"] == "–"
    assert all(v == 0 or v == "<10" for v in published["signalen"])
    assert set(tables) == {
        "signalen",
        "opgepakt",
        "zaaktypen",
        "bereik",
        "resultaten",
        "escalaties",
        "terugval",
        "datakwaliteit",
    }


# --- relapse ------------------------------------------------------------------------------


def _aftercare(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return conform(
        pd.DataFrame(
            [
                {
                    "household_key": h,
                    "dossier_id": f"GKB-{h}",
                    "trajectory_end_date": T(end),
                    "trajectory_outcome": outcome,
                    "delivery_date": T(delivered),
                }
                for h, end, outcome, delivered in rows
            ]
        ),
        LINKED_AFTERCARE_SCHEMA,
    )


def _relapse_record() -> MonitorInput:
    aftercare = _aftercare(
        [
            ("h10", "2025-12-01", "schuldregeling_geslaagd", "2025-12-20"),
            ("h10", "2025-12-01", "schuldregeling_geslaagd", "2026-01-20"),  # listed again
            ("h11", "2025-12-01", "schuldregeling_geslaagd", "2025-12-20"),
            ("h12", "2025-12-01", "schuldregeling_geslaagd", "2025-12-20"),
            ("h13", "2025-12-01", "afgebroken", "2025-12-20"),
            ("h14", "2025-05-01", "saneringskrediet", "2025-11-20"),  # ended before the history
        ]
    )
    signals = pd.DataFrame(
        [
            _signal("zorg:Z-0", "h99", "Zorg", "", "2025-11-01"),  # the history begins here
            _signal("zorg:Z-10", "h10", "Zorg", "", "2026-03-03", signal_date=T("2026-03-01")),
            _signal("zorg:Z-12", "h12", "Zorg", "", "2026-02-01", signal_date=T("2026-01-30")),
            _signal("zorg:Z-14", "h14", "Zorg", "", "2026-02-03", signal_date=T("2026-02-01")),
            _signal(
                "zorg:Z-13", "h13", "Zorg", "", "2025-11-03", signal_date=T("2025-11-01")
            ),  # before its end
        ]
    )
    return _record(
        signals=conform(signals, SIGNAL_FACT_SCHEMA), aftercare=aftercare, as_of=date(2026, 12, 1)
    )


def test_trajectories_are_followed_with_censoring_and_delayed_entry() -> None:
    followed = followed_trajectories(_relapse_record())
    assert len(followed) == 5  # h10 once, though listed in two files
    by_outcome = followed.groupby("uitkomst")
    assert by_outcome.size()["Schuldregeling geslaagd"] == 3
    h14 = followed[followed["uitkomst"] == "Saneringskrediet"].iloc[0]
    assert (h14["entry"], h14["exit"], bool(h14["event"])) == (184, 276, True)
    h13 = followed[followed["uitkomst"] == "Afgebroken"].iloc[0]
    assert (h13["exit"], bool(h13["event"])) == (365, False)  # censored on 2026-12-01


def test_the_kaplan_meier_curve_and_number_at_risk() -> None:
    followed = followed_trajectories(_relapse_record())
    curve = kaplan_meier(followed)
    # t=60: 4 at risk (h14 enters at 184), 1 event; t=90: 3; t=276: 3 (h11, h13, h14).
    assert curve["t"].tolist() == [0, 60, 90, 276]
    assert curve["at_risk"].tolist() == [4, 4, 3, 3]
    assert curve["survival"].tolist() == pytest.approx([1, 3 / 4, 1 / 2, 1 / 3])
    values = relapse_table(_relapse_record()).values
    everyone = _row(values, uitkomst=TOTAL, **{"jaar einde": TOTAL})
    assert everyone["trajecten"] == 5
    assert everyone["opnieuw gesignaleerd"] == 3
    assert everyone["aandeel opnieuw gesignaleerd binnen 6 maanden"] == pytest.approx(0.5)
    assert everyone["aandeel opnieuw gesignaleerd binnen 12 maanden"] == pytest.approx(
        0.667, abs=0.001
    )
    assert everyone["onder observatie na 6 maanden"] == 2  # h11, h13 (h14 enters at 184)
    assert pd.isna(everyone["aandeel opnieuw gesignaleerd binnen 24 maanden"])  # nobody that long
    settled = _row(values, uitkomst="Schuldregeling geslaagd", **{"jaar einde": "2025"})
    assert settled["aandeel opnieuw gesignaleerd binnen 6 maanden"] == pytest.approx(
        0.667, abs=0.001
    )
    broken = _row(values, uitkomst="Afgebroken", **{"jaar einde": TOTAL})
    assert broken["aandeel opnieuw gesignaleerd binnen 12 maanden"] == 0
    assert not math.isnan(float(broken["trajecten"]))


def _late_entry_record() -> MonitorInput:
    """Trajectories that all ended before the signal history begins (2025-03-01): the
    demo year's "2024" group. h20 ended 90 days before it and signalled (dated) just before
    it; h21…h23 ended 273 days before it and are followed without a signal."""
    aftercare = _aftercare(
        [
            ("h20", "2024-12-01", "schuldregeling_geslaagd", "2025-03-10"),
            ("h21", "2024-06-01", "schuldregeling_geslaagd", "2025-03-10"),
            ("h22", "2024-06-01", "schuldregeling_geslaagd", "2025-03-10"),
            ("h23", "2024-06-01", "schuldregeling_geslaagd", "2025-03-10"),
        ]
    )
    signals = pd.DataFrame(
        [
            _signal("zorg:Z-0", "h99", "Zorg", "", "2025-03-01"),  # the history begins here
            _signal("zorg:Z-20", "h20", "Zorg", "", "2025-03-01", signal_date=T("2025-02-20")),
        ]
    )
    return _record(
        signals=conform(signals, SIGNAL_FACT_SCHEMA), aftercare=aftercare, as_of=date(2026, 6, 1)
    )


def test_delayed_entry_never_makes_a_tiny_early_risk_set_decide_the_curve() -> None:
    followed = followed_trajectories(_late_entry_record())
    # h20 signalled before it could be followed: not event-free at entry, so not followed.
    assert sorted(followed["entry"].tolist()) == [273, 273, 273]
    assert not followed["event"].any()
    curve = kaplan_meier(followed)
    assert curve["relapsed"].max() == 0  # nobody seen to signal again while followed
    # Nobody was followed from the end date: the early shares cannot be estimated.
    assert curve["at_risk"].iloc[0] == 0
    values = relapse_table(_late_entry_record()).values
    group = _row(values, uitkomst="Schuldregeling geslaagd", **{"jaar einde": "2024"})
    for months in (6, 12, 24):
        assert pd.isna(group[f"aandeel opnieuw gesignaleerd binnen {months} maanden"])
    # At risk at t: entered by t, neither event nor censoring before t.
    assert group["onder observatie na 6 maanden"] == 0
    assert group["onder observatie na 12 maanden"] == 3


def test_a_curve_starts_at_zero_for_its_group_or_is_left_out() -> None:
    curves = relapse_curves(_late_entry_record(), "jaar einde", threshold=1)
    assert "2024" not in curves  # not followed from t = 0: no misleading line
    for curve in relapse_curves(_relapse_record(), "uitkomst", threshold=1).values():
        assert curve["t"].iloc[0] == 0 and curve["relapsed"].iloc[0] == 0
        assert (curve["at_risk"] >= 1).all()


# --- data quality -------------------------------------------------------------------------


def _delivery(
    partner: str,
    day: str,
    status: str = "loaded",
    received: int = 100,
    quarantined: int = 0,
    arrived: str | None = None,
    correction: bool = False,
) -> dict[str, Any]:
    return {
        "partner": partner,
        "delivery_date": T(day),
        "status": status,
        "rows_received": received,
        "rows_quarantined": quarantined,
        "is_correction": correction,
        "arrived_on": T(arrived or day),
    }


def _deliveries() -> pd.DataFrame:
    rows = [
        _delivery("domesta", "2026-01-05", quarantined=2),
        _delivery("domesta", "2026-02-05", arrived="2026-02-09"),  # taken in four days late
        _delivery("domesta", "2026-03-09"),  # dated after the usual 5th
        _delivery("domesta", "2026-03-15", received=1, correction=True),
        _delivery("zorg", "2026-01-03"),
        _delivery("zorg", "2026-02-03", status="rejected", received=10),
        _delivery("zorg", "2026-03-03"),
        *[
            _delivery("bank", day, received=5)
            for day in ("2026-01-02", "2026-01-09", "2026-01-23", "2026-01-30")
        ],
    ]
    return conform(pd.DataFrame(rows), DELIVERY_FACT_SCHEMA)


def test_a_partners_usual_day_comes_from_its_history() -> None:
    schedule = usual_schedule(_deliveries()).set_index("partner")
    assert (schedule.loc["domesta", "cadence"], schedule.loc["domesta", "usual_day"]) == (
        "maandelijks",
        5,
    )
    assert (schedule.loc["bank", "cadence"], schedule.loc["bank", "usual_day"]) == ("wekelijks", 4)


def test_late_and_missing_deliveries() -> None:
    due = timeliness(_deliveries(), date(2026, 1, 1), date(2026, 4, 30), date(2026, 4, 30))
    domesta = due[due["partner"] == "domesta"].set_index("period")["outcome"].to_dict()
    assert domesta == {
        "2026-01": "on_time",
        "2026-02": "late",
        "2026-03": "late",
        "2026-04": "missing",
    }
    bank = due[due["partner"] == "bank"].set_index("period")["outcome"].to_dict()
    assert bank["2026-W03"] == "missing"  # no file on Friday 16 January
    assert bank["2026-W02"] == "on_time"
    assert list(due[due["partner"] == "zorg"]["outcome"]) == ["on_time"] * 3 + ["missing"]


def test_data_quality_per_partner_and_month() -> None:
    table = data_quality_table(
        _deliveries(),
        ["2026-01", "2026-02", "2026-03"],
        date(2026, 1, 1),
        date(2026, 3, 31),
        date(2026, 3, 31),
    )
    values = table.values
    january = _row(values, partner="domesta", maand="2026-01")
    assert (january["rijen ontvangen"], january["rijen in quarantaine"]) == (100, 2)
    assert january["aandeel in quarantaine"] == pytest.approx(0.02)
    march = _row(values, partner="domesta", maand="2026-03")
    assert (march["bestanden"], march["herindieningen"], march["te laat"]) == (1, 1, 1)
    assert _row(values, partner="zorg", maand="2026-02")["geweigerde bestanden"] == 1
    assert _row(values, partner="bank", maand="2026-01")["ontbreekt"] == 1
    assert _row(values, partner=TOTAL, maand=TOTAL)["verwacht"] == 3 + 3 + 13
    # Files and rows are not people: nothing is hidden.
    assert "<10" not in set(table.published(10)["herindieningen"].astype(str))


def test_the_relapse_chart_says_which_groups_it_cannot_draw() -> None:
    from signals.monitor.charts import at_risk_footer, relapse_chart

    data = _late_entry_record()
    table = relapse_table(data)
    chart = relapse_chart(
        relapse_curves(data, "jaar einde", 1), at_risk_footer(table, 1, "jaar einde"), "jaar einde"
    )
    assert chart.series == []
    assert "Geen lijn voor 2024, alle trajecten: niet te schatten" in chart.note
