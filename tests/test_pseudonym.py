"""Household and person keys: keyed, deterministic, one key for all spellings of an address."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from signals.address import normalise_address
from signals.pseudonym import household_key, keyed_hash, person_key

KEY = b"test-key-of-some-length"


def keys_of(postcodes: list[object], numbers: list[object], suffixes: list[object]) -> list[str]:
    addresses = normalise_address(
        pd.Series(postcodes, dtype="object"),
        pd.Series(numbers, dtype="object"),
        pd.Series(suffixes, dtype="object"),
    )
    return household_key(addresses, KEY).tolist()


def test_keyed_hash_is_hmac_sha256_hex() -> None:
    expected = hmac.new(KEY, b"7901AB|12|A", hashlib.sha256).hexdigest()
    assert keyed_hash("7901AB|12|A", KEY) == expected


def test_spellings_of_one_address_give_one_household_key() -> None:
    keys = keys_of(
        ["7901AB", "7901 AB", "7901ab", "7901 ab", "7901AB", "7901AB"],
        ["12a", "12 A", "12-A", 12, "12", "12a"],
        [None, "", None, "a", "A", "a"],
    )
    assert len(set(keys)) == 1


def test_different_addresses_and_keys_differ() -> None:
    keys = keys_of(["7901AB", "7901AB", "7901AC", "7901AB"], [12, 12, 12, 1], ["A", "", "A", "2A"])
    assert len(set(keys)) == 4
    addresses = normalise_address(pd.Series(["7901AB"]), pd.Series([12]), pd.Series([""]))
    assert household_key(addresses, KEY).iloc[0] != household_key(addresses, b"other").iloc[0]


def test_incomplete_address_and_missing_bsn_give_no_key() -> None:
    assert pd.isna(keys_of([None], [12], [""])[0])
    keys = person_key(pd.Series(["111222333", None, ""], dtype="string"), KEY)
    assert keys.iloc[0] == keyed_hash("bsn:111222333", KEY)
    assert keys.iloc[1:].isna().all()


postcodes = st.builds(
    lambda digits, letters: f"{digits}{letters}",
    st.integers(1000, 9999).map(str),
    st.text("ABCDEFGHJKLMNPRTUVWXYZ", min_size=2, max_size=2),
)
suffixes = st.text("ABCDEFGHXYZ0123456789", min_size=0, max_size=3)


def spell_postcode(postcode: str, space: bool, lower: bool) -> str:
    text = f"{postcode[:4]} {postcode[4:]}" if space else postcode
    return text.lower() if lower else text


@settings(max_examples=60, deadline=None)
@given(
    postcode=postcodes,
    number=st.integers(1, 99999),
    suffix=suffixes,
    style=st.sampled_from(["separate", "glued", "space", "dash"]),
    space=st.booleans(),
    lower=st.booleans(),
)
def test_all_spellings_give_the_same_key_and_normalisation_is_idempotent(
    postcode: str, number: int, suffix: str, style: str, space: bool, lower: bool
) -> None:
    # "12" + "3" glued is house number 123: digits can only be glued on after a separator.
    assume(not (style == "glued" and suffix[:1].isdigit()))
    canonical = normalise_address(pd.Series([postcode]), pd.Series([number]), pd.Series([suffix]))
    written_suffix = suffix.lower() if lower else suffix
    if style == "separate" or not suffix:
        house, extra = str(number), written_suffix
    else:
        glue = {"glued": "", "space": " ", "dash": "-"}[style]
        house, extra = f"{number}{glue}{written_suffix}", ""
    spelled = normalise_address(
        pd.Series([spell_postcode(postcode, space, lower)]), pd.Series([house]), pd.Series([extra])
    )
    again = normalise_address(spelled["postcode"], spelled["huisnummer"], spelled["toevoeging"])
    pd.testing.assert_frame_equal(again, spelled)
    assert household_key(spelled, KEY).iloc[0] == household_key(canonical, KEY).iloc[0]
