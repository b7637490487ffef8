"""Partner feedback: per signal only "opgepakt" / "niet opgepakt", never the reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from connectors.exports.feedback import write_partner_feedback
from signals import ddas
from signals.feedback import PARTNER_FEEDBACK_SCHEMA, build_partner_feedback
from signals.schema import DECISION_SCHEMA, LINKED_SIGNAL_SCHEMA, conform

REASONS = {
    ddas.STATUS_PICKED_UP: "Meervoudig signaal: huisbezoek",
    ddas.STATUS_UNFOUNDED: "Onder het drempelbedrag van 75 euro",
    ddas.STATUS_REPEAT: "Herhaalde melding zonder hoger bedrag",
    ddas.STATUS_KNOWN_AT_DEBT_HELP: "Al in traject bij de Kredietbank",
    ddas.STATUS_DECEASED: "Overleden volgens de BRP",
    ddas.STATUS_PENDING: "Wacht op beoordeling",
}


def make_signals() -> pd.DataFrame:
    rows = [
        ("domesta", "D1", "2026-10-03", "2026-10-05"),
        ("domesta", "D2", "2026-10-04", "2026-10-05"),
        ("domesta", "D3", "2026-10-04", "2026-10-05"),
        ("domesta", "D4", "2026-10-02", "2026-10-05"),
        ("domesta", "D5", "2026-10-02", "2026-10-05"),
        ("domesta", "D6", "2026-10-02", "2026-10-05"),  # no decision yet
        ("domesta", "D7", "2026-10-01", "2026-10-05"),  # pending
        ("domesta", "D1", "2026-10-03", "2026-11-05"),  # D1 again in the next snapshot
        ("zorg", "Z1", "2026-10-01", "2026-10-06"),
    ]
    frame = pd.DataFrame(rows, columns=["partner", "signal_id", "signal_date", "delivery_date"])
    frame["signal_key"] = frame["partner"] + "/" + frame["delivery_date"] + "/" + frame["signal_id"]
    return conform(frame, LINKED_SIGNAL_SCHEMA)


def make_decisions() -> pd.DataFrame:
    statuses = {
        "domesta/2026-10-05/D1": ddas.STATUS_UNFOUNDED,
        "domesta/2026-11-05/D1": ddas.STATUS_PICKED_UP,
        "domesta/2026-10-05/D2": ddas.STATUS_PICKED_UP,
        "domesta/2026-10-05/D3": ddas.STATUS_REPEAT,
        "domesta/2026-10-05/D4": ddas.STATUS_KNOWN_AT_DEBT_HELP,
        "domesta/2026-10-05/D5": ddas.STATUS_DECEASED,
        "domesta/2026-10-05/D7": ddas.STATUS_PENDING,
        "zorg/2026-10-06/Z1": ddas.STATUS_PICKED_UP,
    }
    frame = pd.DataFrame({"signal_key": list(statuses), "status": list(statuses.values())})
    frame["reason_nl"] = frame["status"].map(REASONS)
    frame["rule"] = "regel-" + frame["status"].str.len().astype(str)
    return conform(frame, DECISION_SCHEMA)


def test_only_two_values_and_only_that_partners_signals() -> None:
    feedback = build_partner_feedback(make_signals(), make_decisions(), "domesta")

    assert list(feedback.columns) == ["signaal_id", "signaaldatum", "terugkoppeling"]
    assert set(feedback["terugkoppeling"]) <= {"opgepakt", "niet opgepakt"}
    assert set(feedback["signaal_id"]) <= {f"D{n}" for n in range(1, 8)}
    assert "Z1" not in set(feedback["signaal_id"])


def test_each_decided_signal_maps_to_picked_up_or_not() -> None:
    feedback = build_partner_feedback(make_signals(), make_decisions(), "domesta")

    assert dict(zip(feedback["signaal_id"], feedback["terugkoppeling"], strict=True)) == {
        "D1": "opgepakt",  # the latest delivery's decision counts
        "D2": "opgepakt",
        "D3": "niet opgepakt",
        "D4": "niet opgepakt",
        "D5": "niet opgepakt",
    }  # D6 (undecided) and D7 (pending) get no feedback yet
    assert feedback["signaal_id"].tolist() == ["D4", "D5", "D1", "D2", "D3"]  # by date, id
    assert dict(feedback.dtypes.astype(str)) == {
        k: str(v) for k, v in PARTNER_FEEDBACK_SCHEMA.items()
    }


def test_no_reason_status_or_rule_text_reaches_the_partner(tmp_path: Path) -> None:
    feedback = build_partner_feedback(make_signals(), make_decisions(), "domesta")
    path = write_partner_feedback(feedback, tmp_path / "domesta.csv")

    text = path.read_text(encoding="utf-8-sig")
    for reason in REASONS.values():
        assert reason not in text
    for status in ddas.SIGNAL_STATUSES:
        assert status not in text
    assert "regel-" not in text
    assert "h1" not in text


def test_csv_for_the_partner(tmp_path: Path) -> None:
    feedback = build_partner_feedback(make_signals(), make_decisions(), "zorg")
    path = write_partner_feedback(feedback, tmp_path / "out" / "zorg.csv")

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "signaal_id;signaaldatum;terugkoppeling",
        "Z1;01-10-2026;opgepakt",
    ]


def test_unknown_partner_gets_an_empty_list() -> None:
    feedback = build_partner_feedback(make_signals(), make_decisions(), "onbekend")

    assert feedback.empty
    assert list(feedback.columns) == list(PARTNER_FEEDBACK_SCHEMA)


def test_a_status_outside_ddas_is_refused() -> None:
    decisions = make_decisions()
    decisions.loc[0, "status"] = "Geholpen"

    with pytest.raises(ValueError, match="EnumSignaalstatus"):
        build_partner_feedback(make_signals(), decisions, "domesta")
