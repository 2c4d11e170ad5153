"""What happened after each candle: the forward log return and the direction `h` hours on.

On the hourly grid, by close time: the label of the row at close t is close(t + h) against
close(t), from the candle closing exactly h hours later — NaN when that candle is missing (a
gap) or not closed yet (the last h rows have no label). `up` is close(t + h) > close(t); an
unchanged price is not up.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.market import Candle
from core.predict import HORIZONS
from core.predict.features import HOUR, Table, table_of


def _log_closes(candles: Sequence[Candle] | Table) -> pd.Series:
    table = table_of(candles)
    closes = table.ohlcv.close
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(closes > 0, closes, np.nan))
    return pd.Series(logs, index=table.close_time)


def forward_returns(candles: Sequence[Candle] | Table, horizon: str) -> pd.Series:
    """log(close(t + h) / close(t)) per candle (index: its close time), NaN where unknown."""
    logs = _log_closes(candles)
    later = logs.reindex(logs.index + HORIZONS[horizon] * HOUR).to_numpy()
    return pd.Series(later - logs.to_numpy(), index=logs.index, name=f"fwd_{horizon}")


def direction(forward: pd.Series) -> pd.Series:
    """1.0 where the forward return is > 0, 0.0 where <= 0, NaN where unknown."""
    values = forward.to_numpy()
    return pd.Series(
        np.where(np.isnan(values), np.nan, (values > 0).astype(np.float64)),
        index=forward.index,
        name=f"up_{str(forward.name).removeprefix('fwd_')}",
    )


def labels(candles: Sequence[Candle] | Table, horizon: str) -> pd.DataFrame:
    """Columns `ret` (forward log return) and `up` (1.0/0.0, NaN unknown), index: close time."""
    ret = forward_returns(candles, horizon)
    return pd.DataFrame({"ret": ret.to_numpy(), "up": direction(ret).to_numpy()}, index=ret.index)
