"""The ledger by hand: every number here can be checked with a pencil, and is asserted exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.portfolio import (
    ALL_TIME,
    Ledger,
    Lot,
    Position,
    Snapshot,
    Trade,
    TradeRejected,
    admit,
    booked_in,
    dump_trades,
    load_trades,
    period_start,
    pnl_over,
    snapshot,
    valuation,
)
from core.refusal import BadArgument

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
D = Decimal


def at(day: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def buy(asset: str, quantity: str, price: str, fee: str = "0", day: str = "2024-01-01", id=None):
    return Trade(id, asset, "buy", D(quantity), D(price), D(fee), at(day), "USD")


def sell(asset: str, quantity: str, price: str, fee: str = "0", day: str = "2024-01-01", id=None):
    return Trade(id, asset, "sell", D(quantity), D(price), D(fee), at(day), "USD")


# Three buys of BTC with fees, then one sell that uses up the first lot and half the second.
THREE_LOTS = [
    buy("BTC", "1", "40000", "10", "2024-01-10", id=1),  # costs 40,010
    buy("BTC", "0.5", "50000", "5", "2024-02-10", id=2),  # costs 25,005
    buy("BTC", "0.5", "60000", "6", "2024-03-10", id=3),  # costs 30,006
    sell("BTC", "1.25", "70000", "20", "2024-04-10", id=4),  # brings in 87,500 − 20 = 87,480
]


def test_fifo_sells_the_oldest_lots_first_fees_included() -> None:
    ledger = Ledger.replay(THREE_LOTS, "fifo")
    # Sold: lot 1 (40,010) and a quarter BTC of lot 2 (half of 25,005 = 12,502.5) = 52,512.5
    assert ledger.realised == D("34967.5")  # 87,480 − 52,512.5
    assert ledger.position("BTC") == Position("BTC", D("0.75"), D("42508.5"), D("34967.5"))
    assert ledger.lots("BTC") == (
        Lot(D("0.25"), D("12502.5"), at("2024-02-10"), 2),
        Lot(D("0.5"), D("30006"), at("2024-03-10"), 3),
    )
    assert ledger.lots("BTC")[0].unit_cost == D("50010")  # 50,000 plus 10 of fee per BTC
    assert ledger.net_invested == D("7541")  # 40,010 + 25,005 + 30,006 − 87,480


def test_average_cost_sells_at_the_average_and_keeps_it_for_the_rest() -> None:
    ledger = Ledger.replay(THREE_LOTS, "average")
    # 95,021 for 2 BTC: 47,510.5 each; 1.25 BTC of that is 59,388.125
    assert ledger.realised == D("28091.875")  # 87,480 − 59,388.125
    position = ledger.position("BTC")
    assert position == Position("BTC", D("0.75"), D("35632.875"), D("28091.875"))
    assert position.average_cost == D("47510.5")
    assert ledger.lots("BTC") == ()
    assert ledger.net_invested == D("7541")


def test_both_methods_agree_on_the_total_and_differ_in_the_split() -> None:
    prices = {"BTC": D("80000")}
    fifo = valuation(Ledger.replay(THREE_LOTS, "fifo"), prices, NOW)
    average = valuation(Ledger.replay(THREE_LOTS, "average"), prices, NOW)
    assert (fifo.realised, fifo.unrealised) == (D("34967.5"), D("17491.5"))
    assert (average.realised, average.unrealised) == (D("28091.875"), D("24367.125"))
    assert fifo.total_pnl == average.total_pnl == D("52459")  # 60,000 value − 7,541 put in


def test_a_partial_sell_eats_into_a_lot_and_leaves_the_rest_at_its_unit_cost() -> None:
    ledger = Ledger.replay([*THREE_LOTS, sell("BTC", "0.1", "75000", "0", "2024-04-20", id=5)])
    # 0.1 of lot 2 at 50,010 each = 5,001; 7,500 came in
    assert ledger.position("BTC").realised == D("34967.5") + D("2499")
    assert ledger.lots("BTC")[0] == Lot(D("0.15"), D("7501.5"), at("2024-02-10"), 2)


def test_rounding_in_a_split_lot_is_kept_by_what_remains_so_nothing_is_lost() -> None:
    ledger = Ledger.replay(
        [
            buy("ETH", "3", "100", "1", "2024-01-01"),  # 301 for 3: 100.333… each
            sell("ETH", "1", "110", "0", "2024-01-02"),
        ]
    )
    assert ledger.realised == D("9.666666666667")  # 110 − 100.333333333333 (12 places)
    assert ledger.position("ETH").cost_basis == D("200.666666666667")
    ledger.record(sell("ETH", "2", "110", "0", "2024-01-03"), NOW)
    assert ledger.realised == D("29")  # 330 in, 301 out: to the last digit
    assert ledger.position("ETH") == Position("ETH", D("0"), D("0"), D("29"))


def test_selling_everything_closes_the_position_but_keeps_its_realised_pnl() -> None:
    ledger = Ledger.replay([*THREE_LOTS, sell("BTC", "0.75", "30000", "0", "2024-05-01", id=5)])
    assert ledger.position("BTC") == Position("BTC", D("0"), D("0"), D("34967.5") - D("20008.5"))
    assert ledger.holdings() == []
    assert ledger.realised == -ledger.net_invested  # nothing held: all P&L is realised


def test_realised_and_unrealised_add_up_to_value_less_cash_put_in() -> None:
    ledger = Ledger.replay([*THREE_LOTS, buy("ETH", "2", "3000", "3", "2024-05-01", id=5)])
    view = valuation(ledger, {"BTC": D("80000"), "ETH": D("3500")}, NOW)
    assert view.value == D("67000")
    assert view.net_invested == D("13544")  # 7,541 + 6,003
    assert view.realised + view.unrealised == view.value - view.net_invested == D("53456")


def test_trades_are_replayed_in_time_order_with_ties_broken_by_id() -> None:
    first, second = buy("SOL", "1", "100", id=8), sell("SOL", "1", "120", id=9)
    assert Ledger.replay([second, first]).realised == D("20")
    with pytest.raises(TradeRejected):
        Ledger.replay([buy("SOL", "1", "100", id=9), sell("SOL", "1", "120", id=8)])


# Rejections: each says what was wrong, as a code with the facts, and the ledger stays as it was.


def rejected(trade: Trade, ledger: Ledger | None = None) -> TradeRejected:
    ledger = ledger or Ledger.replay(THREE_LOTS)
    before = (ledger.trades, ledger.positions(), ledger.lots("BTC"), ledger.net_invested)
    with pytest.raises(TradeRejected) as checked:
        ledger.check(trade, NOW)
    assert (ledger.trades, ledger.positions(), ledger.lots("BTC"), ledger.net_invested) == before
    with pytest.raises(TradeRejected) as caught:
        ledger.record(trade, NOW)
    assert (ledger.trades, ledger.positions(), ledger.lots("BTC"), ledger.net_invested) == before
    assert checked.value == caught.value
    return caught.value


def oversold(asset: str, held: str, sold: str, at: datetime) -> TradeRejected:
    return TradeRejected("trade.oversold", asset=asset, held=D(held), sold=D(sold), at=at)


def test_selling_more_than_held_says_how_much_was_held() -> None:
    reason = rejected(sell("BTC", "1", "70000", day="2024-05-01"))
    assert reason == oversold("BTC", "0.75", "1", at("2024-05-01"))


def test_selling_what_was_never_bought_says_none_was_held() -> None:
    reason = rejected(sell("ETH", "1", "3000", day="2024-05-01"))
    assert reason == oversold("ETH", "0", "1", at("2024-05-01"))


def test_selling_before_the_buy_is_judged_at_the_moment_of_the_sell() -> None:
    reason = rejected(sell("BTC", "1.2", "45000", day="2024-02-01"))
    assert reason == oversold("BTC", "1", "1.2", at("2024-02-01"))


def test_a_backdated_sell_may_not_starve_a_later_sell() -> None:
    # Selling 0.5 of the 1.5 BTC held on 2024-03-01 leaves enough for the 1.25 BTC sold on
    # 2024-04-10, once lot 3 arrives; selling another 0.5 the next day does not.
    ledger = Ledger.replay(THREE_LOTS)
    ledger.record(sell("BTC", "0.5", "55000", day="2024-03-01"), NOW)
    assert ledger.position("BTC").quantity == D("0.25")
    reason = rejected(sell("BTC", "0.5", "55000", day="2024-03-02"), ledger)
    assert reason == TradeRejected(
        "trade.starves_sell", asset="BTC", quantity=D("1.25"), at=at("2024-04-10")
    )


def test_a_backdated_buy_is_booked_in_its_place() -> None:
    ledger = Ledger.replay(THREE_LOTS)
    ledger.record(buy("BTC", "1", "10000", "0", "2024-01-01"), NOW)
    # now the cheap lot goes first: 1 BTC at 10,000 and 0.25 of lot 1 (10,002.5)
    assert ledger.realised == D("87480") - D("20002.5")
    assert ledger.trades[0].executed_at == at("2024-01-01")


@pytest.mark.parametrize(
    ("trade", "code", "params"),
    [
        (buy("BTC", "0", "64000"), "trade.not_positive", {"what": "quantity"}),
        (buy("BTC", "-1", "64000"), "trade.not_positive", {"what": "quantity"}),
        (buy("BTC", "1", "0"), "trade.not_positive", {"what": "price"}),
        (buy("BTC", "1", "-5"), "trade.not_positive", {"what": "price"}),
        (buy("BTC", "1", "64000", "-1"), "trade.negative_fee", {}),
        (buy("BTC", "NaN", "64000"), "trade.not_a_number", {"what": "quantity"}),
        (buy("BTC", "1", "Infinity"), "trade.not_a_number", {"what": "price"}),
        (buy("BTC", "1e20", "64000"), "trade.too_large", {"what": "quantity"}),
        (buy("", "1", "64000"), "trade.no_asset", {}),
        (buy("BTC", "1", "1", day="2024-06-02"), "trade.future", {"at": at("2024-06-02")}),
    ],
)  # fmt: skip
def test_impossible_trades_are_refused_with_the_reason(trade: Trade, code: str, params) -> None:
    assert rejected(trade) == TradeRejected(code, **params)


def test_a_number_too_long_to_book_exactly_is_refused_rather_than_rounded() -> None:
    very_long = "0." + "1" * 99
    reason = rejected(buy("BTC", very_long, "1.23456789", day="2024-05-01"))
    assert reason == TradeRejected("trade.too_many_digits")


def test_a_naive_date_is_refused() -> None:
    naive = datetime(2024, 1, 1)  # noqa: DTZ001
    trade = Trade(None, "BTC", "buy", D("1"), D("1"), D("0"), naive, "USD")
    assert rejected(trade) == TradeRejected("trade.naive_date")


def test_an_unknown_side_is_refused() -> None:
    trade = Trade(None, "BTC", "hold", D("1"), D("1"), D("0"), at("2024-01-01"), "USD")  # type: ignore
    assert rejected(trade) == TradeRejected("trade.not_a_side", side="hold")


def test_a_float_never_enters_the_ledger() -> None:
    trade = Trade(None, "BTC", "buy", 0.1, D("1"), D("0"), at("2024-01-01"), "USD")  # type: ignore
    assert rejected(trade) == TradeRejected("trade.not_a_number", what="quantity")


def test_a_trade_in_another_quote_currency_is_refused() -> None:
    trade = Trade(None, "BTC", "buy", D("1"), D("60000"), D("0"), at("2024-05-01"), "EUR")
    assert rejected(trade) == TradeRejected("trade.other_currency", kept="USD", quote="EUR")


def test_an_aware_date_in_another_zone_is_the_same_moment_in_utc() -> None:
    three_am_at_plus_two = datetime(2024, 4, 10, 3, tzinfo=timezone(timedelta(hours=2)))
    trade = Trade(None, "BTC", "sell", D("1"), D("1"), D("0"), three_am_at_plus_two, "USD")
    reason = rejected(trade)
    assert reason == oversold("BTC", "0.75", "1", at("2024-04-10", 1))
    assert reason.params["at"].tzinfo is UTC


def test_replay_names_the_trade_that_cannot_be() -> None:
    with pytest.raises(TradeRejected) as caught:
        Ledger.replay([sell("DOGE", "1", "0.1")])
    assert caught.value == oversold("DOGE", "0", "1", at("2024-01-01"))
    with pytest.raises(TradeRejected) as caught:
        Ledger.replay([buy("BTC", "1", "1", day="2024-07-01")], now=NOW)
    assert caught.value.code == "trade.future"


def test_checking_a_trade_never_changes_a_shared_ledger() -> None:
    ledger = Ledger.replay(THREE_LOTS)
    before = (ledger.trades, ledger.positions(), ledger.lots("BTC"))
    ledger.check(sell("BTC", "0.5", "55000", day="2024-05-01"), NOW)  # fits
    ledger.check(buy("BTC", "1", "10000", day="2024-01-01"), NOW)  # back-dated, fits
    assert (ledger.trades, ledger.positions(), ledger.lots("BTC")) == before


# Valuation


def test_valuation_lists_holdings_by_value_with_shares_and_unrealised() -> None:
    ledger = Ledger.replay([*THREE_LOTS, buy("ETH", "10", "3000", "30", "2024-05-01", id=5)])
    view = valuation(ledger, {"BTC": D("80000"), "ETH": D("9000")}, NOW)
    eth, btc = view.holdings
    assert (eth.asset, eth.value, eth.cost_basis) == ("ETH", D("90000"), D("30030"))
    assert (eth.unrealised, eth.average_cost, eth.share_pct) == (D("59970"), D("3003"), D("60"))
    assert eth.unrealised_pct.quantize(D("0.01")) == D("199.70")  # 59,970 / 30,030
    assert (btc.asset, btc.value, btc.cost_basis) == ("BTC", D("60000"), D("42508.5"))
    assert (btc.unrealised, btc.realised, btc.share_pct) == (D("17491.5"), D("34967.5"), D("40"))
    assert (view.value, view.cost_basis) == (D("150000"), D("72538.5"))
    assert view.unrealised == D("77461.5")
    assert view.total_pnl == D("112429")  # 34,967.5 realised + 77,461.5
    assert view.complete and view.quote == "USD" and view.at == NOW


def test_a_holding_without_a_price_is_listed_but_left_out_of_totals() -> None:
    ledger = Ledger.replay([*THREE_LOTS, buy("XYZ", "100", "2", "0", "2024-05-01", id=5)])
    view = valuation(ledger, {"BTC": D("80000")}, NOW)
    btc, xyz = view.holdings
    assert btc.share_pct == D("100") and btc.priced
    assert (xyz.quantity, xyz.cost_basis, xyz.average_cost) == (D("100"), D("200"), D("2"))
    assert (xyz.price, xyz.value, xyz.unrealised, xyz.unrealised_pct, xyz.share_pct) == (None,) * 5
    assert not xyz.priced
    assert view.unpriced == ("XYZ",) and not view.complete
    assert (view.value, view.cost_basis) == (D("60000"), D("42508.5"))
    assert view.unrealised == D("17491.5")
    assert view.realised == D("34967.5")


def test_an_empty_ledger_is_worth_nothing() -> None:
    view = valuation(Ledger(), {}, NOW)
    assert view.holdings == () and view.value == 0 and view.unrealised_pct is None
    assert view.quote is None


# P&L over a period


def test_pnl_over_a_period_is_sells_realised_in_it_plus_the_move_in_unrealised() -> None:
    trades = [
        buy("BTC", "1", "40000", day="2024-01-10"),
        buy("BTC", "1", "50000", day="2024-02-10"),
        sell("BTC", "0.5", "70000", day="2024-03-15"),  # FIFO: costs 20,000, brings 35,000
        buy("BTC", "1", "1", day="2024-06-02"),  # after now: not in the period
    ]
    pnl = pnl_over(trades, "fifo", {"BTC": D("60000")}, {"BTC": D("80000")}, at("2024-03-01"), NOW)
    assert pnl.realised == D("15000")
    assert (pnl.value_start, pnl.unrealised_start) == (D("120000"), D("30000"))
    assert (pnl.value_end, pnl.unrealised_end) == (D("120000"), D("50000"))
    assert pnl.unrealised_change == D("20000")
    assert pnl.invested == D("-35000")
    assert pnl.total == D("35000") == pnl.value_end - pnl.value_start - pnl.invested
    assert pnl.unpriced == ()


def test_a_sell_at_the_very_start_of_the_period_belongs_to_it() -> None:
    trades = [buy("BTC", "1", "100", day="2024-01-01"), sell("BTC", "1", "150", day="2024-03-01")]
    pnl = pnl_over(trades, "fifo", {"BTC": D("120")}, {}, at("2024-03-01"), NOW)
    assert (pnl.realised, pnl.unrealised_start, pnl.unrealised_end) == (D("50"), D("20"), D("0"))
    assert pnl.total == D("30")


def test_pnl_over_leaves_out_an_asset_without_a_price_at_either_end() -> None:
    trades = [buy("BTC", "1", "100", day="2024-01-01"), buy("XYZ", "1", "5", day="2024-01-01")]
    at_start, now = {"BTC": D("110")}, {"BTC": D("130"), "XYZ": D("9")}
    pnl = pnl_over(trades, "average", at_start, now, at("2024-02-01"), NOW)
    assert pnl.unpriced == ("XYZ",)
    assert (pnl.unrealised_start, pnl.unrealised_end) == (D("10"), D("30"))


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("day", "2024-03-13T23:00:00+00:00"),  # midnight in Berlin (UTC+1)
        ("week", "2024-03-10T23:00:00+00:00"),  # Monday 11 March
        ("month", "2024-02-29T23:00:00+00:00"),
        ("year", "2023-12-31T23:00:00+00:00"),
    ],
)
def test_periods_start_at_local_midnight(name: str, start: str) -> None:
    now = datetime(2024, 3, 13, 23, 30, tzinfo=UTC)  # already Thursday the 14th in Berlin
    assert period_start(name, now, ZoneInfo("Europe/Berlin")) == datetime.fromisoformat(start)


def test_a_day_starts_at_the_right_offset_after_a_clock_change() -> None:
    now = datetime(2024, 3, 31, 12, tzinfo=UTC)  # Berlin moved to UTC+2 at 02:00 that night
    assert period_start("day", now, ZoneInfo("Europe/Berlin")) == at("2024-03-30", 23)


def test_all_time_and_unknown_periods() -> None:
    assert period_start("all", NOW, UTC) == ALL_TIME
    first = datetime(1900, 1, 1, tzinfo=UTC)
    assert period_start("all", NOW, UTC, first) == first  # all time begins with the first trade
    with pytest.raises(BadArgument) as caught:
        period_start("fortnight", NOW, UTC)
    assert caught.value == BadArgument(
        "pnl.period", typed="fortnight", periods=("day", "week", "month", "year", "all")
    )


# Snapshots and display


def test_a_snapshot_is_the_days_value_investment_and_realised_pnl() -> None:
    ledger = Ledger.replay(THREE_LOTS)
    day = date(2024, 4, 10)
    assert snapshot(ledger, {"BTC": D("70000")}, day) == Snapshot(
        day, D("52500"), D("7541"), D("34967.5")
    )
    assert snapshot(ledger, {}, day) == Snapshot(day, D("0"), D("7541"), D("34967.5"), ("BTC",))


def test_pending_trades_keep_every_digit() -> None:
    exact = buy("BTC", "0.000000010", "64000.123456789")
    usdt = Trade(None, "ETH", "sell", D("1E+3"), D("1.5"), D("0.10"), at("2024-01-01", 13), "USDT")
    assert load_trades(dump_trades([exact, usdt])) == [exact, usdt]


def test_a_buy_costs_its_fee_and_a_sell_brings_in_less_the_fee() -> None:
    assert buy("BTC", "0.5", "64000", "5").total == D("32005")
    assert sell("BTC", "0.5", "64000", "5").total == D("31995")


def test_a_usd_portfolio_books_dollar_stablecoins_as_usd_and_a_usdt_one_keeps_them() -> None:
    in_usdt = replace(buy("BTC", "1", "60000"), quote="USDT")
    in_eur = replace(buy("ETH", "1", "3000"), quote="EUR")
    assert [t.quote for t in booked_in([in_usdt, in_eur], "USD")] == ["USD", "EUR"]
    assert [t.quote for t in booked_in([in_usdt, in_eur], "USDT")] == ["USDT", "EUR"]
    assert booked_in([in_usdt], "USD")[0] == replace(in_usdt, quote="USD")


# Odd dates: refused when recorded, replayed when already stored


def test_a_trade_before_bitcoin_is_refused_when_recorded() -> None:
    ledger = Ledger()
    for when in (datetime(1, 1, 1, tzinfo=UTC), at("1900-01-01"), at("2009-01-02", 9)):
        with pytest.raises(TradeRejected) as caught:
            ledger.record(replace(buy("BTC", "1", "100"), executed_at=when), NOW)
        assert caught.value == TradeRejected("trade.too_early", earliest=date(2009, 1, 3))
    # The first day of Bitcoin anywhere on Earth (00:00 at UTC+14) is taken.
    kiritimati = timezone(timedelta(hours=14))
    ledger.record(
        replace(buy("BTC", "1", "100"), executed_at=datetime(2009, 1, 3, tzinfo=kiritimati)), NOW
    )
    _, refused = admit(
        [], [replace(buy("ETH", "1", "1"), executed_at=at("2008-12-31"))], "fifo", NOW
    )
    assert [why.code for _, why in refused] == ["trade.too_early"]


def test_a_stored_year_one_trade_still_replays_and_all_time_pnl_agrees_with_the_holdings() -> None:
    odd = [
        replace(buy("BTC", "1", "100", id=1), executed_at=datetime(1, 1, 1, 3, tzinfo=UTC)),
        buy("BTC", "1", "200", "1", "2024-01-10", id=2),
        sell("BTC", "0.5", "300", "0", "2024-02-10", id=3),
    ]
    ledger = Ledger.replay(odd, "fifo")
    prices = {"BTC": D("250")}
    view = valuation(ledger, prices, NOW)
    start = period_start("all", NOW, UTC, ledger.trades[0].executed_at)
    pnl = pnl_over(ledger.trades, "fifo", {}, prices, start, NOW)
    # No price in 1970 (or in year 1) is needed: nothing was held before the first trade.
    assert pnl.unpriced == ()
    assert (pnl.value_start, pnl.value_end) == (D(0), view.value)
    assert pnl.realised == view.realised == D(100)
    assert pnl.unrealised_end == view.unrealised
    assert pnl.total == view.total_pnl
