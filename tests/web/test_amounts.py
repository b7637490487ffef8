"""The correction form re-spells an amount a steward types into the partner's own format."""

from __future__ import annotations

import pytest

from webapp.amounts import AmbiguousAmountError, respell_amount


@pytest.mark.parametrize(
    ("typed", "dot", "comma"),
    [
        ("1.234,56", "1234.56", "1234,56"),
        ("1234,56", "1234.56", "1234,56"),
        ("1234.56", "1234.56", "1234,56"),
        ("€ 1.234.567,5", "1234567.5", "1234567,5"),
        ("1 234,56", "1234.56", "1234,56"),
        ("-12,50", "-12.50", "-12,50"),
        ("300", "300", "300"),
        ("1.234.567", "1234567", "1234567"),
    ],
)
def test_a_dutch_or_plain_amount_is_respelled(typed: str, dot: str, comma: str) -> None:
    assert respell_amount(typed, ".") == dot
    assert respell_amount(typed, ",") == comma


@pytest.mark.parametrize("typed", ["", "abc", "12,34,56", "1,2x"])
def test_text_that_is_no_amount_is_left_to_validation(typed: str) -> None:
    assert respell_amount(typed, ".") == typed


@pytest.mark.parametrize("typed", ["1.234", "12,345"])
def test_one_separator_before_three_digits_is_asked_again(typed: str) -> None:
    with pytest.raises(AmbiguousAmountError):
        respell_amount(typed, ".")
