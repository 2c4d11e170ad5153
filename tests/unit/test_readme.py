"""The README starts with the two set-up commands and documents every setting."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_readme_opens_with_make_run_and_make_test() -> None:
    block = README.split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]


def test_every_setting_is_documented_with_its_description() -> None:
    table = README.split("<!-- settings-table")[1].split("<!-- /settings-table -->")[0]
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in table.splitlines()
        if line.startswith("| `")
    }
    assert set(rows) == {name.upper() for name in Settings.model_fields}
    for name, field in Settings.model_fields.items():
        if field.description:
            assert field.description in rows[name.upper()], name


def test_every_bot_command_is_in_the_readme() -> None:
    from bot.commands import COMMANDS

    section = README.split("## In Telegram")[1].split("\n## ")[0]
    for command in COMMANDS:
        if command.name != "start":
            assert f"| `/{command.name}` |" in section, command.name
