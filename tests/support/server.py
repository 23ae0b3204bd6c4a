"""Running the real gateway (`tagway serve`, gunicorn) in a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import tomli_w

TAGWAY = str(Path(sys.executable).parent / "tagway")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningGateway:
    """A gateway process group and where it listens."""

    url: str
    config_path: Path | None
    log_path: Path
    process: subprocess.Popen[bytes]
    port: int
    extra_args: list[str] = field(default_factory=list)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group: the gunicorn master and its workers."""
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return
        self.process.wait(timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def write_config(path: Path, config: dict[str, Any]) -> Path:
    path.write_bytes(tomli_w.dumps(config).encode())
    return path


def start(config_path: Path | None, log_path: Path, port: int | None = None, workers: int = 2,
          env: dict[str, str] | None = None, timeout: float = 30, cwd: Path | None = None) -> RunningGateway:
    """`tagway -c CONFIG serve --port N --workers W` (without -c: the environment alone), waiting for /readyz."""
    port = port or free_port()
    chosen = ["-c", str(config_path)] if config_path is not None else []
    args = [TAGWAY, *chosen, "serve", "--port", str(port), "--workers", str(workers)]
    log = log_path.open("ab")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=cwd,
                               env={**os.environ, **(env or {})})
    gateway = RunningGateway(f"http://127.0.0.1:{port}", config_path, log_path, process, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tagway serve exited with {process.returncode}:\n{gateway.log()}")
        try:
            if requests.get(gateway.url + "/readyz", timeout=1).status_code == 200:
                return gateway
        except requests.RequestException:
            pass
        time.sleep(0.1)
    gateway.kill()
    raise RuntimeError(f"tagway serve did not become ready:\n{gateway.log()}")


@contextmanager
def serving(config_path: Path | None, log_path: Path, **kwargs: Any) -> Iterator[RunningGateway]:
    gateway = start(config_path, log_path, **kwargs)
    try:
        yield gateway
    finally:
        gateway.kill(signal.SIGTERM)
