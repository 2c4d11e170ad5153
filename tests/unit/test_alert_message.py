"""What a fired alert says: escaped, short, with its buttons; quiet hours in the person's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.alerts.grammar import parse_alert
from core.alerts.message import (
    MAX_TEXT,
    Firing,
    alert_payload,
    alert_summary,
    alert_text,
    quiet_until,
)

NOW = datetime(2026, 11, 26, 13, 5, tzinfo=UTC)


def firing(text: str = "BTC > 70000", **kwargs: object) -> Firing:
    values: dict = {
        "alert_id": 42,
        "user_id": 7,
        "spec": parse_alert(text, NOW),
        "trigger": NOW.isoformat(),
        "at": NOW,
        "price": Decimal("70012.5"),
        "quote": "USDT",
        "change_pct": Decimal("2.314"),
    }
    return Firing(**(values | kwargs))


def test_a_one_shot_price_alert_says_what_fired_the_price_when_and_that_it_is_off() -> None:
    text = alert_text(firing(), "Europe/Berlin")
    assert text.splitlines() == [
        "🔔 <b>BTC rises above 70,000 USD — once</b>",
        "BTC is at <code>70,012.50</code> USDT  ▲ +2.31% 24h",
        "<i>26 Nov 2026, 14:05 CET</i>",
        "It fired once and is now off; set a new one with /alert.",
    ]


def test_a_recurring_alert_counts_its_firings_and_says_when_it_may_fire_again() -> None:
    text = alert_text(firing("ETH -5% 1h every 2h", fire_count=3, change_pct=None))
    assert "ETH falls 5% or more within 1 hour — every 2 hours at most" in text
    assert "ETH is at <code>70,012.50</code> USDT\n" in text  # no change known: none shown
    assert text.endswith("Fired 3 times; it can fire again from 15:05 (at most every 2 hours).")


def test_a_paused_alert_says_so() -> None:
    text = alert_text(firing("BTC > 70000 every 1h", fire_count=2), paused=True)
    assert text.endswith("Fired twice; paused — resume it from /alerts.")


def test_a_fall_shows_a_down_arrow_and_its_span() -> None:
    text = alert_text(firing(change_pct=Decimal("-5.2"), change_span="1 hour"))
    assert "▼ −5.20% 1 hour" in text


def test_headlines_are_listed_escaped_and_linked_only_when_the_link_is_a_web_address() -> None:
    headlines = [
        {"title": "ETFs <see> record inflows", "url": "https://x.test/a?b=1&c=2", "source": "Wire"},
        "A bare title & more",
        {"title": "Evil link", "url": "javascript:alert(1)"},
        {"title": "   "},
        {"title": "Not shown: only three"},
    ]
    text = alert_text(firing(), headlines=headlines)
    news = text.split("\n\n", 1)[1].splitlines()
    assert news == [
        "📰 <b>Latest on BTC</b>",
        '• <a href="https://x.test/a?b=1&amp;c=2">ETFs &lt;see&gt; record inflows</a>'
        " — <i>Wire</i>",
        "• A bare title &amp; more",
        "• Evil link",
    ]


def test_no_headlines_no_news_section() -> None:
    assert "Latest on" not in alert_text(firing(), headlines=[])


@given(st.lists(st.text(min_size=1, max_size=5000), max_size=10))
def test_the_message_stays_under_telegrams_limit_whatever_the_headlines(titles) -> None:
    assert len(alert_text(firing(), headlines=titles)) <= MAX_TEXT


def test_the_summary_is_one_line_with_the_condition_the_price_and_the_local_time() -> None:
    line = alert_summary(firing(), "America/New_York")
    assert line == "BTC rises above 70,000 USD — <code>70,012.50</code> USDT at 08:05"


def test_the_payload_has_the_fields_the_sender_reads() -> None:
    payload = alert_payload(firing(), "UTC", quiet=True)
    assert payload["buttons"] == [
        [
            {"text": "📈 Chart", "callback_data": "alertchart:BTC"},
            {"text": "⏸ Pause", "callback_data": "alert:pause:42"},
        ]
    ]
    assert (payload["alert_id"], payload["user_id"], payload["symbol"]) == (42, 7, "BTC")
    assert (payload["quiet"], payload["headlines"]) == (True, [])
    assert payload["text"] == alert_text(firing(), "UTC")
    assert payload["summary"] == alert_summary(firing(), "UTC")
    with_news = alert_payload(firing(), headlines=["Halving soon"])
    assert with_news["headlines"] == ["Halving soon"]
    assert with_news["text"].endswith("📰 <b>Latest on BTC</b>\n• Halving soon")


def test_the_dedupe_key_names_the_alert_and_the_trigger() -> None:
    assert firing(trigger="1h:2026-11-26T12:00:00+00:00").dedupe_key == (
        "alert:42:1h:2026-11-26T12:00:00+00:00"
    )


# ---- quiet hours ---------------------------------------------------------------------------------


def at(hour: int, minute: int = 0, day: int = 26, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_outside_quiet_hours_nothing_waits() -> None:
    assert quiet_until(at(12), "UTC", 22 * 60, 7 * 60) is None
    assert quiet_until(at(7), "UTC", 22 * 60, 7 * 60) is None  # the end is not quiet any more


def test_quiet_hours_that_wrap_midnight_end_the_next_morning() -> None:
    assert quiet_until(at(22), "UTC", 22 * 60, 7 * 60) == at(7, day=27)
    assert quiet_until(at(23, 59), "UTC", 22 * 60, 7 * 60) == at(7, day=27)
    assert quiet_until(at(3), "UTC", 22 * 60, 7 * 60) == at(7)


def test_quiet_hours_within_one_day() -> None:
    assert quiet_until(at(13), "UTC", 12 * 60, 14 * 60 + 30) == at(14, 30)
    assert quiet_until(at(11, 59), "UTC", 12 * 60, 14 * 60 + 30) is None


def test_quiet_hours_are_the_persons_local_time() -> None:
    # 23:30 in Tokyo is 14:30 UTC; quiet until 07:00 Tokyo, 22:00 UTC
    assert quiet_until(at(14, 30), "Asia/Tokyo", 22 * 60, 7 * 60) == at(22)
    assert quiet_until(at(14, 30), "UTC", 22 * 60, 7 * 60) is None


def test_quiet_hours_end_at_the_local_wall_time_across_a_clock_change() -> None:
    # Berlin leaves summer time on 25 Oct 2026: 02:00 at night is 00:00 UTC, 07:00 is 06:00 UTC
    assert quiet_until(at(0, 0, day=25, month=10), "Europe/Berlin", 22 * 60, 7 * 60) == at(
        6, day=25, month=10
    )


def test_no_or_empty_quiet_hours_mean_none() -> None:
    assert quiet_until(at(3), "UTC", None, 7 * 60) is None
    assert quiet_until(at(3), "UTC", 5 * 60, 5 * 60) is None


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
        max_value=datetime(2030, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.integers(0, 1439),
    st.integers(0, 1439),
    st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
)
def test_quiet_hours_end_in_the_future_within_a_day(now, start, end, zone) -> None:
    until = quiet_until(now, zone, start, end)
    if until is not None:
        assert now < until <= now + timedelta(days=1, hours=1)
        assert quiet_until(until, zone, start, end) is None
