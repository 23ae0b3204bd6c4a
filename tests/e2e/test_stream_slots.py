"""An open live view never holds the last worker: slots come from the running server, not the configuration."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from tests.console.conftest import csrf_of
from tests.support.gateway import ADMIN_TOKEN, WRITE, base_config
from tests.support.server import serving, write_config

pytestmark = pytest.mark.e2e


def test_one_running_worker_keeps_ingesting_while_a_live_view_is_open(tmp_path: Path) -> None:
    config = base_config(tmp_path / "slots.db")
    config["server"] = {**config["server"], "workers": 4}  # the file says 4; one runs (tagway serve --workers 1)
    with serving(write_config(tmp_path / "tagway.toml", config), tmp_path / "gateway.log", workers=1) as gateway:
        browser = requests.Session()
        form = browser.get(f"{gateway.url}/console/login", timeout=5)
        signed_in = browser.post(f"{gateway.url}/console/login", timeout=5, allow_redirects=False,
                                 data={"token": ADMIN_TOKEN, "csrf_token": csrf_of(form.text)})
        assert signed_in.status_code == 303
        answered: list[str] = []

        def watch() -> None:
            answered.append(browser.get(f"{gateway.url}/console/api/live/stream?after=0-0", timeout=60).text)

        viewer = threading.Thread(target=watch)
        viewer.start()
        # With the slots of the file (4 // 2 = 2), the stream would hold the only worker for 25 s and this
        # event would wait behind it; with the running server's (1 // 2 = 0) the stream answers at once.
        response = requests.post(f"{gateway.url}/v1/events", json={"name": "Lead", "id": "slot-1"}, headers=WRITE,
                                 timeout=10)
        assert response.status_code == 200
        viewer.join(timeout=30)
        assert answered and "retry: 2000" in answered[0], "without a free slot the live view polls instead"
