"""Numbers as people type them: a dot is a decimal point, a comma one where it cannot be a
thousands separator, and `1,234` asks which it is when the person writes decimal commas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import BOUNDS, MAX_TYPED, parse_amount
from core.refusal import BadArgument, Refusal

D = Decimal


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
    assert parse_amount(f"{value:f}", "amount") == value
    assert parse_amount(f"{value:,f}", "amount") == value


# ---- bounds: what each kind of number may be ------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "what", "code", "params"),
    [
        ("0", "quantity", "amount.not_positive", {}),
        ("0.000", "price", "amount.not_positive", {}),
        ("0.0000000000000000000000000001", "price", "amount.too_small", {"least": D("1e-12")}),
        ("0.0000000000001", "level", "amount.too_small", {"least": D("1e-12")}),
        ("0.0000000000000000001", "quantity", "amount.too_small", {"least": D("1e-18")}),
        ("1000000000000001", "quantity", "amount.too_big", {"most": D(10**15)}),
        ("1,000,000,000,001", "price", "amount.too_big", {"most": D(10**12)}),
        ("99999999999999999999", "fee", "amount.too_big", {"most": D(10**15)}),
        ("1000.5", "percentage", "amount.too_big", {"most": D(1000)}),
        ("100.01", "rsi_level", "amount.too_big", {"most": D(100)}),
        ("1.0000000000000000001", "quantity", "amount.too_precise", {"places": 18}),
        ("64000.1234567890123456789", "price", "amount.too_precise", {"places": 18}),
        ("2.00001", "percentage", "amount.too_precise", {"places": 4}),
        ("29.99999", "rsi_level", "amount.too_precise", {"places": 4}),
    ],
)
def test_each_kind_of_number_is_bounded(typed: str, what: str, code: str, params: dict) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_amount(typed, what)
    assert refused.value.code == code
    assert refused.value.params == {"what": what, **params}


@pytest.mark.parametrize(
    ("typed", "what"),
    [
        ("0.000000000001", "price"),  # the cheapest price that still shows a digit
        ("1000000000000", "price"),
        ("0.000000000000000001", "quantity"),  # one wei
        ("1000000000000000", "quantity"),
        ("0", "fee"),
        ("1.500000000000000000000", "quantity"),  # trailing zeros are no precision
        ("0", "percentage"),  # the alert grammar says why a 0% move is no alert
        ("1000", "percentage"),
        ("99.9999", "rsi_level"),
    ],
)
def test_the_edges_of_each_kind_are_taken(typed: str, what: str) -> None:
    assert parse_amount(typed, what) == D(typed)


@given(st.text(max_size=MAX_TYPED + 5), st.sampled_from(sorted(BOUNDS)), st.booleans())
def test_any_text_is_a_number_within_bounds_or_a_refusal(
    typed: str, what: str, decimal_comma: bool
) -> None:
    try:
        value = parse_amount(typed, what, decimal_comma=decimal_comma)
    except Refusal as refused:
        assert refused.code.startswith("amount.")
        return
    bounds = BOUNDS[what]
    assert value.is_finite() and bounds.least <= value <= bounds.most


@given(st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from(sorted(BOUNDS)))
def test_any_decimal_written_out_is_taken_exactly_or_refused(value: Decimal, what: str) -> None:
    try:
        read = parse_amount(f"{value:f}", what)
    except Refusal:
        return
    assert read == value
