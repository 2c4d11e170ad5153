"""How a ccxt call failed, in kinds a caller can back off on (CcxtSource's errors)."""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import aiohttp
from ccxt.base import errors as ccxt_errors

from workers.sources.base import SourceError

# Kinds of fault a caller can back off on; "exchange" is anything else ccxt raised.
KINDS: Final = ("timeout", "rate_limit", "maintenance", "malformed", "network", "exchange")


class CcxtSourceError(SourceError):
    """A ccxt call failed. `kind` is one of KINDS; `retry_after` (seconds) is set only when the
    exchange said how long to wait (a Retry-After header)."""

    def __init__(
        self, exchange: str, kind: str, message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{exchange}: {kind}: {message}")
        self.exchange = exchange
        self.kind = kind
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Whether trying again later may help (everything but a plain exchange error)."""
        return self.kind != "exchange"


def kind_of(exc: ccxt_errors.BaseError) -> str:
    if isinstance(exc, ccxt_errors.RequestTimeout):
        return "timeout"
    if isinstance(exc, ccxt_errors.RateLimitExceeded | ccxt_errors.DDoSProtection):
        return "rate_limit"
    if isinstance(exc, ccxt_errors.OnMaintenance):
        return "maintenance"
    if isinstance(exc, ccxt_errors.ExchangeNotAvailable):
        # ccxt raises ExchangeNotAvailable both for a refused/failed connection (chained from
        # the aiohttp/socket error) and for HTTP statuses such as 502/503 (exchange down)
        cause = exc.__cause__
        if isinstance(cause, aiohttp.ClientError | OSError):
            return "network"
        return "maintenance"
    if isinstance(exc, ccxt_errors.BadResponse):
        return "malformed"
    if isinstance(exc, ccxt_errors.OperationFailed):
        return "network"  # NetworkError and other transient failures ("server busy")
    return "exchange"


def retry_after(headers: Mapping[str, str] | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date) of the last response.

    ccxt keeps only the last response's headers per exchange object, so with concurrent
    requests this is best effort."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def strict_json(exchange: Any, http_response: str) -> Any:
    """ccxt quietly drops a body that looks like JSON but does not parse, and kraken's and
    coinbase's parsers then read the empty answer as "no candles". A broken answer is an error."""
    if not type(exchange).is_json_encoded_object(http_response):
        return None  # HTML error pages and the like: ccxt's status handling deals with them
    try:
        return exchange.on_json_response(http_response)
    except ValueError as exc:
        raise ccxt_errors.BadResponse(
            f"{exchange.id}: unparsable JSON: {http_response[:80]!r}"
        ) from exc
