"""Inbox discovery: deliveries of known partners by date; everything else reported."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.catalog import load_catalog
from connectors.inbox import delivery_date_of, discover_deliveries, shown_name


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


def test_every_file_not_read_is_named_with_why(tmp_path):
    cases = {
        "woningstichting/2026-10-05.csv": "unknown_partner",
        "Domesta/2026-10-05.csv": "partner_folder_case",
        "domesta/2026-10-05 (1).csv": "copy_or_backup",
        "domesta/2026-10-05.csv.bak": "copy_or_backup",
        "domesta/2026-10-05.csv~": "copy_or_backup",
        "domesta/Kopie van 2026-10-05.csv": "copy_or_backup",
        "domesta/oktober/2026-10-05.csv": "folder_too_deep",
        "2026-10-05.csv": "not_in_partner_folder",
        "domesta/２０２６-10-05.csv": "odd_characters",  # other digits: no second spelling
        "domesta/2026-10-05\n[bold].csv": "odd_characters",
        "domesta/.2026-10-05.csv": "hidden_file",
        "domesta/2026-02-31.csv": "impossible_date",
        "domesta/2026-10-05.xlsx": "wrong_extension",
        "domesta/export oktober.csv": "name_not_a_date",
    }
    for relative in cases:
        _touch(tmp_path, relative)
    (tmp_path / "domesta" / "2026-10-04.csv").symlink_to("/etc/hostname")
    inbox = discover_deliveries(tmp_path, load_catalog(), as_of=date(2026, 10, 5))
    found = {item.file: item.reason_code for item in inbox.unplaced}
    expected = {shown_name(path): code for path, code in cases.items()}
    assert found == {**expected, "domesta/2026-10-04.csv": "link_outside_inbox"}
    assert inbox.deliveries == []
    assert all(item.reason_en and item.reason_nl for item in inbox.unplaced)
    # A name is shown on one line, whatever it holds.
    assert "domesta/2026-10-05\\n[bold].csv" in found


def test_a_pipe_is_not_read_and_future_files_wait(tmp_path):
    import os

    (tmp_path / "domesta").mkdir()
    os.mkfifo(tmp_path / "domesta" / "2026-10-05.csv")
    _touch(tmp_path, "bank/2026-10-12.jsonl")
    inbox = discover_deliveries(tmp_path, load_catalog(), as_of=date(2026, 10, 5))
    assert [(i.file, i.reason_code) for i in inbox.unplaced] == [
        ("domesta/2026-10-05.csv", "not_a_regular_file")
    ]
    assert [(i.file, i.reason_code) for i in inbox.waiting] == [
        ("bank/2026-10-12.jsonl", "dated_after_night")
    ]


def test_the_canonical_spelling_of_one_delivery_comes_first(tmp_path):
    _touch(tmp_path, "water/2026-10-05.XLSX")
    _touch(tmp_path, "water/2026-10-05.xlsx")
    inbox = discover_deliveries(tmp_path, load_catalog())
    assert [d.source_file for d in inbox.deliveries] == [
        "water/2026-10-05.xlsx",
        "water/2026-10-05.XLSX",
    ]


def test_the_night_summary_names_unplaced_files_as_code_never_as_markup(tmp_path):
    from flows.report import NightReport

    _touch(tmp_path, "domesta/[klik](javascript:alert) `x`.csv")
    inbox = discover_deliveries(tmp_path, load_catalog())
    report = NightReport(as_of="2026-10-05", unrecognised_files=inbox.unplaced)
    markdown = report.to_markdown()
    assert "Niet gelezen bestanden in de inbox: 1" in markdown
    assert "- `domesta/[klik](javascript:alert) 'x'.csv`: de naam bevat" in markdown
    twice = NightReport(as_of="x")
    twice.merge(report)
    twice.merge(report)
    assert len(twice.unrecognised_files) == 1  # each night names what still lies there
