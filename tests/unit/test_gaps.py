"""Finding holes in candle series and where to resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.gaps import find_gaps, resume_from

T0 = datetime(2024, 1, 1, tzinfo=UTC)
H = timedelta(hours=1)


def test_a_complete_series_has_no_gaps() -> None:
    assert find_gaps([T0 + i * H for i in range(48)], "1h") == []


def test_holes_are_found_with_their_size() -> None:
    times = [T0, T0 + H, T0 + 4 * H, T0 + 5 * H, T0 + 7 * H]
    gaps = find_gaps(times, "1h")
    assert [(g.start, g.end, g.missing) for g in gaps] == [
        (T0 + 2 * H, T0 + 4 * H, 2),
        (T0 + 6 * H, T0 + 7 * H, 1),
    ]


def test_the_real_binance_outage_of_2021_04_25_is_a_gap() -> None:
    # Binance BTCUSDT 1h rows 484-490 of the shared export: 04:00 is followed by 08:00
    times = [datetime(2021, 4, 25, h, tzinfo=UTC) for h in (0, 1, 2, 3, 4, 8, 9)]
    (gap,) = find_gaps(times, "1h")
    assert (gap.start.hour, gap.end.hour, gap.missing) == (5, 8, 3)


def test_resume_from_the_last_candle_or_the_first_history() -> None:
    now = datetime(2026, 11, 26, 12, 34, tzinfo=UTC)
    assert resume_from(T0, "1h", now) == T0
    assert resume_from(None, "1m", now) == datetime(2026, 11, 25, 12, 34, tzinfo=UTC)
    assert resume_from(None, "1d", now).hour == 0
