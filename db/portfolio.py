"""A person's portfolio as commands and jobs need it: their settings, their ledger, its prices.

Everything here is scoped to one person id; nothing reads or writes another person's trades.
Prices come from the cross-exchange quotes the workers keep; USD and the dollar stablecoins
count as one currency ("USD") unless the person chose a stablecoin as their quote currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.market import USD_QUOTES
from core.portfolio import CostMethod, Ledger, Trade
from db.deps import Deps
from db.models import User
from db.quotes import latest_quotes
from db.repos import trades as trade_rows
from db.repos.people import get_user
from db.repos.trades import TradeRow

DEFAULT_QUOTE = "USD"
DOLLAR_LIKE = frozenset(USD_QUOTES) | {"BUSD", "DAI", "FDUSD", "TUSD", "USDP", "PYUSD"}
QUOTE_CURRENCIES = ("USD", "USDT", "USDC")  # what a person may choose: what Pythia can price


@dataclass(frozen=True, slots=True)
class PortfolioSettings:
    method: CostMethod = "fifo"
    quote: str = DEFAULT_QUOTE
    timezone: str = "UTC"


def to_trade(row: TradeRow) -> Trade:
    trade_id, asset, side, quantity, price, fee, executed_at, quote = row
    return Trade(trade_id, asset, side, quantity, price, fee, executed_at, quote)  # type: ignore[arg-type]


def book_quote(quote: str, chosen: str) -> str:
    """The currency a trade priced in `quote` is booked in, for a person who chose `chosen`."""
    quote = quote.upper()
    if chosen == DEFAULT_QUOTE and quote in DOLLAR_LIKE:
        return DEFAULT_QUOTE
    return quote


async def read_settings(session: AsyncSession, user_id: int) -> PortfolioSettings:
    user = await get_user(session, user_id)
    if user is None:
        return PortfolioSettings()
    method: CostMethod = "average" if user.cost_basis == "average" else "fifo"
    return PortfolioSettings(method, user.quote_currency or DEFAULT_QUOTE, user.timezone or "UTC")


async def save_settings(
    session: AsyncSession, user_id: int, *, method: str | None = None, quote: str | None = None
) -> None:
    values: dict[str, str] = {}
    if method is not None:
        values["cost_basis"] = method
    if quote is not None:
        values["quote_currency"] = quote
    if values:
        await session.execute(update(User).where(User.id == user_id).values(**values))


def ledger_trades(rows: Iterable[TradeRow], settings: PortfolioSettings) -> list[Trade]:
    """The person's stored trades as the ledger books them (dollar stablecoins as USD)."""
    trades = []
    for row in rows:
        trade = to_trade(row)
        booked = book_quote(trade.quote, settings.quote)
        if booked != trade.quote:
            trade = Trade(
                trade.id,
                trade.asset,
                trade.side,
                trade.quantity,
                trade.price,
                trade.fee,
                trade.executed_at,
                booked,
            )
        trades.append(trade)
    return trades


async def load_ledger(
    session: AsyncSession, user_id: int, settings: PortfolioSettings | None = None
) -> tuple[Ledger, PortfolioSettings]:
    """The person's ledger, replayed from their stored trades with their cost-basis method."""
    settings = settings or await read_settings(session, user_id)
    trades = ledger_trades(await trade_rows.all_trades(session, user_id), settings)
    return Ledger.replay(trades, settings.method), settings


async def current_prices(deps: Deps, assets: Sequence[str], quote: str) -> dict[str, Decimal]:
    """The latest price of each asset in `quote`; an asset Pythia cannot price is left out.

    The cross-exchange price is a median over USD and dollar-stablecoin markets, so it serves
    "USD" and the dollar stablecoins alike (their pegs hold to well under the spread shown).
    """
    if quote not in DOLLAR_LIKE:
        return {}
    quotes = await latest_quotes(deps, list(assets))
    return {asset: q.price for asset, q in quotes.items() if q.quote.upper() in DOLLAR_LIKE}


def prices_of(held: Iterable[str], prices: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return {asset: prices[asset] for asset in held if asset in prices}
