"""docker-compose.yml validates with whichever Compose CLI this machine has.

There is no Docker engine here; `config` only parses and validates the file. Neither CLI is a
service Pythia needs, so without one the test is skipped, never failed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_file_validates_and_has_the_five_services() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose / docker-compose CLI on this machine")
    check = subprocess.run([*command, "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    listed = subprocess.run(
        [*command, "config", "--services"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert set(listed.stdout.split()) == {"postgres", "redis", "migrate", "bot", "workers"}


def test_every_long_running_service_has_a_health_check() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("postgres", "redis", "bot", "workers"):
        assert "healthcheck" in services[name], name
    for name in ("bot", "workers"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
