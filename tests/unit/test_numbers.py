"""Numbers as people type them: a dot is a decimal point, a comma one where it cannot be a
thousands separator, and `1,234` asks which it is when the person writes decimal commas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import parse_amount
from core.refusal import BadArgument


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0.5", "0.5"),
        ("64000", "64000"),
        ("64,000.50", "64000.50"),
        ("1,234,567.89", "1234567.89"),
        (".5", ".5"),
        ("$70000", "70000"),
        ("0,5", "0.5"),
        ("1,25", "1.25"),
        ("1234,5", "1234.5"),
        (",5", "0.5"),
        ("0,00012345", "0.00012345"),
        ("1.234,56", "1234.56"),
        ("1.234.567", "1234567"),
        ("70 000", "70000"),
        ("70\u00a0000,5", "70000.5"),
        ("1.234", "1.234"),  # a dot is always a decimal point
    ],
)
def test_numbers_people_write_are_read(typed: str, value: str) -> None:
    assert parse_amount(typed, "quantity") == Decimal(value)
    assert parse_amount(typed, "quantity", decimal_comma=True) == Decimal(value)


def test_one_comma_group_is_thousands_in_english() -> None:
    assert parse_amount("1,234", "price") == Decimal(1234)
    assert parse_amount("64,000", "price") == Decimal(64000)


def test_one_comma_group_is_ambiguous_for_a_decimal_comma_writer() -> None:
    with pytest.raises(BadArgument) as refused:
        parse_amount("1,234", "price", decimal_comma=True)
    assert refused.value.code == "amount.ambiguous"
    assert refused.value.params["as_decimal"] == Decimal("1.234")
    assert refused.value.params["as_thousands"] == Decimal(1234)


@pytest.mark.parametrize(
    "typed", ["", "abc", "1e5", "-5", "1,2,3", "1..2", "0x10", "5%", "1,23,456", "NaN", "∞", "١٢"]
)
def test_what_is_not_a_number_is_refused_with_what_was_typed(typed: str) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_amount(typed, "fee")
    assert refused.value.code == "amount.not_a_number"
    assert refused.value.params == {"what": "fee", "typed": typed.strip()}


def test_absurdly_long_numbers_are_refused_before_any_arithmetic() -> None:
    with pytest.raises(BadArgument) as refused:
        parse_amount("9" * 5000, "quantity")
    assert refused.value.code == "amount.too_long"
    with pytest.raises(BadArgument):
        parse_amount("1" + "0" * 35, "quantity")


@given(st.decimals(min_value=0, max_value=10**12, places=8, allow_nan=False))
def test_a_plain_number_reads_back_as_itself(value: Decimal) -> None:
    assert parse_amount(f"{value:f}", "price") == value
    assert parse_amount(f"{value:,f}", "price") == value
