"""Fixtures for the emulator's own tests: a started emulator and a PTB Bot pointed at it."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.emulator import Emulator, User


def make_png(width: int = 64, height: int = 32) -> bytes:
    """A small but genuinely valid PNG (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """Emulator without flood limits (tests that exercise 429s build their own)."""
    async with Emulator(flood_limits=None) as emulator:
        yield emulator
    assert not emulator.internal_errors, emulator.internal_errors


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def alice(emu: Emulator) -> User:
    return emu.add_user("Alice", "alice")


@pytest.fixture
def bob(emu: Emulator) -> User:
    return emu.add_user("Bob", "bob", language_code="de")
