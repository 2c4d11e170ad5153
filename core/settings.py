"""Pythia's settings, read from the environment and `.env` (pydantic-settings).

The class is declarative; reading the environment happens only when an entry point calls
`load_settings()`, never at import time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.news.feeds import DEFAULT_FEEDS, parse_feeds

DEFAULT_SYMBOLS = ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE")
DEFAULT_EXCHANGES = ("binance", "coinbase", "kraken")

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SYMBOL = re.compile(r"^[A-Z0-9]{2,15}$")
_EXCHANGE = re.compile(r"^[a-z0-9]+$")


def _split(value: object) -> object:
    """Let list settings be written `a,b c` in the environment as well as JSON."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [part for part in re.split(r"[,\s]+", text) if part]
    return value


class SettingsError(Exception):
    """A setting is wrong; the message is one line naming it and what it expects."""


class Settings(BaseSettings):
    """Every knob of Pythia. Field docs are the configuration reference in the README."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `SYMBOLS=` means "the default", as Compose passes it
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr | None = Field(
        default=None, description="Telegram bot token from @BotFather; absent = offline sandbox"
    )
    bot_api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL (a self-hosted Bot API server, or the emulator)",
    )
    bot_api_file_url: str = Field(
        default="https://api.telegram.org/file/bot", description="Bot API file download URL"
    )
    database_url: str = Field(
        default="", description="SQLAlchemy async URL; default: an SQLite file in DATA_DIR"
    )
    redis_url: str | None = Field(
        default=None, description="redis:// URL; absent = the in-process cache (one process)"
    )
    data_dir: Path = Field(default=Path("var"), description="where the SQLite file and charts go")
    exchanges: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_EXCHANGES),
        description="ccxt exchange ids, comma-separated",
    )
    symbols: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_SYMBOLS),
        description="tracked assets, comma-separated",
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Telegram user ids allowed admin commands"
    )
    market_source: Literal["auto", "ccxt", "replay"] = Field(
        default="auto", description="auto = replay without a bot token, ccxt with one"
    )
    replay_speed: float = Field(
        default=60.0, gt=0, le=3600, description="replay seconds of market per wall second"
    )
    ticker_interval: float = Field(
        default=5.0, gt=0, le=3600, description="seconds between ticker polls"
    )
    streaming: bool = Field(
        default=True,
        description="tickers pushed over WebSocket where an exchange offers it, polled while "
        "its stream is down; never in the replay",
    )
    stream_stale_after: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="seconds without a pushed ticker after which a stream is replaced",
    )
    candle_timeframes: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["1m", "1h", "1d"],
        description="candle timeframes ingested from the exchanges",
    )
    candle_interval: float = Field(
        default=60.0, gt=0, le=3600, description="seconds between candle ingestion runs"
    )
    keep_1m_days: float = Field(
        default=7.0, gt=0, description="days of 1m candles kept; 1h and 1d are kept for ever"
    )
    stale_after: float = Field(
        default=120.0, gt=0, description="seconds after which a price is shown as stale"
    )
    alerts_max_active: int = Field(
        default=100, gt=0, le=100_000, description="active alerts one person may keep at once"
    )
    outbox_rate: float = Field(
        default=30.0,
        gt=0,
        le=10_000,
        description="messages a second the outbox sender sends overall (Telegram allows 30)",
    )
    flood_burst: int = Field(
        default=20,
        ge=1,
        le=100_000,
        description="messages and presses one person may send at once before Pythia asks "
        "them to slow down",
    )
    flood_rate: float = Field(
        default=1.0,
        gt=0,
        le=100_000,
        description="messages and presses a second one person may keep sending after that",
    )
    telegram_rate_limit: bool = Field(
        default=True,
        description="queue sends within Telegram's limits; off only for a local benchmark",
    )
    webhook_url: str = Field(
        default="",
        description="public https URL Telegram posts updates to (behind a reverse proxy); "
        "empty = long polling",
    )
    webhook_secret: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9_-]{0,256}$",
        description="X-Telegram-Bot-Api-Secret-Token Telegram sends with each update (1-256 of "
        "A-Z a-z 0-9 _ -); needed with WEBHOOK_URL",
    )
    webhook_listen: str = Field(
        default="0.0.0.0", description="address the webhook server listens on"
    )
    webhook_port: int = Field(
        default=8443, ge=1, le=65535, description="port the webhook server listens on"
    )
    webhook_path: str = Field(
        default="telegram", description="path of the webhook on this server (no leading /)"
    )
    news_feeds: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_FEEDS),
        description="RSS feeds, comma-separated, each `Publisher=https://…` or a URL",
    )
    news_source: Literal["auto", "rss", "replay"] = Field(
        default="auto", description="auto = the bundled feeds served locally without a bot token"
    )
    news_interval: float = Field(
        default=300.0, gt=0, le=86_400, description="seconds between news ingestion runs"
    )
    news_pushes_per_day: int = Field(
        default=3,
        ge=0,
        le=50,
        description="important stories pushed to a person who follows a coin's news, at most, "
        "in any 24 hours",
    )
    train_models: bool = Field(
        default=True,
        description="the workers retrain the prediction models daily, and at once when none "
        "exist (the sandbox's first start); off: train with `pythia train`",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="DEBUG, INFO, WARNING or ERROR"
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text, or json: one JSON object a line (time, level, logger, message, "
        "exception, the update or job run it is about)",
    )
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65_535,
        description="port of the bot's Prometheus /metrics (`pythia run`: of both); 0 = off",
    )
    worker_metrics_port: int = Field(
        default=0,
        ge=0,
        le=65_535,
        description="port of the workers' Prometheus /metrics (`pythia workers`); 0 = off",
    )

    @field_validator("exchanges", "symbols", "admin_ids", "candle_timeframes", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split(value)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        text = str(value).strip()
        if not _TOKEN.match(text):
            raise ValueError("a token from @BotFather like 123456789:AAE…, digits, colon, letters")
        return text

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "sqlite+aiosqlite:///path/file.sqlite3 or postgresql+asyncpg://user@host/db"
            )
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("an https:// URL Telegram can reach, or nothing for long polling")
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_URL needs WEBHOOK_SECRET (anyone could post updates)")
        return self

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_url(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not str(value).startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("a redis://host:6379/0 URL, or nothing for the in-process cache")
        return value

    @field_validator("symbols")
    @classmethod
    def _symbols(cls, value: list[str]) -> list[str]:
        symbols = [s.upper() for s in value]
        bad = [s for s in symbols if not _SYMBOL.match(s)]
        if bad or not symbols:
            raise ValueError("asset tickers like BTC,ETH,SOL (2-15 letters or digits)")
        return list(dict.fromkeys(symbols))

    @field_validator("exchanges")
    @classmethod
    def _exchanges(cls, value: list[str]) -> list[str]:
        exchanges = [e.lower() for e in value]
        if not exchanges or any(not _EXCHANGE.match(e) for e in exchanges):
            raise ValueError("ccxt exchange ids like binance,coinbase,kraken")
        return list(dict.fromkeys(exchanges))

    @field_validator("candle_timeframes")
    @classmethod
    def _timeframes(cls, value: list[str]) -> list[str]:
        from core.market import TIMEFRAMES

        if not value or any(tf not in TIMEFRAMES for tf in value):
            raise ValueError(f"timeframes among {', '.join(TIMEFRAMES)}")
        return list(dict.fromkeys(value))

    @field_validator("news_feeds", mode="before")
    @classmethod
    def _feed_list(cls, value: object) -> object:
        """Publishers' names have spaces: feeds are split at commas and line ends only."""
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part.strip() for part in re.split(r"[,\n]+", value) if part.strip()]
        return _split(value)

    @field_validator("news_feeds")
    @classmethod
    def _feeds(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one feed, like CoinDesk=https://www.coindesk.com/…/rss/")
        try:
            feeds = parse_feeds(value)
        except ValueError:
            raise ValueError("feeds like CoinDesk=https://www.coindesk.com/…/rss/") from None
        return [f"{feed.publisher}={feed.url}" for feed in feeds]

    @property
    def sandbox(self) -> bool:
        """No token: talk to the in-repo emulator instead of Telegram."""
        return self.bot_token is None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'pythia.sqlite3'}"

    @property
    def resolved_market_source(self) -> str:
        if self.market_source != "auto":
            return self.market_source
        return "replay" if self.sandbox else "ccxt"

    @property
    def resolved_news_source(self) -> str:
        """Where news comes from: the publishers' feeds, or the bundled ones served locally."""
        if self.news_source != "auto":
            return self.news_source
        return "replay" if self.sandbox else "rss"

    @property
    def resolved_streaming(self) -> bool:
        """Stream tickers: on with live exchanges, off in the replay (it has nothing to push)."""
        return self.streaming and self.resolved_market_source == "ccxt"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; a wrong one raises SettingsError with one line."""
    try:
        return Settings.model_validate(overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        if error["type"] == "value_error":
            message = "expected " + str(error["msg"]).removeprefix("Value error, ")
        else:  # pydantic's own words: "Input should be greater than 0"
            message = str(error["msg"]).replace("Input should", "should")
        given = error.get("input")
        shown = "" if isinstance(given, dict) or name == "BOT_TOKEN" else f" (got {given!r:.60})"
        raise SettingsError(f"Setting {name}: {message}{shown}") from None
    except Exception as exc:  # a list that is neither JSON nor comma-separated, say
        raise SettingsError(f"Settings could not be read: {exc}") from None
