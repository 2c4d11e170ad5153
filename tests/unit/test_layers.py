"""The packages import each other only as ARCHITECTURE.md allows: core nothing of ours, db core,
services core and db, workers and bot those three and never each other; only the bot speaks
Telegram, only the workers ccxt and feedparser."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"core", "db", "services", "workers", "bot", "pythia"}
MAY_IMPORT = {
    "core": set(),
    "db": {"core"},
    "services": {"core", "db"},
    "workers": {"core", "db", "services"},
    "bot": {"core", "db", "services"},
    "pythia": OURS - {"pythia"},
}
ONLY_IN = {"telegram": {"bot"}, "ccxt": {"workers"}, "feedparser": {"workers"}}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_package_imports_only_what_it_may(package: str) -> None:
    broken = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            if name in OURS and name != package and name not in MAY_IMPORT[package]:
                broken.append(f"{path.relative_to(ROOT)} imports {name}")
            if name in ONLY_IN and package not in ONLY_IN[name]:
                broken.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not broken, "\n".join(broken)


def test_only_the_services_open_transactions() -> None:
    """Handlers, jobs and the sender call use cases; they never open a session."""
    opening = ("sessions()", "sessions.begin()", ".read() as session", ".write() as session",
               "write_for(")  # fmt: skip
    found = []
    for package in ("bot", "workers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "emulator" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {o}" for o in opening if o in text]
    assert not found, "\n".join(found)


def test_handlers_parse_call_one_use_case_and_reply_in_a_few_lines() -> None:
    long = []
    for path in [*sorted((ROOT / "bot" / "handlers").glob("*.py")), ROOT / "bot" / "confirm.py"]:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 25:
                    long.append(f"{path.relative_to(ROOT)}:{node.name} is {lines} lines")
    assert not long, "\n".join(long)


def test_modules_stay_small_enough_to_read_in_one_sitting() -> None:
    big = []
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > 400:
                big.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not big, "\n".join(big)
