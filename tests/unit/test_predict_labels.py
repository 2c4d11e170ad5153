"""Labels: the forward log return and direction h hours on, on the hourly grid."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from core.market import Candle
from core.predict.labels import labels

HOUR = timedelta(hours=1)
START = datetime(2024, 3, 1, tzinfo=UTC)


def candles(closes: Sequence[float], skip: tuple[int, ...] = ()) -> list[Candle]:
    out = []
    for k, c in enumerate(closes):
        if k not in skip:
            price = Decimal(str(c))
            out.append(Candle(START + k * HOUR, price, price, price, price, Decimal(1)))
    return out


def test_forward_return_and_direction_four_hours_on() -> None:
    closes = [100, 101, 99, 100, 102, 103, 100, 100]
    table = labels(candles(closes), "4h")
    assert list(table.index) == [pd.Timestamp(START + (k + 1) * HOUR) for k in range(8)]
    assert table["ret"].iloc[0] == pytest.approx(math.log(102 / 100))
    assert table["up"].iloc[:4].tolist() == [1.0, 1.0, 1.0, 0.0]  # 100 -> 100 is not up
    assert table["ret"].iloc[3] == pytest.approx(0.0)
    assert table["up"].iloc[4:].isna().all() and table["ret"].iloc[4:].isna().all()


def test_the_last_h_rows_have_no_label() -> None:
    table = labels(candles([float(100 + k) for k in range(30)]), "24h")
    assert table["up"].notna().sum() == 6
    assert table["up"].iloc[-24:].isna().all()
    one = labels(candles([100, 101, 100]), "1h")
    assert one["up"].tolist()[:2] == [1.0, 0.0] and math.isnan(one["up"].iloc[2])


def test_a_missing_candle_h_hours_on_leaves_the_row_unlabelled() -> None:
    table = labels(candles([100, 101, 102, 103, 104, 105], skip=(3,)), "1h")
    at = {ts: v for ts, v in table["ret"].items()}
    assert math.isnan(at[pd.Timestamp(START + 3 * HOUR)])  # its next candle is missing
    assert at[pd.Timestamp(START + 5 * HOUR)] == pytest.approx(math.log(105 / 104))
    assert len(table) == 5
