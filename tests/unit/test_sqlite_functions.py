"""SQLite connections get what Pythia's queries use: `ln` (a build option of SQLite's math
functions; the live record sums log losses) is added when the library lacks it."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

import pytest

from db.engine import _sqlite_pragmas


class WithoutMath:
    """A real SQLite connection whose library says it has no `ln` until one is created."""

    def __init__(self) -> None:
        self.connection = sqlite3.connect(":memory:")
        self.created = False

    def cursor(self) -> Any:
        outer = self

        class Cursor:
            def __init__(self) -> None:
                self.inner = outer.connection.cursor()

            def execute(self, sql: str) -> Any:
                if "ln(" in sql and not outer.created:
                    raise sqlite3.OperationalError("no such function: ln")
                return self.inner.execute(sql)

            def close(self) -> None:
                self.inner.close()

        return Cursor()

    def create_function(self, name: str, arity: int, func: Any, *, deterministic: bool) -> None:
        self.connection.create_function(name, arity, func, deterministic=deterministic)
        self.created = True


def test_ln_is_added_where_sqlite_lacks_it_and_means_the_same() -> None:
    bare = WithoutMath()
    _sqlite_pragmas(bare, None)
    assert bare.created
    found = bare.connection.execute("SELECT ln(2.5), ln(0), ln(-1), ln(NULL)").fetchone()
    assert found[0] == pytest.approx(math.log(2.5)) and found[1:] == (None, None, None)


def test_a_sqlite_with_ln_keeps_its_own() -> None:
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("SELECT ln(1)")
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no math functions: the test above covers it")
    calls: list[str] = []
    original = connection.create_function

    class Watched:
        def cursor(self) -> Any:
            return connection.cursor()

        def create_function(self, *args: Any, **kwargs: Any) -> None:
            calls.append(args[0])
            original(*args, **kwargs)

    _sqlite_pragmas(Watched(), None)
    assert calls == []
