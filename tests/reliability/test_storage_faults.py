"""A bad day for the SQLite file under real gunicorn (2 sync workers): a stalled writer, a read-only file, a deleted
or replaced file, a full disk. Each answers 503 with Retry-After instead of hanging or acknowledging what is not
kept, /readyz says so without waiting, /healthz answers, and writes come back without a restart."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from tests.reliability.faults import (
    Ledger,
    assert_unavailable,
    can_run,
    gateway,
    health,
    readiness,
    ready_again,
    sqlite_config,
    stored_ids,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


@contextmanager
def writers_lock_held(database: Path) -> Iterator[None]:
    """The gateway's own writers' lock, held as a writer stalled in the middle of a write holds it."""
    descriptor = os.open(f"{database}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


@contextmanager
def sqlite_lock_held(database: Path) -> Iterator[None]:
    """SQLite's write lock, held by another program's open write transaction."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@contextmanager
def both_locks_held(database: Path) -> Iterator[None]:
    with writers_lock_held(database), sqlite_lock_held(database):
        yield


HOLDERS: list[Callable[[Path], AbstractContextManager[None]]] = [writers_lock_held, sqlite_lock_held,
                                                                  both_locks_held]


def test_a_held_lock_costs_a_503_not_a_hung_worker_and_loses_nothing(tmp_path: Path) -> None:
    database = tmp_path / "tagway.db"
    # Writers give up after 1 s; the locks below are held until the test lets go, however long that is.
    config = sqlite_config(tmp_path, database, busy_timeout_ms=1000)
    with gateway(config, tmp_path / "gateway.log") as running:
        ledger = Ledger(running.url)
        assert ledger.send().status_code == 200
        for hold in HOLDERS:
            with hold(database):
                assert health(running.url) == 200, "liveness never waits on storage"
                status, body = readiness(running.url)
                assert (status, body["reason"]) == (503, "busy"), hold.__name__
                for _ in range(3):  # on fresh connections: both workers meet the lock
                    assert_unavailable(ledger.send())
                assert health(running.url) == 200, "the workers are free again, not queued on the lock"
            assert readiness(running.url)[0] == 200
            ledger.resend_refused()
            assert ledger.send().status_code == 200
    assert stored_ids(database) == ledger.acknowledged


def immutable(*paths: Path, on: bool) -> None:
    """chattr +i / -i: the only read-only that root, whom the tests run as, cannot write through (modes it ignores)."""
    for path in paths:
        if path.exists():
            subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True)


def recovers_once_writable(url: str, ledger: Ledger, files: tuple[Path, ...]) -> None:
    """Read-only now (503, the reason on /readyz); writable again: what was refused is taken without a restart."""
    status, body = readiness(url)
    assert (status, body["reason"]) == (503, "read-only")
    immutable(*files, on=False)
    ledger.resend_refused()
    for _ in range(3):
        assert ledger.send().status_code == 200
    assert readiness(url)[0] == 200


def test_a_read_only_file_gives_503_and_writes_recover_without_a_restart(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.touch()
    if not can_run("chattr", "+i", str(probe)):
        pytest.skip("chattr +i is not possible here (needs root and a file system with the immutable flag)")
    immutable(probe, on=False)
    database = tmp_path / "tagway.db"
    config = sqlite_config(tmp_path, database)
    with gateway(config, tmp_path / "first.log") as running:  # creates and migrates the database
        ledger = Ledger(running.url)
        assert ledger.send().status_code == 200
    files = (database, Path(f"{database}-wal"))
    log = tmp_path / "gateway.log"
    immutable(*files, on=True)
    try:
        # Started read-only: every worker's connection opens read-only, which SQLite keeps so for good.
        with gateway(config, log, ready=False) as running:
            ledger.url = running.url
            assert "could not apply migrations" in running.log()
            for _ in range(3):
                assert_unavailable(ledger.send())
            recovers_once_writable(running.url, ledger, files)
            # Made read-only while the workers write: the open connections fail, then come back.
            immutable(*files, on=True)
            for _ in range(3):
                assert_unavailable(ledger.send())
            recovers_once_writable(running.url, ledger, files)
    finally:
        immutable(*files, on=False)
    assert stored_ids(database) == ledger.acknowledged


@pytest.mark.parametrize("fault", ["deleted", "replaced"])
def test_a_deleted_or_replaced_file_is_noticed_and_nothing_more_is_acknowledged(tmp_path: Path, fault: str) -> None:
    database = tmp_path / "tagway.db"
    config = sqlite_config(tmp_path, database)
    with gateway(config, tmp_path / "gateway.log") as running:
        ledger = Ledger(running.url)
        for _ in range(4):
            assert ledger.send().status_code == 200
        if fault == "deleted":
            database.unlink()
        else:  # a copy moved over it, as a careless restore does: the open file is no longer the database
            shutil.copy(database, tmp_path / "copy.db")
            os.replace(tmp_path / "copy.db", database)
        for _ in range(6):
            assert_unavailable(ledger.send())
        status, body = readiness(running.url)
        assert (status, body["reason"]) == (503, fault)
        assert health(running.url) == 200
        noticed = [json.loads(line) for line in running.log().splitlines() if f"database file {fault}" in line]
        assert 1 <= len(noticed) <= 2, "said once per worker, not once per refused write"
        assert {(line["level"], line["logger"]) for line in noticed} == {("ERROR", "tagway.storage")}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs: room for the database and its write-ahead log, and a full disk on demand."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not can_run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)):
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full; the file, to free the room again."""
    filler = disk / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_gives_503_and_writes_recover_once_there_is_room(tmp_path: Path, small_disk: Path) -> None:
    database = small_disk / "tagway.db"
    config = sqlite_config(tmp_path, database)
    with gateway(config, tmp_path / "gateway.log") as running:
        ledger = Ledger(running.url)
        assert ledger.send().status_code == 200
        filler = fill(small_disk)
        status, body = readiness(running.url)
        assert (status, body["reason"]) == (503, "disk-full")
        # Pages SQLite had already allocated still take some writes (kept, so acknowledged); then it refuses.
        answers = [ledger.send(50) for _ in range(40)]
        assert any(answer.status_code == 503 for answer in answers), "the full disk was never noticed"
        for answer in answers:
            if answer.status_code != 200:
                assert_unavailable(answer)
        filler.unlink()
        ledger.resend_refused()
        assert ledger.send().status_code == 200
        recovered = ready_again(running.url)
        assert recovered["status"] == "ok", recovered
    assert stored_ids(database) == ledger.acknowledged
