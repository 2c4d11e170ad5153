"""Bot API calls over aiohttp: a `telegram.request.BaseRequest`, PTB's own extension point.

Why not PTB's default HTTPXRequest: profiling `/price` under load (bench/bench_price.py) showed
the httpx/httpcore client spending about two thirds of the bot's CPU per reply — and httpcore
re-scans every pooled connection for every queued request, so that cost grows with load.
aiohttp's client does the same work several times cheaper and is already installed (ccxt and
the emulator use it). Both the sends and the long polling (getUpdates) go through it.

Which side of the wire a failure happened on. A request that failed before it was written
(no connection, refused, DNS, TLS, no free pooled connection in time) raises `NotSent`
(`ConnectTimedOut` for the time-outs): Telegram never saw it, so sending it again cannot
double anything. A request that was written but whose answer never came whole (read time-out,
the connection dropped or was reset, the answer cut short) raises `AnswerLost`
(`ReadTimedOut` for the time-out): Telegram may have carried it out. An HTTP 2xx answer whose
body is not JSON raises `UnreadableAnswer`: Telegram did carry it out. All are PTB's own
types underneath (`NetworkError`, `TimedOut`, `TelegramError`), so PTB's machinery (the
updater's polling, the error handler) treats them as it always has; the outbox sender uses the
difference never to repeat a message that may already have arrived.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, cast

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

CONNECTIONS = 16  # ~300 requests/s at Telegram's ~50 ms round trip: 10x its 30 messages/s cap


class NotSent(NetworkError):
    """The request never reached Telegram: repeating it is safe."""


class ConnectTimedOut(TimedOut, NotSent):
    """No connection (or no free pooled one) in time: the request was never written."""


class AnswerLost(NetworkError):
    """The request was written, its answer never came whole: Telegram may have acted on it."""


class ReadTimedOut(TimedOut, AnswerLost):
    """The request was written and no answer came in time: Telegram may have acted on it."""


class UnreadableAnswer(TelegramError):
    """Telegram answered, but not in JSON; with a 2xx status it did what was asked."""


def _seconds(value: object, default: float | None) -> float | None:
    if isinstance(value, DefaultValue) or value is None:
        return default if isinstance(value, DefaultValue) else None
    return float(cast(float, value))


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connections: int = CONNECTIONS,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 30.0,
        media_read_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_read_timeout = media_read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """PTB's parsing, raising `UnreadableAnswer` (still a TelegramError) for a body that is
        not JSON, so whoever sent the request can tell it apart from a refusal."""
        try:
            return cast(JSONDict, json.loads(payload.decode("utf-8", "replace")))
        except ValueError as exc:
            log.warning("Telegram's answer is not JSON: %r", payload[:200])
            raise UnreadableAnswer(f"Invalid server response: {payload[:80]!r}") from exc

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=60)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,  # aiohttp has none; reads bound it
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        default_read = self._media_read_timeout if files else self._read_timeout
        connect = _seconds(connect_timeout, self._connect_timeout)
        pool = _seconds(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            # `connect` includes waiting for a free pooled connection; `sock_connect` does not
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=_seconds(read_timeout, default_read),
        )
        data = _body(request_data, files)
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:  # connecting, or waiting for the pool
            raise ConnectTimedOut(f"no connection in time: {exc}") from exc
        except (aiohttp.ClientConnectorError, aiohttp.InvalidURL) as exc:
            raise NotSent(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:  # sock_read: the request went, the answer did not come
            raise ReadTimedOut(f"no answer in time: {exc}") from exc
        except aiohttp.ClientError as exc:  # disconnected, reset, cut short: after writing
            raise AnswerLost(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        except asyncio.CancelledError:
            raise


def _body(request_data: RequestData | None, files: dict[str, Any] | None) -> Any:
    """Form fields as PTB encodes them; multipart only when there are files to upload."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
