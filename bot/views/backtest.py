"""/backtest's words: the caption under the equity picture (the strategy's return, drawdown,
trades and time in the market against buy-and-hold, the window, the model, the rule, the fees),
the picture's title and legend, and the refusals. Pure; HTML."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bot.i18n import N_, Texts
from bot.views.common import MAX_CAPTION, clip, e, fit
from bot.views.refusals import refusal_text, says
from core.predict import horizon_delta
from core.refusal import Refusal
from services.backtest import BacktestResult, ModelUsed

USAGE_AFTER = ("period.", "backtest.one_coin", "backtest.horizon", "backtest.threshold")
MINUS = "−"

WHY_NOT_SERVED = {
    "no_edge": N_("no edge found"),
    "too_little_data": N_("too little data to tell"),
    "worse_than_incumbent": N_("not better than the model it would replace"),
    "incumbent_changed": N_("not better than the model it would replace"),
}


# ---- the answer --------------------------------------------------------------------------------


def backtest_caption(t: Texts, found: BacktestResult) -> str:
    """Numbers first, then where they come from, then what they are not."""
    b = found.backtest
    lines = [
        t._(
            "<b>{coin} backtest</b> · {horizon} · long when P(up) &gt; {threshold}, else flat",
            coin=e(clip(found.coin, 12)),
            horizon=e(b.horizon),
            threshold=_probability(t, b.threshold),
        ),
        t._(
            "Strategy: <b>{result}</b> · max drawdown {drawdown} · {trades} · in the market "
            "{share}",
            result=_pct(t, b.strategy_return),
            drawdown=_drawdown(t, b.max_drawdown),
            trades=_trades(t, len(b.trades), b.won),
            share=t.pct(Decimal(f"{b.time_in_market * 100:.0f}"), 0, signed=False),
        ),
        t._(
            "Buy and hold: <b>{result}</b> · max drawdown {drawdown}",
            result=_pct(t, b.hold_return),
            drawdown=_drawdown(t, b.hold_drawdown),
        ),
        _window_line(t, found),
        _model_line(t, found.model),
        t._(
            "Bought at the close a prediction is made on, held {horizon}, held on while P(up) "
            "stays above the threshold; fees {fee} per side, buy and hold's too.",
            horizon=t.duration(horizon_delta(b.horizon)),
            fee=t.pct(Decimal(str(b.fee * 100)), 1, signed=False),
        ),
        t._("Past results are no promise. Not financial advice."),
    ]
    return fit("\n".join(lines), MAX_CAPTION)


def backtest_title(t: Texts, found: BacktestResult) -> str:
    """BTC · 24h · P(up) > 55%: what the picture shows, drawn above it (plain text)."""
    b = found.backtest
    return t._(
        "{coin} · {horizon} · long when P(up) > {threshold}",
        coin=found.coin,
        horizon=b.horizon,
        threshold=_probability(t, b.threshold),
    )


def backtest_labels(t: Texts, found: BacktestResult) -> tuple[str, str, str]:
    """The picture's legend: the strategy, buy-and-hold (each with its return) and the shading
    of the hours in the market (plain text)."""
    b = found.backtest
    return (
        t._("Strategy {result}", result=_pct(t, b.strategy_return)),
        t._("Buy and hold {result}", result=_pct(t, b.hold_return)),
        t._("in the market"),
    )


def _window_line(t: Texts, found: BacktestResult) -> str:
    w, b = found.window, found.backtest
    days = _days(t, b.start, b.end)
    if found.period is None:
        return t._(
            "{days}: the model's whole out-of-sample window — probabilities it made on "
            "candles it was not trained on.",
            days=days,
        )
    if w.clipped:
        return t._(
            "{days}: you asked for {period}, but the model's out-of-sample window covers "
            "{covered} — only its predictions on candles it was not trained on count.",
            days=days,
            period=e(found.period.label),
            covered=_days(t, w.covered_from, w.covered_to),
        )
    return t._(
        "{days} ({period}): the model's out-of-sample predictions, made on candles it was not "
        "trained on.",
        days=days,
        period=e(found.period.label),
    )


def _model_line(t: Texts, model: ModelUsed) -> str:
    params = {"version": t.number(model.version), "trained": t.date(model.created_at)}
    if model.serves:
        return t._("Model v{version}, trained {trained}; it serves /predict.", **params)
    why = t._(WHY_NOT_SERVED.get(model.reason, WHY_NOT_SERVED["no_edge"]))
    return t._(
        "Model v{version}, trained {trained}; it does not serve /predict: {why}.", why=why, **params
    )


def _trades(t: Texts, count: int, won: int) -> str:
    if count == 0:
        return t._("no trades")
    return t.ngettext(
        "{count} trade, {won} won", "{count} trades, {won} won", count,
        count=t.number(count), won=t.number(won),
    )  # fmt: skip


def _days(t: Texts, start: datetime, end: datetime) -> str:
    return t._("{start} – {end}", start=t.date(start), end=t.date(end))


def _pct(t: Texts, fraction: float) -> str:
    return t.pct(Decimal(f"{fraction * 100:.2f}"))


def _drawdown(t: Texts, fall: float) -> str:
    """A fall as a loss: −11.23%, or 0.00% when there was none."""
    return t.pct(Decimal(f"{-fall * 100:.2f}"), signed=False)


def _probability(t: Texts, p: float) -> str:
    """0.55 → 55%, 0.625 → 62.5%."""
    percent = Decimal(str(p)) * 100
    places = 0 if percent == percent.to_integral_value() else 1
    return t.pct(percent, places, signed=False)


# ---- refusals ----------------------------------------------------------------------------------


def usage(t: Texts) -> str:
    return t._(
        "Send <code>/backtest BTC</code>, or <code>/backtest BTC 24h 3m 0.6</code> (horizon 1h, "
        "4h or 24h; period like 30d, 3m, 1y; long when P(up) is above 0.55 unless told, "
        "0.5 to 0.95)."
    )


def backtest_refused(t: Texts, refusal: Refusal) -> str:
    """A refusal in one line; one about what was typed is followed by how /backtest is used."""
    text = refusal_text(t, refusal)
    if refusal.code.startswith(USAGE_AFTER):
        text += " " + usage(t)
    return text


@says("backtest.one_coin")
def _one_coin(t: Texts, count: int) -> str:
    return t._("One coin per backtest.")


@says("backtest.horizon_unknown")
def _horizon_unknown(t: Texts, typed: str, allowed: tuple[str, ...]) -> str:
    return t._("That didn't work: the horizon is one of {choices}.", choices=e(", ".join(allowed)))


@says("backtest.horizon_twice")
def _horizon_twice(t: Texts) -> str:
    return t._("That didn't work: give one horizon.")


@says("backtest.threshold_range")
def _threshold_range(t: Texts, typed: str, low: float, high: float) -> str:
    return t._(
        "That didn't work: “{typed}” is not a threshold — give a probability from {low} to "
        "{high}, like 0.6 or 60%.",
        typed=e(clip(typed)),
        low=t.decimal(low, 1),
        high=t.decimal(high, 2),
    )


@says("backtest.threshold_twice")
def _threshold_twice(t: Texts) -> str:
    return t._("That didn't work: give one threshold.")


@says("backtest.no_model")
def _no_model(t: Texts, coin: str, horizon: str) -> str:
    return t._(
        "No {horizon} model of {coin} is trained yet, so there are no out-of-sample "
        "predictions to backtest — try again after the next training.",
        horizon=e(horizon),
        coin=e(clip(coin, 12)),
    )


@says("backtest.no_probabilities")
def _no_probabilities(t: Texts, coin: str, horizon: str, version: int) -> str:
    return t._(
        "The {horizon} model of {coin} (v{version}) kept no out-of-sample predictions to "
        "backtest — try again after the next training.",
        horizon=e(horizon),
        coin=e(clip(coin, 12)),
        version=t.number(version),
    )


@says("backtest.no_candles")
def _no_candles(t: Texts, coin: str) -> str:
    return t._(
        "I have no hourly candles of {coin} over its model's out-of-sample window.",
        coin=e(clip(coin, 12)),
    )


@says("backtest.outside_window")
def _outside_window(
    t: Texts,
    coin: str,
    horizon: str,
    period: str,
    covered_from: datetime,
    covered_to: datetime,
) -> str:
    example = "<code>" + e(f"/backtest {coin} {horizon}") + "</code>"
    return t._(
        "The {horizon} model of {coin} has out-of-sample predictions for {covered} only, "
        "outside the last {period} — send {example} for all of them.",
        horizon=e(horizon),
        coin=e(clip(coin, 12)),
        covered=_days(t, covered_from, covered_to),
        period=e(period),
        example=example,
    )
