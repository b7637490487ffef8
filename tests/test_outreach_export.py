"""The nightly export of the teams' task lists, with the database calls replaced."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from cryptography.fernet import Fernet
from openpyxl import load_workbook

from connectors.exports import columns as col
from connectors.exports import outreach
from connectors.vault import ContactVault
from tests.test_task_list_export import AS_OF, make_addresses, make_tasks


def test_sealed_addresses_are_read_in_batches_and_every_list_is_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = ContactVault(Fernet.generate_key())
    sealed = vault.seal_contacts(make_addresses()).rename(columns={"sealed_address": "token"})
    batches: list[list[str]] = []
    audits: list[dict[str, object]] = []

    @contextlib.contextmanager
    def no_session(engine: object) -> Iterator[None]:
        yield None

    def load_vault_tokens(session: object, keys: list[str]) -> pd.DataFrame:
        batches.append(list(keys))
        return sealed[sealed["household_key"].isin(keys)]

    monkeypatch.setattr(outreach, "session_scope", no_session)
    monkeypatch.setattr(outreach.repo, "load_tasks", lambda *a, **k: make_tasks())
    monkeypatch.setattr(outreach.repo, "load_vault_tokens", load_vault_tokens)
    monkeypatch.setattr(outreach.repo, "audit", lambda *args: audits.append(args[-1]))
    monkeypatch.setattr(outreach, "KEY_BATCH", 2)

    paths = outreach.export_team_task_lists(None, vault, tmp_path, AS_OF)  # type: ignore[arg-type]

    assert [len(batch) for batch in batches] == [2, 1]  # h1, h2, h3 in batches of two
    assert sorted(key for batch in batches for key in batch) == ["h1", "h2", "h3"]
    noord = load_workbook(next(p for p in paths if p.name == "takenlijst_noord_2026-11-16.xlsx"))
    postcodes = [row[0].value for row in noord["Taken"].iter_rows(min_row=2, min_col=15)]
    assert postcodes == ["7906 KL", "7908 RT"]
    assert [audit["addresses"] for audit in audits] == [1, 2]  # Jongeren & Co, Noord
    assert noord["Taken"]["O1"].value == col.POSTCODE
