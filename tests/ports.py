"""A loopback port nobody listens on, for a server a test or benchmark starts (or for a
connection that must be refused)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port the system just handed out and took back: free unless another process takes it
    in the moment before it is used."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
