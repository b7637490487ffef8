"""Pseudonymous keys: HMAC-SHA256 of the normalised address (household) or the BSN (person).

The key is a secret held by the municipality (``Settings.pseudonym_key_bytes``); without it a
key cannot be recomputed from an address, so analysts can work on keys alone.
"""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from signals.schema import STRING

ADDRESS_PARTS: tuple[str, ...] = ("postcode", "huisnummer", "toevoeging")


def keyed_hash(text: str, key: bytes) -> str:
    """HMAC-SHA256 of ``text`` (UTF-8) under ``key``, as 64 lowercase hex characters."""
    if not key:
        raise ValueError("the pseudonym key is empty")
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _hash_series(texts: pd.Series, key: bytes) -> pd.Series:
    """:func:`keyed_hash` of every text, computed once per distinct text (NA stays NA)."""
    if not key:
        raise ValueError("the pseudonym key is empty")
    codes, uniques = pd.factorize(texts.astype("string"), use_na_sentinel=True)
    # hmac.digest is the one-shot C path of hmac.new(...).hexdigest(): the same value.
    hashed = [hmac.digest(key, str(text).encode("utf-8"), "sha256").hex() for text in uniques]
    distinct = pd.array(hashed, dtype=STRING)  # type: ignore[call-overload]
    mapped = pd.api.extensions.take(distinct, codes, allow_fill=True)
    return pd.Series(mapped, index=texts.index, dtype=STRING)


def address_key_text(addresses: pd.DataFrame) -> pd.Series:
    """The text a household key is computed from: ``"7901AB|12|A"``; NA without postcode/number.

    ``addresses`` must hold the *normalised* parts (``signals.address.normalise_address``), so
    that every spelling of one address gives one text.
    """
    missing = [part for part in ADDRESS_PARTS if part not in addresses.columns]
    if missing:
        raise ValueError(f"address parts missing: {', '.join(missing)}")
    postcode = addresses["postcode"].astype("string")
    number = addresses["huisnummer"].astype("Int64").astype("string")
    suffix = addresses["toevoeging"].astype("string").fillna("")
    text = postcode + "|" + number + "|" + suffix
    return text.mask(postcode.isna() | number.isna()).astype("string")


def household_key(addresses: pd.DataFrame, key: bytes) -> pd.Series:
    """Household key per row of normalised address parts (hex string, NA when incomplete)."""
    return _hash_series(address_key_text(addresses), key)


def person_key(bsns: pd.Series, key: bytes) -> pd.Series:
    """Person key per BSN (hex string, NA where no BSN was sent).

    A ``"bsn:"`` prefix keeps person keys apart from household keys under the same secret.
    """
    text = bsns.astype("string").str.strip()
    text = text.mask(text.str.len() == 0)
    return _hash_series("bsn:" + text, key)
