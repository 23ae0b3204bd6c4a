"""Debian's Caddy and nginx run in the foreground in front of a gateway, with the configuration files of deploy/."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROXIES = ("caddy", "nginx")


def ensure_proxies() -> None:
    """Install Caddy and nginx from Debian's packages when missing (scripts/ensure-proxies)."""
    subprocess.run([str(ROOT / "scripts" / "ensure-proxies")], check=True)


def _binary(name: str) -> str:
    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if Path(p).exists()),
                                       None)
    assert found, f"{name} is missing even after scripts/ensure-proxies"
    return found


def _caddy(folder: Path, port: int, upstream: str) -> tuple[list[str], dict[str, str]]:
    """deploy/Caddyfile as it is, its placeholders set from the environment: plain http on a local port.

    A public certificate cannot be had here, so the site is `http://127.0.0.1:<port>` (no automatic HTTPS).
    """
    env = {**os.environ, "TAGWAY_SITE": f"http://127.0.0.1:{port}", "TAGWAY_UPSTREAM": upstream,
           "TAGWAY_CADDY_ADMIN": "off", "HOME": str(folder), "XDG_DATA_HOME": str(folder / "data"),
           "XDG_CONFIG_HOME": str(folder / "config")}
    return [_binary("caddy"), "run", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")], env


def _nginx(folder: Path, port: int, upstream: str) -> tuple[list[str], dict[str, str]]:
    """A minimal nginx.conf around deploy/nginx/tagway-proxy.conf, included as it is, on a plain http port.

    deploy/nginx/tagway.conf's own server blocks need a certificate; what they include is what matters.
    """
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(f"""
daemon off;
master_process on;
worker_processes 1;
user {getpass.getuser()};
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    upstream tagway {{
        server {upstream};
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        include {DEPLOY / "nginx" / "tagway-proxy.conf"};
    }}
}}
""")
    return [_binary("nginx"), "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)], dict(os.environ)


@contextmanager
def proxy(name: str, folder: Path, upstream: str, timeout: float = 30) -> Iterator[str]:
    """Run the named proxy in front of `upstream` (host:port); yields its base URL once it answers /healthz."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args, env = (_caddy if name == "caddy" else _nginx)(folder, port, upstream)
    log = (folder / f"{name}.log").open("ab")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{_log(folder, name)}")
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer:\n{_log(folder, name)}")
            time.sleep(0.1)
        yield url
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _log(folder: Path, name: str) -> str:
    return "\n".join(p.read_text(errors="replace") for p in (folder / f"{name}.log", folder / "error.log")
                     if p.exists())
