"""Button data is read by one codec: what Pythia sends reads back as itself, anything else —
forged, oversized, out of range, empty — reads as nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import (
    MAX_DATA,
    AlertAction,
    AlertChart,
    AlertsPage,
    ConfirmButton,
    CostBasisChoice,
    FlowButton,
    LanguageChoice,
    RefreshPrices,
    TradesPage,
    decode,
    encode,
    matches,
)

SENT = [
    AlertAction("pause", 42),
    AlertChart("BTC"),
    AlertsPage(123456789, 3),
    FlowButton(7, "coin", "BTC"),
    FlowButton(7, "go", "> 71400"),
    FlowButton(7, "cancel"),
    TradesPage(5, 0, None),
    TradesPage(5, 2, "ETH"),
    ConfirmButton("abcDEF123_-xyz78", "y"),
    CostBasisChoice("average", 9),
    LanguageChoice("ru", 9),
    RefreshPrices(99),
]


@pytest.mark.parametrize("button", SENT, ids=lambda b: encode(b))
def test_what_pythia_sends_reads_back_as_itself(button: object) -> None:
    assert decode(encode(button)) == button


def test_layouts_are_those_already_in_peoples_chats() -> None:
    assert encode(AlertAction("delete", 17)) == "alert:delete:17"
    assert encode(AlertChart("SOL")) == "alertchart:SOL"
    assert encode(AlertsPage(1, 0)) == "alerts:1:0"
    assert encode(TradesPage(5, 1, None)) == "trades:5:1"
    assert decode("trades:5:1:") == TradesPage(5, 1, None)
    assert encode(FlowButton(3, "cancel")) == "alertflow:3:cancel"


@pytest.mark.parametrize(
    "data",
    [
        "",
        ":",
        "alert",
        "alert:pause",
        "alert:pause:",
        "alert:explode:1",
        "alert:pause:" + "9" * 5000,
        "alert:pause:999999999999999999999999999999",
        "alert:pause:-1",
        "alert:pause:1:extra",
        "alerts:1:99999999",
        "alertchart:btc",
        "alertchart:" + "A" * 16,
        "trades:1:0:not a coin",
        "trade:short:y",
        "trade:abcDEF123_-xyz78:maybe",
        "lang:de:1",
        "nosuchprefix:1",
        "x" * (MAX_DATA + 1),
        "alertflow:1:go:a;b",
        "alertflow:1:go:" + "x" * 41,
        "trades:5:99999999999999999999:",
        "trades:5:" + "9" * 5000 + ":",
        "alert:pause:1:" + "9" * 30,
        "alert:pause:١٢",  # Arabic-Indic digits: a number to `int`, not to Telegram ids
        "alert:pause:007",
        "alerts:1:-0",
        "alert:pause:12\n",
        "alert:pause:\ud800",  # a lone surrogate: no UTF-8 carries it
        "prices:" + str(2**53 + 1),
        "trade:abcDEF123_-xyz78:y:١",
        "alertchart:BTC:",
        " alert:pause:1",
    ],
)
def test_forged_or_broken_data_reads_as_nothing(data: str) -> None:
    assert decode(data) is None


def test_data_that_is_not_text_reads_as_nothing() -> None:
    assert decode(None) is None
    assert decode(b"alert:pause:1") is None
    assert decode(12) is None


def test_a_button_that_would_not_fit_is_refused_when_sent() -> None:
    with pytest.raises(ValueError):
        encode(AlertAction("pause", -5))
    with pytest.raises(ValueError):
        encode(AlertChart("not a symbol"))


def test_handlers_are_routed_by_type() -> None:
    pattern = matches(AlertAction)
    assert pattern("alert:resume:5")
    assert not pattern("alertchart:BTC")
    assert not pattern("alert:resume:x")


@given(st.text(max_size=80))
def test_no_text_makes_the_codec_raise(data: str) -> None:
    button = decode(data)
    assert button is None or decode(encode(button)) == button


# What Pythia sends with one field spelled otherwise: right, nearly right or wrong.
FIELDS = ["0", "1", "12", "007", "-0", "-3", "١٢", "9" * 17, "", " 1", "1 ", "pause", "y",
          "BTC", "btc", "abcDEF123_-xyz78", "average", "USDT", "ru", "coin", "go"]  # fmt: skip


def _respelled(sent: str, where: int, field: str) -> str:
    parts = sent.split(":")
    parts[1 + where % (len(parts) - 1)] = field
    return ":".join(parts)


NEAR_MISSES = st.builds(
    _respelled,
    st.sampled_from([encode(button) for button in SENT]),
    st.integers(0, 3),
    st.sampled_from(FIELDS),
)


@given(NEAR_MISSES)
def test_only_what_pythia_writes_reads_as_a_button(data: str) -> None:
    """Data that decodes is exactly what `encode` writes for it (or, as buttons sent before did,
    with an empty last field written out): no second spelling of the same press."""
    button = decode(data)
    assert button is None or encode(button) in (data, data.removesuffix(":"))
