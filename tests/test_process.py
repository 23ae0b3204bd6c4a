"""The cached process id follows fork(), as connections and metrics files rely on it."""

from __future__ import annotations

import os

from app.process import current_pid


def test_the_process_id_is_the_real_one_in_the_parent_and_in_a_forked_child() -> None:
    assert current_pid() == os.getpid()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which reports through its exit status
        os._exit(0 if current_pid() == os.getpid() else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
