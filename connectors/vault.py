"""Vaults: addresses and raw rows, encrypted with Fernet (AES-128-CBC + HMAC).

One vault per purpose, each under its own key: the contact vault (``VS_VAULT_KEY``) holds
addresses for outreach, the raw-row vault (``VS_RAW_KEY``) the raw records of quarantined rows
for the data steward. A component that may open addresses therefore cannot open raw rows.

Each key setting may list several keys, comma-separated: the first seals, all of them open
(``MultiFernet``), so a new key can be introduced and old tokens re-sealed (``rotate``) without
losing anything. Only outreach roles may open addresses, and only for households of their own
team's tasks. Storage of the ciphertext is the database layer's business.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

#: Roles that contact residents and therefore may see where they live.
OUTREACH_ROLES: frozenset[str] = frozenset({"outreach", "outreach_lead"})

ADDRESS_FIELDS: tuple[str, ...] = ("postcode", "huisnummer", "toevoeging")
_ADDRESS_DTYPES = {
    "household_key": "string",
    "postcode": "string",
    "huisnummer": "Int64",
    "toevoeging": "string",
}


class VaultError(RuntimeError):
    """A vault token could not be opened (wrong key or tampered); says nothing of the content."""


def split_keys(keys: bytes | str | Sequence[bytes | str]) -> list[bytes]:
    """``b"k1,k2"`` or ``[k1, k2]`` -> ``[k1, k2]`` (the first one seals)."""
    if isinstance(keys, bytes | str):
        raw = keys.encode() if isinstance(keys, str) else keys
        parts = [part.strip() for part in raw.split(b",")]
    else:
        parts = [k.encode() if isinstance(k, str) else k for k in keys]
    found = [part for part in parts if part]
    if not found:
        raise VaultError("no vault key given")
    return found


class ContactVault:
    """Seal and open JSON-serialisable records; the first key seals, every key opens."""

    def __init__(self, keys: bytes | str | Sequence[bytes | str]) -> None:
        try:
            fernets = [Fernet(key) for key in split_keys(keys)]
        except (ValueError, TypeError) as error:
            raise VaultError("a vault key is not a valid Fernet key") from error
        self._fernet = MultiFernet(fernets)
        # With one key, its own decrypt (MultiFernet's loop costs ~10% per token).
        self._decrypt = fernets[0].decrypt if len(fernets) == 1 else self._fernet.decrypt

    def rotate(self, token: bytes) -> bytes:
        """The same record sealed under the current (first) key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken as error:
            raise VaultError("a vault token could not be opened with these keys") from error

    def seal(self, record: Mapping[str, Any]) -> bytes:
        """Encrypt one record (values must be JSON-serialisable; NA becomes null)."""
        clean = {name: _plain(value) for name, value in record.items()}
        return self._fernet.encrypt(json.dumps(clean, sort_keys=True, default=str).encode())

    def open(self, token: bytes) -> dict[str, Any]:
        """Decrypt one token back to its record."""
        try:
            plain = self._fernet.decrypt(token)
        except InvalidToken as error:
            raise VaultError("a vault token could not be opened with these keys") from error
        record: dict[str, Any] = json.loads(plain)
        return record

    def seal_contacts(self, contacts: pd.DataFrame) -> pd.DataFrame:
        """One sealed address per household: columns ``household_key``, ``sealed_address``.

        One Fernet token per household (outreach opens only its own team's households), built
        from column lists rather than row objects.
        """
        unique = contacts.drop_duplicates("household_key")
        # The record ``seal`` would build, from plain column values (NA as None).
        columns = [
            unique[name].astype(object).where(unique[name].notna(), None).tolist()
            for name in ADDRESS_FIELDS
        ]
        encrypt, dumps = self._fernet.encrypt, json.JSONEncoder(sort_keys=True, default=str).encode
        tokens = [
            encrypt(dumps(dict(zip(ADDRESS_FIELDS, values, strict=True))).encode())
            for values in zip(*columns, strict=True)
        ]
        return pd.DataFrame(
            {
                "household_key": unique["household_key"].to_numpy(),
                "sealed_address": pd.Series(tokens, dtype=object).to_numpy(),
            },
            columns=["household_key", "sealed_address"],
        )

    def reveal_addresses(
        self, vault_rows: pd.DataFrame, role: str, user_team: str, tasks: pd.DataFrame
    ) -> pd.DataFrame:
        """Addresses of the households in ``user_team``'s tasks, for outreach roles only.

        ``vault_rows`` has ``household_key`` and ``sealed_address`` (e.g. the whole vault);
        ``tasks`` has ``household_key`` and ``team`` (``TASK_SCHEMA``). Only rows of households
        with a task of the user's own team are opened; the rest stay sealed and are left out.
        Returns ``household_key`` + postcode, huisnummer, toevoeging.
        Raises ``PermissionError`` when the role may not see addresses.
        """
        if role not in OUTREACH_ROLES:
            raise PermissionError(f"role '{role}' may not see addresses")
        own = _keys(tasks.loc[tasks["team"] == user_team, "household_key"].dropna())
        # Arrow's is_in: pandas' isin on these string columns is ~100x slower (object path).
        allowed = vault_rows[
            pc.is_in(_keys(vault_rows["household_key"]), value_set=own).to_numpy(
                zero_copy_only=False
            )
        ]
        # One decryption per household (each is sealed on its own); the rest is per column:
        # the plain records are parsed as one JSON array rather than one by one.
        decrypt = self._decrypt
        try:
            plain = [decrypt(token) for token in allowed["sealed_address"].tolist()]
        except InvalidToken as error:
            raise VaultError("a vault token could not be opened with these keys") from error
        records = json.loads(b"[" + b",".join(plain) + b"]")
        frame = pd.DataFrame.from_records(records, columns=list(ADDRESS_FIELDS))
        frame.insert(0, "household_key", allowed["household_key"].to_numpy())
        return frame.astype(_ADDRESS_DTYPES).reset_index(drop=True)


def _keys(column: pd.Series) -> pa.Array:
    """Household keys as one Arrow string array."""
    keys = pa.array(column.astype("string[pyarrow]").array)
    return keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys


def _plain(value: object) -> object:
    """A JSON-friendly value: NA to None, numpy scalars to Python ones."""
    if value is None or (not isinstance(value, list | dict | tuple) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


#: The raw-row vault has the same mechanics under its own key.
RawRowVault = ContactVault
