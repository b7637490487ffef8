"""Signal and household state on hand-built histories."""

from __future__ import annotations

from datetime import date

import pandas as pd

from signals.schema import (
    HOUSEHOLD_STATE_SCHEMA,
    LINKED_AFTERCARE_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    RESOLUTION_SCHEMA,
    SIGNAL_STATE_SCHEMA,
    conform,
)
from signals.state import (
    deliveries_to_state,
    delivery_state,
    household_states,
    night_state,
    pickups,
    resolutions,
    signal_states,
)


def history(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    """Rows of (partner, delivery date, household, amount)."""
    frame = pd.DataFrame(rows, columns=["partner", "delivery_date", "household_key", "amount"])
    frame["delivery_date"] = pd.to_datetime(frame["delivery_date"])
    frame["signal_date"] = frame["delivery_date"] - pd.Timedelta(days=3)
    frame["signal_id"] = [f"S{i}" for i in range(len(frame))]
    frame["signal_key"] = (
        frame["partner"]
        + "/"
        + frame["delivery_date"].dt.strftime("%Y-%m-%d")
        + "/"
        + frame["signal_id"]
    )
    return conform(frame, LINKED_SIGNAL_SCHEMA)


def deliveries(*pairs: tuple[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(pairs, columns=["partner", "delivery_date"])
    frame["delivery_date"] = pd.to_datetime(frame["delivery_date"])
    return frame


def aftercare(*rows: tuple[str, str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["household_key", "trajectory_end_date", "trajectory_outcome"]
    )
    frame["trajectory_end_date"] = pd.to_datetime(frame["trajectory_end_date"])
    return conform(frame, LINKED_AFTERCARE_SCHEMA)


NO_AFTERCARE = aftercare()

# Household h1 at domesta: new -> repeat (same) -> increased -> resolved.
JOURNEY = history(
    ("domesta", "2026-07-01", "h1", 500.0),
    ("domesta", "2026-08-01", "h1", 500.0),
    ("domesta", "2026-09-01", "h1", 900.0),
    ("domesta", "2026-09-01", "h2", 100.0),
    ("domesta", "2026-10-01", "h2", 80.0),
)
JOURNEY_DELIVERIES = deliveries(
    ("domesta", "2026-07-01"),
    ("domesta", "2026-08-01"),
    ("domesta", "2026-09-01"),
    ("domesta", "2026-10-01"),
)


def state_on(night: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return delivery_state(JOURNEY, JOURNEY_DELIVERIES, "domesta", date.fromisoformat(night))


def test_new_repeat_increased_resolved() -> None:
    first, gone_first = state_on("2026-07-01")
    assert first["signal_state"].tolist() == ["new"]
    assert gone_first.empty
    second, _ = state_on("2026-08-01")
    assert second["signal_state"].tolist() == ["repeat"]
    assert second["previous_amount"].tolist() == [500.0]
    third, _ = state_on("2026-09-01")
    assert dict(zip(third["household_key"], third["signal_state"], strict=True)) == {
        "h1": "increased",
        "h2": "new",
    }
    fourth, gone = state_on("2026-10-01")
    assert fourth["signal_state"].tolist() == ["repeat"]  # a lower amount is no increase
    assert list(fourth.columns) == list(SIGNAL_STATE_SCHEMA)
    assert gone[["household_key", "partner"]].values.tolist() == [["h1", "domesta"]]
    assert gone["resolved_on"].tolist() == [pd.Timestamp("2026-10-01")]
    assert list(gone.columns) == list(RESOLUTION_SCHEMA)


def test_same_household_at_another_partner_is_new() -> None:
    rows = history(("domesta", "2026-08-01", "h1", 500.0), ("water", "2026-08-01", "h1", 50.0))
    previous = rows[rows["partner"] == "domesta"]
    states = signal_states(rows[rows["partner"] == "water"], previous)
    assert states["signal_state"].tolist() == ["new"]


def test_silent_partner_changes_nothing() -> None:
    rows = history(
        ("domesta", "2026-08-01", "h1", 500.0),
        ("water", "2026-08-01", "h2", 50.0),
        ("domesta", "2026-09-01", "h1", 500.0),
    )
    complete = deliveries(
        ("domesta", "2026-08-01"), ("water", "2026-08-01"), ("domesta", "2026-09-01")
    )
    states, gone = night_state(rows, complete, date(2026, 9, 1))
    assert states["partner"].tolist() == ["domesta"]
    assert gone.empty  # h2 at water is not resolved: water sent nothing tonight


def test_rejected_delivery_is_skipped_when_comparing() -> None:
    rows = history(
        ("domesta", "2026-08-01", "h1", 500.0),
        ("domesta", "2026-10-01", "h1", 500.0),
    )
    # The 2026-09-01 delivery was rejected: not complete, so October compares with August.
    complete = deliveries(("domesta", "2026-08-01"), ("domesta", "2026-10-01"))
    states, gone = delivery_state(rows, complete, "domesta", date(2026, 10, 1))
    assert states["signal_state"].tolist() == ["repeat"]
    assert gone.empty


def test_resolutions_only_look_at_the_partner() -> None:
    previous = history(("domesta", "2026-08-01", "h1", 1.0), ("water", "2026-08-01", "h2", 1.0))
    current = history(("domesta", "2026-09-01", "h3", 1.0))
    gone = resolutions(previous, current, "domesta", date(2026, 9, 1))
    assert gone["household_key"].tolist() == ["h1"]


def test_single_and_multiple_households() -> None:
    rows = history(
        ("domesta", "2026-09-01", "h1", 500.0),
        ("energie", "2026-06-01", "h1", 50.0),
        ("domesta", "2026-09-01", "h2", 300.0),
        ("water", "2025-06-01", "h2", 50.0),  # outside the window, never resolved
    )
    states = household_states(rows, NO_AFTERCARE, date(2026, 10, 1), window_days=183)
    assert list(states.columns) == list(HOUSEHOLD_STATE_SCHEMA)
    by_household = states.set_index("household_key")
    assert by_household.loc["h1", "case_type"] == "meervoudig"
    assert by_household.loc["h1", "active_partners"] == "domesta,energie"
    assert by_household.loc["h1", "partner_count"] == 2
    assert by_household.loc["h1", "total_amount"] == 550.0
    assert by_household.loc["h2", "case_type"] == "enkelvoudig"
    assert by_household.loc["h2", "total_amount"] == 300.0
    narrow = household_states(rows, NO_AFTERCARE, date(2026, 10, 1), window_days=60)
    assert narrow.set_index("household_key").loc["h1", "case_type"] == "enkelvoudig"


def test_total_amount_takes_the_latest_delivery_per_partner() -> None:
    rows = history(("domesta", "2026-08-01", "h1", 500.0), ("domesta", "2026-09-01", "h1", 700.0))
    states = household_states(rows, NO_AFTERCARE, date(2026, 10, 1), window_days=183)
    assert states["total_amount"].tolist() == [700.0]


def test_recurring_after_resolution() -> None:
    rows = history(
        ("domesta", "2026-05-01", "h1", 500.0),
        ("domesta", "2026-05-01", "h2", 500.0),
        ("domesta", "2026-06-01", "h2", 500.0),  # h1 resolved on 06-01
        ("domesta", "2026-07-01", "h2", 500.0),
        ("domesta", "2026-09-01", "h1", 400.0),  # h1 back: recurring
        ("domesta", "2026-09-01", "h2", 500.0),
    )
    states = household_states(rows, NO_AFTERCARE, date(2026, 9, 1), window_days=183)
    by_household = states.set_index("household_key")["case_type"]
    assert by_household["h1"] == "opeenvolgend"
    assert by_household["h2"] == "enkelvoudig"


def test_relapse_after_finished_trajectory() -> None:
    rows = history(("domesta", "2026-09-01", "h1", 500.0), ("domesta", "2026-09-01", "h2", 90.0))
    finished = aftercare(
        ("h1", "2025-06-01", "afgebroken"),
        ("h1", "2026-01-15", "schuldregeling_geslaagd"),
        ("h2", "2026-12-01", "budgetbeheer_afgerond"),  # ends after the signal: no relapse
    )
    states = household_states(rows, finished, date(2026, 9, 1)).set_index("household_key")
    assert states.loc["h1", "relapse"]
    assert states.loc["h1", "previous_trajectory_outcome"] == "schuldregeling_geslaagd"
    assert not states.loc["h2", "relapse"]
    assert states["previous_trajectory_outcome"].isna().tolist() == [False, True]


def test_no_signals_in_window_gives_empty_state() -> None:
    rows = history(("domesta", "2025-01-01", "h1", 500.0))
    assert household_states(rows, NO_AFTERCARE, date(2026, 9, 1)).empty


def test_pickups_are_the_picked_up_signals_per_household_and_partner():
    history = conform(
        pd.DataFrame(
            {
                "signal_key": ["domesta/2026-08-05/D1", "zorg/2026-08-03/Z1", "zorg/2026-09-03/Z1"],
                "household_key": ["h1", "h1", "h2"],
                "partner": ["domesta", "zorg", "zorg"],
                "delivery_date": pd.to_datetime(["2026-08-05", "2026-08-03", "2026-09-03"]),
            }
        ),
        LINKED_SIGNAL_SCHEMA,
    )
    decisions = pd.DataFrame(
        {
            "signal_key": ["domesta/2026-08-05/D1", "zorg/2026-08-03/Z1", "zorg/2026-09-03/Z1"],
            "status": ["Opgepakt", "Niet opgepakt: onterecht signaal", "Opgepakt"],
            "decided_on": pd.to_datetime(["2026-08-06", "2026-08-04", pd.NaT]),
        }
    )
    found = pickups(history, decisions)
    assert found[["household_key", "partner"]].values.tolist() == [
        ["h1", "domesta"],
        ["h2", "zorg"],
    ]
    assert found["picked_up_on"].tolist() == [
        pd.Timestamp("2026-08-06"),  # the night of the decision
        pd.Timestamp("2026-09-03"),  # unknown decision night: the delivery date
    ]


def test_pending_deliveries_are_listed_once_oldest_first():
    rows = history(
        ("domesta", "2026-10-05", "h1", 500.0),
        ("domesta", "2026-09-05", "h1", 500.0),
        ("domesta", "2026-09-05", "h2", 500.0),
        ("zorg", "2026-10-03", "h2", 100.0),
    )

    pairs = deliveries_to_state(rows)

    assert pairs.astype(str).values.tolist() == [
        ["domesta", "2026-09-05"],
        ["zorg", "2026-10-03"],
        ["domesta", "2026-10-05"],
    ]


def test_a_late_delivery_completes_history_without_rewriting_newer_deliveries():
    rows = history(
        ("domesta", "2026-08-05", "h1", 500.0),
        ("domesta", "2026-08-05", "h2", 200.0),
        ("domesta", "2026-10-05", "h1", 700.0),
        ("domesta", "2026-09-05", "h1", 600.0),  # arrived after October was decided
        ("domesta", "2026-09-05", "h3", 300.0),  # listed only in the late file
    )
    complete = deliveries(
        ("domesta", "2026-08-05"), ("domesta", "2026-09-05"), ("domesta", "2026-10-05")
    )

    states, gone = delivery_state(rows, complete, "domesta", date(2026, 9, 5))

    assert states.set_index("household_key")["signal_state"].to_dict() == {
        "h1": "increased",  # against August, its own predecessor
        "h3": "new",
    }
    assert states.set_index("household_key")["previous_amount"].to_dict()["h1"] == 500.0
    # h2 was gone in September already; h3 was gone by October: both revealed now.
    assert sorted(zip(gone["household_key"], gone["resolved_on"].dt.day, strict=True)) == [
        ("h2", 5),
        ("h3", 5),
    ]
    assert gone.set_index("household_key")["resolved_on"].dt.month.to_dict() == {
        "h2": 9,
        "h3": 10,
    }


def test_a_new_crisis_with_the_same_amount_is_an_escalation_not_a_repeat():
    rows = history(
        ("domesta", "2026-11-05", "h1", 2400.0),
        ("domesta", "2026-12-05", "h1", 2400.0),  # same amount, eviction requested now
        ("zorg", "2026-11-03", "h2", 600.0),
        ("zorg", "2026-12-03", "h2", 600.0),  # reported to the CAK now
        ("energie", "2026-11-08", "h3", 400.0),
        ("energie", "2026-12-08", "h3", 350.0),  # end of supply again, lower: a repeat
    )
    rows["crisis_kind"] = pd.array(
        [None, "ontruiming", None, "cak", "eindelevering", "eindelevering"], dtype="string"
    )
    rows["signal_id"] = ["DOM-1", "DOM-1", "ZV-1", "ZV-1", "EN-1", "EN-1"]
    complete = deliveries(*rows[["partner", "delivery_date"]].astype(str).values.tolist())

    found = {}
    for partner, day in (("domesta", 5), ("zorg", 3), ("energie", 8)):
        states, _ = delivery_state(rows, complete, partner, date(2026, 12, day))
        found.update(states.set_index("household_key")["signal_state"].to_dict())

    assert found == {"h1": "escalated", "h2": "escalated", "h3": "repeat"}


def test_previous_amount_is_one_deliverys_amount_never_a_sum():
    # March's row of h1 was quarantined and later re-submitted (a correction of March).
    rows = history(
        ("domesta", "2026-02-05", "h1", 400.0),
        ("domesta", "2026-03-05", "h1", 500.0),  # the corrected March row
        ("domesta", "2026-04-05", "h1", 500.0),
    )
    rows["signal_id"] = "DOM-7"
    complete = deliveries(
        ("domesta", "2026-02-05"), ("domesta", "2026-03-05"), ("domesta", "2026-04-05")
    )
    held_back = pd.DataFrame(
        {
            "partner": ["domesta"],
            "delivery_date": pd.to_datetime(["2026-03-05"]),
            "household_key": ["h1"],
        }
    )

    april, _ = delivery_state(rows, complete, "domesta", date(2026, 4, 5), held_back)

    assert april["signal_state"].tolist() == ["repeat"]
    assert april["previous_amount"].tolist() == [500.0]  # not 400 + 500


def test_a_household_resolved_at_every_partner_is_resolved_since_the_last_drop():
    rows = history(
        ("domesta", "2026-08-05", "h1", 500.0),
        ("zorg", "2026-08-03", "h1", 100.0),
        ("zorg", "2026-09-03", "h1", 100.0),
        ("domesta", "2026-08-05", "h2", 500.0),
        ("domesta", "2026-09-05", "h2", 500.0),
        ("bank", "2026-08-07", "h3", 0.0),  # referrals end no arrears
    )
    complete = deliveries(
        ("domesta", "2026-08-05"),
        ("domesta", "2026-09-05"),
        ("zorg", "2026-08-03"),
        ("zorg", "2026-09-03"),
        ("zorg", "2026-10-03"),
        ("bank", "2026-08-07"),
        ("bank", "2026-08-14"),
    )

    state = household_states(
        rows, NO_AFTERCARE, date(2026, 10, 10), 183, complete, episodic_partners={"domesta", "zorg"}
    ).set_index("household_key")

    assert state.loc["h1", "resolved_since"] == pd.Timestamp("2026-10-03")
    assert pd.isna(state.loc["h2", "resolved_since"])  # domesta still lists it
    assert pd.isna(state.loc["h3", "resolved_since"])
    assert pd.isna(state.loc["h1", "total_amount"])  # nobody reports arrears now
    assert state.loc["h2", "total_amount"] == 500.0


def test_a_household_whose_row_was_quarantined_is_neither_resolved_nor_new_after():
    rows = history(
        ("domesta", "2026-08-05", "h1", 500.0),
        ("domesta", "2026-08-05", "h2", 300.0),
        ("domesta", "2026-09-05", "h2", 300.0),  # h1's row this month was quarantined
        ("domesta", "2026-10-05", "h1", 500.0),
        ("domesta", "2026-10-05", "h2", 300.0),
    )
    complete = deliveries(
        ("domesta", "2026-08-05"), ("domesta", "2026-09-05"), ("domesta", "2026-10-05")
    )
    held_back = pd.DataFrame(
        {
            "partner": ["domesta"],
            "delivery_date": pd.to_datetime(["2026-09-05"]),
            "household_key": ["h1"],
        }
    )

    _, september_gone = delivery_state(rows, complete, "domesta", date(2026, 9, 5), held_back)
    october, _ = delivery_state(rows, complete, "domesta", date(2026, 10, 5), held_back)

    assert september_gone.empty
    assert october.set_index("household_key")["signal_state"].to_dict() == {
        "h1": "repeat",  # compared with its last known row (August), not "new"
        "h2": "repeat",
    }
    # Without knowing whose row was held back, h1 would be resolved and then new again.
    _, naive_gone = delivery_state(rows, complete, "domesta", date(2026, 9, 5))
    assert naive_gone["household_key"].tolist() == ["h1"]


def test_recurring_counts_the_same_partner_recently_and_not_referral_lists() -> None:
    rows = history(
        ("bank", "2026-05-01", "h1", 0.0),  # a referral, gone from next week's list
        ("domesta", "2026-05-01", "h2", 500.0),
        ("domesta", "2026-05-01", "h3", 500.0),
        ("domesta", "2026-06-01", "h3", 500.0),  # h2 resolved at domesta on 06-01
        ("energie", "2026-08-01", "h2", 90.0),  # h2 now at another partner: not recurring
        ("domesta", "2026-09-01", "h1", 400.0),
        ("domesta", "2026-09-01", "h3", 500.0),
    )
    complete = deliveries(
        ("bank", "2026-05-01"),
        ("bank", "2026-05-08"),
        ("domesta", "2026-05-01"),
        ("domesta", "2026-06-01"),
        ("domesta", "2026-09-01"),
        ("energie", "2026-08-01"),
    )
    states = household_states(
        rows,
        NO_AFTERCARE,
        date(2026, 9, 1),
        183,
        complete,
        episodic_partners={"domesta", "energie"},
    ).set_index("household_key")["case_type"]
    # Several partners, but no partner whose arrears came back: not opeenvolgend.
    assert states.to_dict() == {"h1": "meervoudig", "h2": "meervoudig", "h3": "enkelvoudig"}

    back = history(
        ("domesta", "2025-01-05", "h4", 500.0),  # resolved on 2025-02-05, a year before
        ("domesta", "2025-02-05", "h5", 500.0),
        ("domesta", "2026-01-05", "h5", 500.0),
        ("domesta", "2026-02-05", "h4", 300.0),
        ("domesta", "2026-02-05", "h5", 500.0),
    )
    old = household_states(back, NO_AFTERCARE, date(2026, 2, 5), 183, recurrence_days=300)
    assert old.set_index("household_key")["case_type"]["h4"] == "enkelvoudig"
    recent = household_states(back, NO_AFTERCARE, date(2026, 2, 5), 183, recurrence_days=400)
    assert recent.set_index("household_key")["case_type"]["h4"] == "opeenvolgend"
