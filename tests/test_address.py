"""Address normalisation: one spelling per address, idempotent."""

from __future__ import annotations

import pandas as pd
import pytest

from signals.address import (
    house_number_failed,
    normalise_address,
    normalise_postcode,
    normalise_suffix,
    split_house_number,
)


def _address(postcodes, numbers, suffixes) -> pd.DataFrame:
    return normalise_address(
        pd.Series(postcodes, dtype=object),
        pd.Series(numbers, dtype=object),
        pd.Series(suffixes, dtype=object),
    )


@pytest.mark.parametrize("spelling", ["12a", "12 A", "12-A", "12 -a", " 12A ", "12/a", "12.a"])
def test_embedded_suffix_spellings_split_to_the_same_number_and_suffix(spelling):
    assert split_house_number(spelling) == (12, "A")


def test_house_number_without_suffix_and_empty():
    assert split_house_number("0012") == (12, "")
    assert split_house_number(14) == (14, "")
    assert split_house_number(14.0) == (14, "")  # an Excel number cell
    assert split_house_number("") == (None, "")
    assert split_house_number(None) == (None, "")


@pytest.mark.parametrize("bad", ["a12", "twaalf", "-", "99999999999999999999999"])
def test_house_number_that_is_not_an_integer_raises_without_quoting_it(bad):
    with pytest.raises(ValueError) as error:
        split_house_number(bad)
    assert bad not in str(error.value)


def test_postcode_spellings_normalise_to_one_form():
    result = normalise_postcode(pd.Series(["7901ab", "7901 AB", " 7901\tab ", "", None]))
    assert result.tolist()[:3] == ["7901AB"] * 3
    assert result.isna().tolist() == [False, False, False, True, True]
    assert str(result.dtype) == "string"


def test_invalid_postcode_passes_through_normalised_for_validation():
    assert normalise_postcode(pd.Series(["0123 sa"])).tolist() == ["0123SA"]


def test_suffix_normalisation():
    result = normalise_suffix(pd.Series(["a", "-A", " b 2 ", None, "", "h.s."]))
    assert result.tolist() == ["A", "A", "B2", "", "", "HS"]


def test_suffix_spellings_give_one_normalised_address():
    result = _address(
        ["7906kl", "7906 KL", "7906KL", "7906 kl", "7906KL"],
        ["16b", "16 B", "16-B", "16", 16],
        ["", None, "", "b", "B"],
    )
    assert result.drop_duplicates().to_dict("records") == [
        {"postcode": "7906KL", "huisnummer": 16, "toevoeging": "B"}
    ]


def test_different_addresses_stay_different():
    result = _address(["7906KL"] * 5, ["16", "16", "16", "161", "16"], ["", "B", "1", "", "B1"])
    assert not result.duplicated().any()


def test_embedded_and_separate_suffix_are_combined_once():
    result = _address(["7906KL", "7906KL"], ["16a", "16a"], ["a", "2"])
    assert result["toevoeging"].tolist() == ["A", "A2"]


def test_normalise_address_is_idempotent():
    first = _address(
        ["7906 kl", "7901ab", None, "x y"],
        ["16 -b", "3", "bad", ""],
        [None, "bis", "A", "-"],
    )
    second = normalise_address(first["postcode"], first["huisnummer"], first["toevoeging"])
    pd.testing.assert_frame_equal(first, second)
    assert [str(t) for t in first.dtypes] == ["string", "Int64", "string"]


def test_failed_house_numbers_are_masked_and_become_missing():
    numbers = pd.Series(["12", "x12", "", None, "12-A"], dtype=object)
    assert house_number_failed(numbers).tolist() == [False, True, False, False, False]
    result = _address(["7906KL"] * 5, numbers.tolist(), [""] * 5)
    assert result["huisnummer"].isna().tolist() == [False, True, True, True, False]
