"""Privacy by purpose (issue 9): one key per purpose, key rotation with nothing lost."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from connectors.database.engine import session_scope
from connectors.database.keys import rotate_vault_tokens
from connectors.database.models import ContactVault as VaultRow
from connectors.database.models import Quarantine
from connectors.settings import Settings, SettingsError
from connectors.vault import ContactVault, VaultError
from tests.test_database import make_quarantine, make_signals, record


def test_the_raw_row_key_cannot_open_addresses() -> None:
    contacts, raw = ContactVault(Fernet.generate_key()), ContactVault(Fernet.generate_key())
    token = contacts.seal({"postcode": "7906KL", "huisnummer": 16, "toevoeging": "B"})
    with pytest.raises(VaultError):
        raw.open(token)


def test_one_key_for_two_purposes_is_refused() -> None:
    key = Fernet.generate_key().decode()
    settings = Settings(pseudonym_key="p" * 32, vault_key=key, raw_key=key, demo=False)
    with pytest.raises(SettingsError, match="each purpose its own key"):
        settings.raw_key_bytes()


def test_a_demo_key_among_several_is_refused_outside_the_demo() -> None:
    from connectors.settings import DEMO_VAULT_KEY

    settings = Settings(
        pseudonym_key="p" * 32, vault_key=f"{Fernet.generate_key().decode()},{DEMO_VAULT_KEY}"
    )
    with pytest.raises(SettingsError, match="demo key"):
        settings.vault_key_bytes()


def test_rotation_reseals_everything_and_loses_nothing(db_engine) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    old_raw, new_raw = Fernet.generate_key(), Fernet.generate_key()
    before = ContactVault(old)
    signals = make_signals(5)
    addresses = [{"postcode": f"790{i}AB", "huisnummer": i + 1, "toevoeging": ""} for i in range(5)]
    keys = signals["household_key"].drop_duplicates().tolist()
    tokens = pd.DataFrame(
        {"household_key": keys, "token": [before.seal(a) for a in addresses[: len(keys)]]}
    )
    quarantine = make_quarantine(2)
    quarantine["raw_token"] = [ContactVault(old_raw).seal({"raw": f"rij {i}"}) for i in range(2)]
    from connectors.database import repository as repo

    repo.store_delivery(db_engine, record(signals, quarantine), signals, quarantine, tokens)

    during, during_raw = ContactVault([new, old]), ContactVault([new_raw, old_raw])
    with session_scope(db_engine) as session:
        counts = rotate_vault_tokens(session, during, during_raw, actor="beheerder")
    assert counts == {"addresses": len(keys), "raw_rows": 2}

    after, after_raw = ContactVault(new), ContactVault(new_raw)  # the old keys are gone now
    with session_scope(db_engine) as session:
        opened = sorted(
            (after.open(t)["postcode"] for t in session.scalars(sa.select(VaultRow.address_token))),
        )
        raw_rows = sorted(
            after_raw.open(t)["raw"] for t in session.scalars(sa.select(Quarantine.raw_token))
        )
    assert opened == sorted(a["postcode"] for a in addresses[: len(keys)])
    assert raw_rows == ["rij 0", "rij 1"]
    with pytest.raises(VaultError):  # a token under the new key is nothing to the old key
        ContactVault(old).open(ContactVault([new]).seal({"x": 1}))
