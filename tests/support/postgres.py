"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, no system service.

PostgreSQL refuses to run as root; when the tests run as root, the server runs as the `postgres`
user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]


def server_binaries() -> Path:
    """The folder of initdb and pg_ctl, installing PostgreSQL first when it is missing."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates and not shutil.which("initdb"):
        subprocess.run([str(ROOT / "scripts" / "ensure-postgres")], check=True)
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    initdb = candidates[-1] if candidates else shutil.which("initdb")
    assert initdb, "PostgreSQL's initdb was not found even after scripts/ensure-postgres"
    return Path(initdb).parent


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@contextmanager
def postgres_server(port: int, durable: bool = False) -> Iterator[str]:
    """Run a server on 127.0.0.1:`port` until the block ends; yields the URL of its `postgres` database.

    `durable=False` turns fsync off: the tests kill gateways, not the database, and run faster.
    """
    binaries = server_binaries()
    base = Path(tempfile.mkdtemp(prefix="tagway-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        os.chown(sockets, owner.pw_uid, owner.pw_gid)
    subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "tagway",
                                    "-E", "UTF8", "--locale=C"]), check=True, stdout=subprocess.DEVNULL)
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                    str(base / "server.log"), "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgresql://tagway@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       check=False, stdout=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(server_url: str) -> str:
    """A new empty database on the server; its URL."""
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name
