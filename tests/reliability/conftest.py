"""The reliability tests run only when asked for by name (`-m reliability`, `make reliability`):
pyproject's `-m 'not reliability'` keeps them out of `make test`, and this keeps them out of
other selections too (`-m postgres` would otherwise pick them up: they carry that marker)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "reliability" in (config.option.markexpr or "").replace("not reliability", ""):
        return
    chosen = [item for item in items if item.get_closest_marker("reliability") is None]
    if len(chosen) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen
