"""The contact vault and the Data Docs built from validation results."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from cryptography.fernet import Fernet

from connectors.data_docs import UnsafeResultsError, build_data_docs
from connectors.settings import get_settings
from connectors.vault import ContactVault, VaultError
from signals.schema import SIGNAL_SCHEMA, conform
from signals.validation import DeliveryRules, validate_delivery
from signals.validation.expectations import SuiteParameters, add_check_columns, partner_signal_suite
from signals.validation.runner import ValidationOutcome, run_suite_complete

KEY = Fernet.generate_key()
ADDRESS = {"postcode": "7901AB", "huisnummer": 12, "toevoeging": "A"}


def test_seal_and_open_round_trip_without_plain_text() -> None:
    vault = ContactVault(KEY)
    token = vault.seal({**ADDRESS, "raw": '{"BSN": "111222333"}', "missing": pd.NA})
    assert b"7901AB" not in token and b"111222333" not in token
    assert vault.open(token) == {**ADDRESS, "raw": '{"BSN": "111222333"}', "missing": None}


def test_numpy_values_are_sealed_as_plain_numbers() -> None:
    vault = ContactVault(KEY)
    frame = pd.DataFrame([ADDRESS]).astype({"huisnummer": "Int64"})
    row = {str(name): value for name, value in frame.iloc[0].items()}
    assert vault.open(vault.seal(row))["huisnummer"] == 12


def test_wrong_key_cannot_open() -> None:
    token = ContactVault(KEY).seal(ADDRESS)
    with pytest.raises(VaultError) as error:
        ContactVault(Fernet.generate_key()).open(token)
    assert "7901" not in str(error.value)
    with pytest.raises(VaultError):
        ContactVault(b"not a key")


def test_demo_vault_key_from_settings_works() -> None:
    key = get_settings(demo=True).vault_key_bytes()
    vault = ContactVault(key)
    assert vault.open(vault.seal(ADDRESS)) == ADDRESS


def vault_rows(vault: ContactVault) -> pd.DataFrame:
    contacts = pd.DataFrame(
        {
            "household_key": ["h1", "h2", "h3"],
            "postcode": ["7901AB", "7902CD", "7903EF"],
            "huisnummer": [12, 3, 7],
            "toevoeging": ["A", "", ""],
        }
    )
    return vault.seal_contacts(contacts)


TASKS = pd.DataFrame({"household_key": ["h1", "h2", "h3"], "team": ["noord", "noord", "zuid"]})


def test_outreach_worker_sees_only_own_team_addresses() -> None:
    vault = ContactVault(KEY)
    shown = vault.reveal_addresses(vault_rows(vault), "outreach", "noord", TASKS)
    assert shown["household_key"].tolist() == ["h1", "h2"]
    assert shown.iloc[0][["postcode", "huisnummer", "toevoeging"]].tolist() == ["7901AB", 12, "A"]
    assert vault.reveal_addresses(vault_rows(vault), "outreach", "oost", TASKS).empty


def test_reveal_opens_tokens_of_an_older_key_and_refuses_foreign_ones() -> None:
    old = ContactVault(KEY)
    rows = vault_rows(old)
    rows.loc[1, "sealed_address"] = old.seal({"postcode": "7902CD", "huisnummer": None})
    rotated = ContactVault([Fernet.generate_key(), KEY])  # new key first, the old one opens
    shown = rotated.reveal_addresses(rows, "outreach", "noord", TASKS)
    assert shown["postcode"].tolist() == ["7901AB", "7902CD"]
    assert shown["huisnummer"].isna().tolist() == [False, True]
    assert shown["toevoeging"].isna().tolist() == [False, True]  # not in that record
    with pytest.raises(VaultError) as error:
        ContactVault(Fernet.generate_key()).reveal_addresses(rows, "outreach", "noord", TASKS)
    assert "7901" not in str(error.value)


@pytest.mark.parametrize("role", ["analyst", "admin", ""])
def test_other_roles_may_not_see_addresses(role: str) -> None:
    vault = ContactVault(KEY)
    with pytest.raises(PermissionError) as error:
        vault.reveal_addresses(vault_rows(vault), role, "noord", TASKS)
    assert "7901" not in str(error.value)


def test_data_docs_index_mentions_the_suite_and_no_values(tmp_path: Path) -> None:
    records = pd.DataFrame(
        {
            "partner": ["domesta", "domesta"],
            "delivery_date": [pd.Timestamp("2026-10-05")] * 2,
            "partner_type": ["Huur", "Huur"],
            "signal_id": ["S1", "S2"],
            "postcode": ["7946QX", "7901SA"],
            "huisnummer": [4817, 12],
            "toevoeging": ["", ""],
            "bsn": ["111222334", None],
            "amount": [100.0, 200.0],
            "signal_date": [pd.Timestamp("2026-10-01")] * 2,
        }
    )
    rules = DeliveryRules(
        partner="domesta", partner_type="Huur", kind="signal", delivery_date=date(2026, 10, 5)
    )
    outcome = validate_delivery(conform(records, SIGNAL_SCHEMA), rules, None)
    index = build_data_docs(outcome.results, tmp_path / "docs")
    assert index.name == "index.html" and index.is_file()
    assert "signals.domesta" in index.read_text()
    site = "".join(page.read_text() for page in index.parent.rglob("*.html"))
    for value in ("7946QX", "7901SA", "4817", "111222334"):
        assert value not in site


def test_data_docs_refuse_results_with_values(tmp_path: Path) -> None:
    records = conform(
        pd.DataFrame({"signal_id": ["S1"], "postcode": ["0000AA"], "partner_type": ["Huur"]}),
        SIGNAL_SCHEMA,
    )
    params = SuiteParameters(
        name="signals.test",
        kind="signal",
        delivery_date=pd.Timestamp("2026-10-05"),
        max_plausible_amount=1000.0,
    )
    complete = run_suite_complete(add_check_columns(records, params), partner_signal_suite(params))
    with pytest.raises(UnsafeResultsError):
        build_data_docs([complete], tmp_path)


def test_the_data_docs_index_reads_offline(tmp_path: Path) -> None:
    """GX's index builds its list with JavaScript from CDNs; ours is static and links every
    validation page (which GX renders in full)."""
    outcome = _one_signal_validated()
    index = build_data_docs(outcome.results, tmp_path / "docs", "2026-10-05")
    text = index.read_text(encoding="utf-8")
    assert "<script" not in text and "http" not in text
    links = re.findall(r'href="(validations/[^"]+)"', text)
    assert links and all((index.parent / link).is_file() for link in links)
    assert "signals.domesta" in text and "2026-10-05" in text


def test_a_later_night_renders_only_its_own_pages(tmp_path: Path) -> None:
    """Each night adds its pages to the site; earlier pages are kept, not rendered again (a
    full rebuild would render the whole history every night), and the index lists all."""
    outcome = _one_signal_validated()
    first = build_data_docs(outcome.results, tmp_path / "docs", "2026-10-05")
    pages = sorted((first.parent / "validations").rglob("*.html"))
    written = {page: page.stat().st_mtime_ns for page in pages}
    second = build_data_docs(outcome.results, tmp_path / "docs", "2026-10-06")
    assert second == first
    assert {page: page.stat().st_mtime_ns for page in pages} == written
    new_pages = sorted(set((first.parent / "validations").rglob("*.html")) - set(pages))
    assert len(new_pages) == len(pages) == len(outcome.results)
    text = second.read_text(encoding="utf-8")
    assert "2026-10-05" in text and "2026-10-06" in text
    assert len(re.findall(r'href="validations/', text)) == 2 * len(pages)


def _one_signal_validated() -> ValidationOutcome:
    """The validation of a one-row Domesta delivery (its results feed the Data Docs)."""
    records = conform(
        pd.DataFrame(
            {
                "partner": ["domesta"],
                "delivery_date": [pd.Timestamp("2026-10-05")],
                "partner_type": ["Huur"],
                "signal_id": ["S1"],
                "postcode": ["7946QX"],
                "huisnummer": [4817],
                "toevoeging": [""],
                "amount": [100.0],
                "signal_date": [pd.Timestamp("2026-10-01")],
            }
        ),
        SIGNAL_SCHEMA,
    )
    rules = DeliveryRules(
        partner="domesta", partner_type="Huur", kind="signal", delivery_date=date(2026, 10, 5)
    )
    return validate_delivery(records, rules, None)
