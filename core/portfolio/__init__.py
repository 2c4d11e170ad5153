"""The portfolio ledger: trades in, holdings, cost basis and P&L out, exact to the last digit.

- trades: the Trade a person records, and the rules it must meet (TradeRejected says why not,
  as a reason code)
- booking: how one asset's trades become its totals, and the accounting conventions
- ledger: a person's trades replayed in time order into positions, FIFO or average cost
- views: a ledger at given prices — holdings and totals, P&L over a period, daily snapshots
"""

from core.portfolio.booking import COST_PLACES
from core.portfolio.ledger import Ledger, Lot, Position, admit
from core.portfolio.trades import (
    COST_METHODS,
    SIDES,
    CostMethod,
    Side,
    Trade,
    TradeRejected,
    booked_in,
    check_trade,
    dump_trades,
    in_ledger_order,
    load_trades,
    trade_order,
)
from core.portfolio.views import (
    ALL_TIME,
    PERIODS,
    HoldingView,
    PeriodPnL,
    PortfolioView,
    Snapshot,
    period_start,
    pnl_over,
    snapshot,
    valuation,
)

__all__ = [
    "ALL_TIME",
    "COST_METHODS",
    "COST_PLACES",
    "PERIODS",
    "SIDES",
    "CostMethod",
    "HoldingView",
    "Ledger",
    "Lot",
    "PeriodPnL",
    "PortfolioView",
    "Position",
    "Side",
    "Snapshot",
    "Trade",
    "TradeRejected",
    "admit",
    "booked_in",
    "check_trade",
    "dump_trades",
    "in_ledger_order",
    "load_trades",
    "period_start",
    "pnl_over",
    "snapshot",
    "trade_order",
    "valuation",
]
