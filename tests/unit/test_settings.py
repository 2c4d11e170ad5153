"""Settings come from the environment; a wrong one stops start-up with one line naming it."""

from __future__ import annotations

import pytest

from core.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in (
        "BOT_TOKEN",
        "DATABASE_URL",
        "REDIS_URL",
        "SYMBOLS",
        "EXCHANGES",
        "ADMIN_IDS",
        "MARKET_SOURCE",
        "REPLAY_SPEED",
        "TICKER_INTERVAL",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_run_the_offline_sandbox_on_sqlite() -> None:
    settings = load_settings()
    assert settings.sandbox is True
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.redis_url is None
    assert settings.resolved_market_source == "replay"
    assert settings.exchanges == ["binance", "coinbase", "kraken"]
    assert "BTC" in settings.symbols


def test_a_token_switches_to_telegram_and_live_exchanges(monkeypatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAEabcdefghijklmnopqrstuvwxyz012345")
    settings = load_settings()
    assert settings.sandbox is False
    assert settings.resolved_market_source == "ccxt"


def test_lists_read_comma_or_space_separated_and_json(monkeypatch) -> None:
    monkeypatch.setenv("SYMBOLS", "btc, eth sol,btc")
    monkeypatch.setenv("ADMIN_IDS", "[1, 2]")
    monkeypatch.setenv("EXCHANGES", "Kraken")
    settings = load_settings()
    assert settings.symbols == ["BTC", "ETH", "SOL"]
    assert settings.admin_ids == [1, 2]
    assert settings.exchanges == ["kraken"]


def test_plain_postgres_urls_get_the_async_driver(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/pythia")
    assert load_settings().resolved_database_url == "postgresql+asyncpg://u:p@db:5432/pythia"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DATABASE_URL", "mysql://root@db/x", "Setting DATABASE_URL: expected sqlite+aiosqlite"),
        ("REDIS_URL", "localhost:6379", "Setting REDIS_URL: expected a redis://"),
        ("SYMBOLS", "BTC,E$H", "Setting SYMBOLS: expected asset tickers"),
        ("ADMIN_IDS", "12,alice", "Setting ADMIN_IDS: should be a valid integer"),
        ("REPLAY_SPEED", "0", "Setting REPLAY_SPEED: should be greater than 0"),
        ("MARKET_SOURCE", "yahoo", "Setting MARKET_SOURCE: should be 'auto', 'ccxt' or 'replay'"),
        ("BOT_TOKEN", "not a token", "Setting BOT_TOKEN: expected a token from @BotFather"),
        ("EXCHANGES", "bin ance!", "Setting EXCHANGES: expected ccxt exchange ids"),
        ("ALERTS_MAX_ACTIVE", "0", "Setting ALERTS_MAX_ACTIVE: should be greater than 0"),
        ("OUTBOX_RATE", "0", "Setting OUTBOX_RATE: should be greater than 0"),
    ],
)
def test_a_wrong_setting_is_named_in_one_line(monkeypatch, name, value, expected) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_the_token_is_never_echoed(monkeypatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:secret value with spaces")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "secret" not in str(caught.value)
