"""The current process's id, kept up to date across fork() so that asking for it costs no system call.

os.getpid() is a system call (glibc stopped caching it). The hot path asks on every write to
notice a fork (gunicorn forks its workers), so the id is kept here and updated in the child.
"""

from __future__ import annotations

import os

_pid = os.getpid()


def _note_fork() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_note_fork)


def current_pid() -> int:
    """The id of the calling process, as os.getpid() returns it."""
    return _pid
