"""Property-based tests (hypothesis) of every reader (issue 14, item 2).

Whatever bytes a partner sends, a reader returns a result in which every record of the file is
kept or rejected with a reason (``ReadResult`` checks rows in = records + rejected), or refuses
the file with a reason (``DeliveryUnreadable``); the address list is read or refused with an
``AddressListError``; the inbox places any file name or says why not. Nothing else is raised.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.catalog import load_catalog
from connectors.inbox import discover_deliveries
from connectors.readers import DeliveryUnreadable, read_delivery
from connectors.reference import AddressListError, read_reference
from tests.hostile.partners import HEADERS, csv_file, good_row, jsonl_file, xlsx_file

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CATALOG = load_catalog()
EXTENSION = {partner: spec.extension for partner, spec in CATALOG.partners.items()}
CSV_PARTNERS = ["domesta", "energie", "zorg", "nazorg"]


def _read(partner: str, content: bytes) -> None:
    """Read ``content`` as ``partner``'s delivery; only a reasoned refusal may be raised."""
    with tempfile.TemporaryDirectory() as directory:
        inbox = Path(directory)
        path = inbox / partner / f"2026-10-05.{EXTENSION[partner]}"
        path.parent.mkdir()
        path.write_bytes(content)
        try:
            result = read_delivery(path, CATALOG.get(partner), inbox)
        except DeliveryUnreadable as refused:
            assert refused.reason_code and refused.reason_en and refused.reason_nl
            return
        assert result.rows_in == len(result.records) + len(result.rejected)
        assert result.rejected["reason_code"].notna().all()
        assert result.records["source_row"].notna().all()


@FUZZ
@given(st.sampled_from(sorted(CATALOG.partners)), st.binary(max_size=600))
def test_any_bytes_are_read_or_refused(partner: str, content: bytes) -> None:
    _read(partner, content)


@FUZZ
@given(st.sampled_from(sorted(CATALOG.partners)), st.binary(min_size=1, max_size=200))
def test_a_good_file_with_bytes_spliced_in_is_read_or_refused(partner: str, noise: bytes) -> None:
    clean = {"water": xlsx_file(), "bank": jsonl_file()}.get(partner) or csv_file(partner)
    middle = len(clean) // 2
    _read(partner, clean[:middle] + noise + clean[middle:])


CELL_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)


@FUZZ
@given(
    st.sampled_from(CSV_PARTNERS),
    st.lists(st.lists(CELL_TEXT, min_size=0, max_size=14), max_size=8),
    st.booleans(),
)
def test_any_csv_rows_are_read_or_refused(partner: str, rows: list[list[str]], quote: bool):
    named = [dict(zip(HEADERS[partner], row, strict=False)) for row in rows]
    try:
        content = csv_file(partner, named, quote_all=quote)
    except UnicodeEncodeError:  # text Latin-1 cannot hold: the partner could not send it
        return
    _read(partner, content)


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@FUZZ
@given(
    st.lists(
        st.dictionaries(st.sampled_from([*HEADERS["bank"], "extra"]), JSON_VALUE, max_size=9).map(
            lambda fields: {**good_row("bank", 0), **fields}
        ),
        max_size=6,
    ),
    st.lists(JSON_VALUE, max_size=3),
)
def test_any_json_referrals_are_read_or_refused(rows: list[dict], others: list[object]) -> None:
    lines = [json.dumps(row) for row in rows] + [json.dumps(value) for value in others]
    _read("bank", ("\n".join(lines) + "\n").encode())


@FUZZ
@given(st.binary(max_size=400))
def test_any_address_list_is_read_or_refused(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "adressen.csv"
        path.write_bytes(b"postcode;huisnummer;toevoeging;wijkcode;wijknaam;buurtcode\n" + content)
        try:
            addresses = read_reference(path)
        except AddressListError as refused:
            assert path.name in str(refused)
            return
        assert not addresses.empty and not addresses.duplicated().any()


FILE_NAME = st.text(
    alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=["Cs"]),
    min_size=1,
    max_size=40,
).filter(lambda name: name not in (".", ".."))


@FUZZ
@given(st.sampled_from(["domesta", "Domesta", "onbekend", "bank"]), FILE_NAME)
def test_any_file_name_is_placed_or_named_with_why(folder: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        inbox = Path(directory)
        try:
            (inbox / folder).mkdir()
            (inbox / folder / name).write_bytes(b"x")
        except OSError:  # a name this file system refuses cannot be delivered either
            return
        found = discover_deliveries(inbox, CATALOG)
        placed = len(found.deliveries) + len(found.unplaced) + len(found.waiting)
        ignored = name in (".gitkeep", ".keep")
        assert placed == (0 if ignored else 1)
        for item in found.unplaced:
            assert item.reason_code and item.reason_en and item.reason_nl
