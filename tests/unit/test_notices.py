"""Notices go into the outbox as JSON facts and come back as the same typed notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.notices import AlertCondition, AlertFired, Headline, read_payload, to_payload


def _fired(**changes: object) -> AlertFired:
    values: dict[str, object] = {
        "alert_id": 7,
        "user_id": 42,
        "condition": AlertCondition(symbol="BTC", kind="price", direction="above",
                                    threshold=Decimal("70000.5")),
        "at": datetime(2026, 12, 5, 8, 30, tzinfo=UTC),
        "price": Decimal("70012.123456789"),
        "quote": "USDT",
        "change_pct": Decimal("-1.25"),
        "change_window": timedelta(hours=24),
        "fire_count": 2,
        "quiet": True,
        "headlines": (
            Headline(title="ETF approved", url="https://example.com/a", source="CoinDesk"),
        ),
    }  # fmt: skip
    values.update(changes)
    return AlertFired(**values)  # type: ignore[arg-type]


def test_a_notice_reads_back_exactly_decimals_times_and_all() -> None:
    notice = _fired()
    payload = to_payload(notice)
    assert payload["quiet"] is True
    assert read_payload(payload) == notice


def test_a_finished_text_row_from_before_notices_reads_as_none() -> None:
    assert read_payload({"text": "🔔 <b>BTC rises above 70,000 USD</b>", "buttons": []}) is None


@pytest.mark.parametrize(
    "payload",
    [
        {"notice": {"type": "no_such_notice"}},
        {"notice": "not an object"},
        {"notice": {"type": "alert_fired", "alert_id": "x"}},
    ],
)
def test_a_notice_that_cannot_be_read_is_an_error(payload: dict) -> None:
    with pytest.raises(ValueError):
        read_payload(payload)


def test_a_later_version_reads_an_older_row_with_defaults() -> None:
    data = to_payload(_fired())
    del data["notice"]["headlines"], data["notice"]["change_window"]
    notice = read_payload(data)
    assert notice is not None and notice.headlines == () and notice.change_window is None
