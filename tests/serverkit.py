"""Real `unspin serve` processes for the server tests (a pytest plugin loaded by conftest.py).

Each server is the command a user runs, on a free loopback port, with its own SQLite store and knowledge base
under a temporary folder; tests talk to it over HTTP.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).parent.parent
READ_KEY = "read-key-0123456789abcdef"
ADMIN_KEY = "admin-key-0123456789abcdef"
RATE_KEY = "rate-key-0123456789abcdef"  # only the rate-limit test uses it, so it alone runs out
RATE_LIMIT = 240
QUEUE_SIZE = 2
LOOPBACK_ALLOWED = "127.0.0.3"  # the one loopback address the test server may fetch from (allow-list)
ARTIFACTS = ROOT / "build" / "test-artifacts"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """One `unspin serve` subprocess; ``url`` is its base URL."""

    workdir: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / f"server-{self.port}.log"

    def start(self, *, ready_timeout: float = 600) -> Server:
        self.port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "unspin.cli",
            "serve",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        env = {**os.environ, **self.env}
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [*cmd, *self.args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"unspin serve exited {self.proc.returncode}: {self.log.read_text()[-2000:]}"
                )
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"unspin serve not ready after {ready_timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def client(self, key: str | None = READ_KEY, timeout: float = 300) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout, trust_env=False)


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server most tests share: API keys on, a small queue, one allow-listed loopback address."""
    work = tmp_path_factory.mktemp("server")
    server = Server(
        work,
        args=[
            "--db",
            str(work / "store.sqlite"),
            "--kb",
            str(work / "kb.sqlite"),
            "--rate-limit",
            str(RATE_LIMIT),
            "--queue-size",
            str(QUEUE_SIZE),
            "--url-allow-network",
            f"{LOOPBACK_ALLOWED}/32",
        ],
        env={"UNSPIN_API_KEYS": f"{READ_KEY},{RATE_KEY}", "UNSPIN_ADMIN_KEYS": ADMIN_KEY},
    ).start()
    yield server
    server.stop()
