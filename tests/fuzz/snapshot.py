"""Each person's rows, read between actions: what an action changed, and for whom."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from db.models import Base
from services.deps import Deps
from tests.fuzz.buttons import Known

# table -> the column naming the person whose row it is
PERSONAL = {
    "users": "id",
    "trades": "user_id",
    "watchlist": "user_id",
    "alerts": "user_id",
    "pending_actions": "user_id",
    "portfolio_snapshots": "user_id",
}
# what Telegram tells us about a person on every update is theirs to change, not the action's
IGNORED = {"users": {"last_seen_at", "first_name", "username", "language_code"}}

Row = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Snapshot:
    rows: dict[int, dict[str, frozenset[Row]]]  # person -> table -> rows
    known: Known

    def changed(self, after: Snapshot) -> dict[int, list[str]]:
        """Who had rows changed between this snapshot and `after`: person -> "table +a -r"."""
        changes: dict[int, list[str]] = {}
        for person in self.rows.keys() | after.rows.keys():
            before_rows, after_rows = self.rows.get(person, {}), after.rows.get(person, {})
            for table in PERSONAL:
                old = before_rows.get(table, frozenset())
                new = after_rows.get(table, frozenset())
                if old != new:
                    what = f"{table} +{len(new - old)} -{len(old - new)}"
                    changes.setdefault(person, []).append(what)
        return changes

    def count(self, table: str) -> int:
        return sum(len(tables.get(table, ())) for tables in self.rows.values())


async def take(deps: Deps, people: list[int]) -> Snapshot:
    """Everyone's rows now. On SQLite read straight from the file (the bot is idle when the
    fuzzer looks): a read through aiosqlite's thread costs some twenty times as much."""
    url = deps.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return _sorted(_read_sqlite(url.database), people)
    tables: dict[str, list[Any]] = {}
    async with deps.sessions() as session:
        for name in PERSONAL:
            result = await session.execute(select(Base.metadata.tables[name]))
            tables[name] = list(result.mappings())
    return _sorted(tables, people)


def _read_sqlite(path: str) -> dict[str, list[Any]]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        db.row_factory = sqlite3.Row
        return {name: db.execute(f'SELECT * FROM "{name}"').fetchall() for name in PERSONAL}


def _sorted(tables: dict[str, list[Any]], people: list[int]) -> Snapshot:
    """Rows by person and table; what a forger could learn from them on the side."""
    rows: dict[int, dict[str, frozenset[Row]]] = {}
    known = Known(people)
    for table, records in tables.items():
        ignored = IGNORED.get(table, set())
        grouped: dict[int, set[Row]] = {}
        for record in records:
            person = int(record[PERSONAL[table]])
            grouped.setdefault(person, set()).add(_row(record, ignored))
            _learn(known, table, person, record)
        for person, found in grouped.items():
            rows.setdefault(person, {})[table] = frozenset(found)
    return Snapshot(rows, known)


def _row(record: Any, ignored: set[str]) -> Row:
    names = record.keys()  # a sqlite3.Row iterates its values, not its names
    return tuple(sorted((k, repr(record[k])) for k in names if k not in ignored))


def _learn(known: Known, table: str, person: int, record: Any) -> None:
    if table == "alerts":
        known.alerts.setdefault(person, []).append(int(record["id"]))
    elif table == "pending_actions" and record["answered_at"] is None:
        known.tokens.setdefault(person, []).append(str(record["token"]))
