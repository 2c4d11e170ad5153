"""What holds for every valid run of trades: the books balance to the last digit, in any order.

The trades are random but realistic: a few assets, quantities with 8 places, prices and fees
with 2, sells of part or all of what is held, and some trades at the same moment.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.portfolio import Ledger, Trade, TradeRejected, period_start, pnl_over, valuation
from core.trades_csv import export_trades, import_trades

ASSETS = ("BTC", "ETH", "SOL")
START = datetime(2023, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 1, 1, tzinfo=UTC)
SATOSHI = Decimal("0.00000001")

quantities = st.integers(1, 5 * 10**8).map(lambda n: Decimal(n).scaleb(-8))  # up to 5
prices = st.integers(1, 10**8).map(lambda n: Decimal(n).scaleb(-2))  # up to 1,000,000
fees = st.integers(0, 10**4).map(lambda n: Decimal(n).scaleb(-2))
price_lists = st.fixed_dictionaries({asset: prices for asset in ASSETS})
methods = st.sampled_from(["fifo", "average"])
# A few seconds for the whole file (no per-example deadline: the profile in tests/conftest.py).
enough = settings(max_examples=60)


@st.composite
def trade_runs(draw: st.DrawFn, max_size: int = 30) -> list[Trade]:
    """Trades in ledger order (by time, then id) that never sell more than is held."""
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ASSETS),
                st.sampled_from(["buy", "sell part", "sell all"]),
                quantities,
                st.integers(1, 100),  # percent of the holding a partial sell takes
                prices,
                fees,
                st.integers(0, 2),  # days since the trade before; 0: the same moment
            ),
            min_size=1,
            max_size=max_size,
        )
    )
    held = dict.fromkeys(ASSETS, Decimal(0))
    trades, when = [], START
    for id_, (asset, kind, quantity, percent, price, fee, gap) in enumerate(steps, 1):
        when += timedelta(days=gap)
        side = "sell" if kind != "buy" and held[asset] else "buy"
        if side == "sell":
            part = (held[asset] * percent / 100).quantize(SATOSHI, ROUND_DOWN)
            quantity = held[asset] if kind == "sell all" else max(part, SATOSHI)
            held[asset] -= quantity
        else:
            held[asset] += quantity
        trades.append(Trade(id_, asset, side, quantity, price, fee, when, "USD"))
    return trades


def state(ledger: Ledger) -> tuple:
    """Everything a ledger tells, but the ids of the buys its lots come from."""
    lots = {
        a: [(lot.quantity, lot.cost, lot.acquired_at) for lot in ledger.lots(a)] for a in ASSETS
    }
    return ledger.positions(), lots, ledger.realised, ledger.net_invested, ledger.quote


@enough
@given(trade_runs(), price_lists, methods)
def test_realised_plus_unrealised_is_value_less_cash_put_in(trades, prices, method) -> None:
    view = valuation(Ledger.replay(trades, method), prices, NOW)
    assert view.complete
    assert view.realised + view.unrealised == view.value - view.net_invested
    assert view.total_pnl == view.value - view.net_invested


@enough
@given(trade_runs())
def test_fifo_lots_are_never_negative_and_add_up_to_the_position(trades) -> None:
    ledger = Ledger.replay(trades, "fifo")
    for position in ledger.positions():
        lots = ledger.lots(position.asset)
        assert all(lot.quantity > 0 and lot.cost >= 0 for lot in lots)
        assert sum(lot.quantity for lot in lots) == position.quantity
        assert sum(lot.cost for lot in lots) == position.cost_basis
        assert [lot.acquired_at for lot in lots] == sorted(lot.acquired_at for lot in lots)


@enough
@given(trade_runs(), prices, methods)
def test_selling_everything_leaves_no_quantity_and_no_cost(trades, price, method) -> None:
    ledger = Ledger.replay(trades, method)
    last = trades[-1].executed_at
    for n, position in enumerate(ledger.holdings(), 1):
        everything, no_fee = position.quantity, Decimal(0)
        sale = Trade(1000 + n, position.asset, "sell", everything, price, no_fee, last, "USD")
        ledger.record(sale, NOW)
    assert ledger.holdings() == []
    assert all(p.quantity == 0 and p.cost_basis == 0 for p in ledger.positions())
    assert all(ledger.lots(asset) == () for asset in ASSETS)
    assert ledger.realised == -ledger.net_invested


@enough
@given(trade_runs(), price_lists)
def test_fifo_and_average_cost_differ_only_in_the_split(trades, prices) -> None:
    fifo = valuation(Ledger.replay(trades, "fifo"), prices, NOW)
    average = valuation(Ledger.replay(trades, "average"), prices, NOW)
    assert [(h.asset, h.quantity) for h in fifo.holdings] == [
        (h.asset, h.quantity) for h in average.holdings
    ]
    assert fifo.value == average.value and fifo.net_invested == average.net_invested
    assert fifo.total_pnl == average.total_pnl


@enough
@given(trade_runs(), methods)
def test_export_then_import_gives_back_the_same_ledger(trades, method) -> None:
    result = import_trades(export_trades(trades), now=NOW)
    assert result.refused == []
    assert result.trades == [replace(trade, id=None) for trade in trades]
    assert state(Ledger.replay(result.trades, method)) == state(Ledger.replay(trades, method))


@enough
@given(trade_runs(), st.data())
def test_importing_the_rest_of_the_trades_accepts_them_all(trades, data) -> None:
    split = data.draw(st.integers(0, len(trades)))
    text = export_trades(data.draw(st.permutations(trades[split:])))
    result = import_trades(text, trades[:split], now=NOW)
    assert result.refused == []
    assert len(result.trades) == len(trades) - split


@enough
@given(trade_runs(), methods, st.data())
def test_the_order_trades_arrive_in_does_not_matter(trades, method, data) -> None:
    shuffled = data.draw(st.permutations(trades))
    assert state(Ledger.replay(shuffled, method)) == state(Ledger.replay(trades, method))
    assert Ledger.replay(shuffled, method).trades == tuple(trades)


@enough
@given(trade_runs(), methods)
def test_recording_trades_one_by_one_is_replaying_them(trades, method) -> None:
    ledger = Ledger(method)
    for trade in trades:
        ledger.record(trade, NOW)
    assert state(ledger) == state(Ledger.replay(trades, method))


@enough
@given(trade_runs(), methods, st.data())
def test_back_dated_trades_are_booked_as_if_replayed(trades, method, data) -> None:
    ledger = Ledger(method)
    for trade in data.draw(st.permutations(trades)):
        before = state(ledger)
        try:
            ledger.record(trade, NOW)
        except TradeRejected:
            assert state(ledger) == before
    assert state(ledger) == state(Ledger.replay(ledger.trades, method))


@enough
@given(trade_runs(), methods, st.data())
def test_checking_a_trade_says_what_recording_it_would_and_changes_nothing(
    trades, method, data
) -> None:
    ledger = Ledger(method)
    for trade in data.draw(st.permutations(trades)):
        before = state(ledger)
        try:
            ledger.check(trade, NOW)
        except TradeRejected as checked:
            assert state(ledger) == before
            try:
                ledger.record(trade, NOW)
            except TradeRejected as recorded:
                assert recorded == checked
            else:
                raise AssertionError(f"check refused {trade}, record took it")
        else:
            assert state(ledger) == before
            ledger.record(trade, NOW)


@enough
@given(trade_runs(), price_lists, price_lists, methods, st.data())
def test_period_pnl_is_the_change_in_value_less_cash_put_in(
    trades, at_start, now, method, data
) -> None:
    start = data.draw(st.sampled_from([t.executed_at for t in trades]))
    pnl = pnl_over(trades, method, at_start, now, start, NOW)
    assert pnl.total == pnl.value_end - pnl.value_start - pnl.invested


@enough
@given(trade_runs(), price_lists, methods)
def test_all_time_pnl_says_what_the_holdings_say(trades, now, method) -> None:
    ledger = Ledger.replay(trades, method)
    view = valuation(ledger, now, NOW)
    start = period_start("all", NOW, UTC, ledger.trades[0].executed_at)
    pnl = pnl_over(trades, method, {}, now, start, NOW)  # no price at the start is needed
    assert pnl.unpriced == () and pnl.value_start == 0
    assert (pnl.value_end, pnl.realised, pnl.unrealised_end) == (
        view.value,
        view.realised,
        view.unrealised,
    )
    assert pnl.total == view.total_pnl and pnl.invested == view.net_invested
