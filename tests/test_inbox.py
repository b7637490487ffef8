"""Inbox discovery: deliveries of known partners by date; everything else reported."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.catalog import load_catalog
from connectors.inbox import delivery_date_of, discover_deliveries


def _touch(root, relative: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")


def test_deliveries_sorted_by_date_then_partner_and_unrecognised_reported(tmp_path):
    for relative in [
        "zorg/2026-10-05.csv",
        "domesta/2026-10-05.csv",
        "domesta/2026-09-05.csv",
        "water/2026-10-05.xlsx",
        "bank/2026-10-06.jsonl",  # after as_of: for a later night
        "domesta/export oktober.csv",
        "domesta/2026-02-31.csv",
        "water/2026-10-05.csv",  # wrong extension for this partner
        "onbekend/2026-10-05.csv",
        "losse-file.csv",
        "domesta/sub/2026-10-05.csv",
        "domesta/.gitkeep",
    ]:
        _touch(tmp_path, relative)
    inbox = discover_deliveries(tmp_path, load_catalog(), as_of=date(2026, 10, 5))
    assert [d.source_file for d in inbox.deliveries] == [
        "domesta/2026-09-05.csv",
        "domesta/2026-10-05.csv",
        "water/2026-10-05.xlsx",
        "zorg/2026-10-05.csv",
    ]
    first = inbox.deliveries[0]
    assert (first.partner, first.delivery_date) == ("domesta", date(2026, 9, 5))
    assert first.path == tmp_path / "domesta" / "2026-09-05.csv"
    assert inbox.unrecognised == [
        "domesta/2026-02-31.csv",
        "domesta/export oktober.csv",
        "domesta/sub/2026-10-05.csv",
        "losse-file.csv",
        "onbekend/2026-10-05.csv",
        "water/2026-10-05.csv",
    ]


def test_without_as_of_everything_is_delivered(tmp_path):
    _touch(tmp_path, "bank/2030-01-01.jsonl")
    inbox = discover_deliveries(tmp_path, load_catalog())
    assert [d.partner for d in inbox.deliveries] == ["bank"]


def test_missing_inbox_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        discover_deliveries(tmp_path / "absent", load_catalog())


def test_delivery_date_of():
    assert delivery_date_of("2026-10-05.csv", "csv") == date(2026, 10, 5)
    assert delivery_date_of("2026-10-05.CSV", "csv") == date(2026, 10, 5)
    assert delivery_date_of("2026-10-05.csv", "xlsx") is None
    assert delivery_date_of("2026-13-05.csv", "csv") is None
    assert delivery_date_of("05-10-2026.csv", "csv") is None


def test_shared_example_inbox(shared_dir):
    inbox = discover_deliveries(
        shared_dir / "examples" / "inbox", load_catalog(), as_of=date(2026, 10, 5)
    )
    assert inbox.unrecognised == []
    assert [d.partner for d in inbox.deliveries] == [
        "bank",
        "domesta",
        "energie",
        "nazorg",
        "water",
        "zorg",
    ]
