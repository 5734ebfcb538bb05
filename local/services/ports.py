"""Loopback ports: pick a free one, wait until a server listens on one."""

from __future__ import annotations

import socket
import time

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, host: str = LOOPBACK, alive: object = None) -> None:
    """Return once `host:port` accepts connections; raise TimeoutError naming the port otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if callable(alive) and not alive():
                raise RuntimeError(f"the server for {host}:{port} exited before it listened") from None
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout:.0f}s")
