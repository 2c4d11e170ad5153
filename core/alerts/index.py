"""The price-alert index: per symbol and side, thresholds in sorted order, so a tick finds the
alerts it fires by two binary searches and one slice instead of a scan over every alert. Pure.

Bounds, the same everywhere (`naive_crossed`, the backtest):
- "above" fires when the price goes from below the level to or past it: previous < level <= current;
- "below" fires when it goes from above the level to or past it: previous > level >= current.
So a tick replayed twice (previous == current) fires nothing, and a level equal to the new price
fires on that tick and not again on the next one (where it is the previous price).

Levels stay Decimal: a float key could round two different prices to one value and move an alert
across a boundary. Decimal comparisons run in C, and a tick does about 2·log2(n) of them, so the
exactness costs microseconds (bench/bench_alert_match.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from core.alerts.spec import Direction

AlertId = int


class IndexedAlert(NamedTuple):
    alert_id: AlertId
    symbol: str
    direction: Direction
    level: Decimal


class _Side:
    """One symbol's alerts on one side: `levels` ascending, `ids[i]` the alert at `levels[i]`.

    Two flat parallel lists rather than a level → ids mapping: matching is then one slice of
    `ids`, and removal is a bisect plus two deletions that shift pointers with memmove, a few
    microseconds at 20,000 alerts a side (measured in the benchmark).
    """

    __slots__ = ("ids", "levels")

    def __init__(self) -> None:
        self.levels: list[Decimal] = []
        self.ids: list[AlertId] = []


class AlertIndex:
    """Price alerts of many people, matched against ticks: `crossed(symbol, previous, price)`."""

    def __init__(self) -> None:
        self._sides: dict[tuple[str, Direction], _Side] = {}
        self._where: dict[AlertId, IndexedAlert] = {}  # the rows given, kept rather than copied

    @classmethod
    def build(cls, alerts: Iterable[IndexedAlert]) -> AlertIndex:
        """An index of many alerts at once: one sort per side instead of an insert per alert."""
        index = cls()
        grouped: dict[tuple[str, Direction], list[IndexedAlert]] = {}
        for alert in alerts:
            if alert.alert_id in index._where:
                raise ValueError(f"alert {alert.alert_id} given twice")
            _check_direction(alert.direction)
            index._where[alert.alert_id] = alert
            grouped.setdefault((alert.symbol, alert.direction), []).append(alert)
        for key, group in grouped.items():
            group.sort(key=lambda a: a.level)  # stable: equal levels keep their given order
            side = index._sides[key] = _Side()
            side.levels = [a.level for a in group]
            side.ids = [a.alert_id for a in group]
        return index

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, alert_id: object) -> bool:
        return alert_id in self._where

    def add(self, alert_id: AlertId, symbol: str, direction: Direction, level: Decimal) -> None:
        if alert_id in self._where:
            raise ValueError(f"alert {alert_id} is already in the index")
        _check_direction(direction)
        side = self._sides.setdefault((symbol, direction), _Side())
        at = bisect_right(side.levels, level)
        side.levels.insert(at, level)
        side.ids.insert(at, alert_id)
        self._where[alert_id] = IndexedAlert(alert_id, symbol, direction, level)

    def remove(self, alert_id: AlertId) -> bool:
        """Take an alert out (fired once, paused, deleted); False if it was not in."""
        alert = self._where.pop(alert_id, None)
        if alert is None:
            return False
        _, symbol, direction, level = alert
        side = self._sides[symbol, direction]
        lo, hi = bisect_left(side.levels, level), bisect_right(side.levels, level)
        at = side.ids.index(alert_id, lo, hi)
        del side.levels[at], side.ids[at]
        if not side.ids:
            del self._sides[symbol, direction]
        return True

    def crossed(self, symbol: str, previous: Decimal, current: Decimal) -> list[AlertId]:
        """The alerts a move from `previous` to `current` fires, nearest to `previous` first."""
        if current > previous:
            side = self._sides.get((symbol, "above"))
            if side is None:
                return []
            lo = bisect_right(side.levels, previous)
            return side.ids[lo : bisect_right(side.levels, current, lo)]
        if current < previous:
            side = self._sides.get((symbol, "below"))
            if side is None:
                return []
            lo = bisect_left(side.levels, current)
            return side.ids[lo : bisect_left(side.levels, previous, lo)][::-1]
        return []


def _check_direction(direction: str) -> None:
    if direction not in ("above", "below"):
        raise ValueError(f"direction is above or below, not {direction!r}")


def fires(direction: Direction, level: Decimal, previous: Decimal, current: Decimal) -> bool:
    """Whether one alert fires on a move from `previous` to `current` (the bounds above)."""
    if direction == "above":
        return previous < level <= current
    return previous > level >= current


def naive_crossed(
    alerts: Iterable[IndexedAlert], symbol: str, previous: Decimal, current: Decimal
) -> list[AlertId]:
    """Every alert checked one by one: the benchmark's baseline and the tests' oracle."""
    return [
        a.alert_id
        for a in alerts
        if a.symbol == symbol and fires(a.direction, a.level, previous, current)
    ]
