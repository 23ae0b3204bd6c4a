"""The SQLite file seen from outside SQLite: the writers' lock with a deadline, the file's identity, its room."""

from __future__ import annotations

import fcntl
import logging
import os
import time

from app.process import current_pid
from app.storage.readiness import NotReady

log = logging.getLogger("tagway.storage")

MIN_FREE_BYTES = 1024 * 1024
"""Below this much free space in the database's folder, /readyz says a write may fail."""
_YIELDING_TRIES = 200
_PAUSE = 0.0002


def take_lock(descriptor: int, timeout: float) -> bool:
    """Take the exclusive flock, waiting at most `timeout` seconds; whether it was taken.

    Linux has no flock with a timeout: a blocking one would queue a writer for as long as a stalled
    holder keeps it. A write holds the lock for a few hundred microseconds, so the wait first yields the
    processor (to the holder, on a small machine) and tries again, then sleeps in short pauses: measured
    with two writing processes, this hands the lock over faster than a blocking flock's wake-up, where
    sleeping from the first try cost a third of the throughput.
    """
    deadline = None
    tries = 0
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            now = time.monotonic()
            deadline = now + timeout if deadline is None else deadline
            if now >= deadline:
                return False
        tries += 1
        if tries <= _YIELDING_TRIES:
            os.sched_yield()
        else:
            time.sleep(_PAUSE)


Identity = tuple[int, int]
"""(device, inode) of a file."""


def identity_of(path: str) -> Identity | None:
    """The file now at `path`, or None when there is none."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


class FileWatch:
    """Binds a process to the database file of its start, and notices when the path names another or none.

    An unlinked file still takes writes through the descriptors open on it, and they vanish with the
    last one: a gateway that went on acknowledging into it would lose every event at its restart.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._reported = False
        self._bind()

    def _bind(self) -> None:
        self._pid, self._identity = current_pid(), identity_of(self.path)

    def opened(self) -> None:
        """Check the file a new connection opened; it binds a process that had none (forked, or started without)."""
        if self._pid != current_pid() or self._identity is None:
            self._bind()
        self.check()

    def check(self) -> None:
        """Raise NotReady unless the path still names the file this process is bound to (one stat)."""
        if self._pid != current_pid() or self._identity is None:
            return  # bound to no file yet: opening one binds it
        now = identity_of(self.path)
        if now == self._identity:
            return
        what = "deleted" if now is None else "replaced"
        message = f"the database file was {what} while the gateway had it open; restart the gateway"
        if not self._reported:  # once per process: every refused write after it says the same
            self._reported = True
            log.error("database file %s: refusing writes", what, extra={"path": self.path})
        raise NotReady(what, message)


def file_problem(path: str) -> NotReady | None:
    """Why a write to the database at `path` would fail that SQLite cannot tell before trying, or None."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(path):
        return NotReady("missing", "there is no database file (`tagway db upgrade` creates it)")
    for target, name in ((path, "file"), (path + "-wal", "write-ahead log"), (folder, "folder")):
        # os.access, not the mode bits: it also sees read-only mounts and immutable files, which root obeys.
        if os.path.exists(target) and not os.access(target, os.W_OK):
            return NotReady("read-only", f"the database {name} is not writable")
    room = os.statvfs(folder)
    if room.f_bavail * room.f_frsize < MIN_FREE_BYTES:
        return NotReady("disk-full", f"less than {MIN_FREE_BYTES // 1024} KB free beside the database")
    return None
