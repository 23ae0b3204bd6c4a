"""Sources added, completed, changed and deleted while the real gateway runs (gunicorn, two workers): no restart."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from app.sources.catalog import REFRESH_SECONDS
from tests.support.gateway import ADMIN, WRITE, base_config
from tests.support.platforms import shopify_order, until
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e

TAGWAY = str(Path(sys.executable).parent / "tagway")
SECRET = "shpss_live_0123456789abcdef"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[RunningGateway, Path]]:
    config_path = write_config(tmp_path / "tagway.toml", base_config(tmp_path / "events.db"))
    with serving(config_path, tmp_path / "serve.log", workers=2) as gateway:
        yield gateway, config_path


def tagway(config_path: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([TAGWAY, "-c", str(config_path), *args], capture_output=True, text=True, timeout=60,
                            check=False, input=input)
    assert result.returncode == 0, result.stderr
    return result


def test_a_shopify_source_waits_for_its_secret_while_the_others_run(running: tuple[RunningGateway, Path]) -> None:
    gateway, config_path = running
    added = tagway(config_path, "sources", "add", "shopify", "--id", "shop")
    assert "Pending: it waits for secret" in added.stdout
    body, headers = shopify_order(SECRET)
    url = f"{gateway.url}/v1/webhooks/shop"

    waiting = until(lambda: requests.post(url, data=body, headers=headers, timeout=5), 503)
    assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "60"
    problem = waiting.json()
    assert problem["type"] == "urn:tagway:problem:source-pending" and problem["errors"][0]["field"] == "secret"
    assert "tagway sources set shop" in problem["errors"][0]["expectation"]
    kept = requests.get(f"{gateway.url}/v1/rejections/{problem['rejectionId']}", headers=ADMIN, timeout=5).json()
    assert kept["sourceId"] == "shop" and kept["bodySize"] == len(body), "the input is kept whole"
    other = requests.post(f"{gateway.url}/v1/events", json={"id": "meanwhile", "name": "Lead"}, headers=WRITE,
                          timeout=5)
    assert other.status_code == 200 and other.json()["stored"] == 1, "every other source runs"

    tagway(config_path, "sources", "set", "shop", "--secret", "secret", input=SECRET + "\n")
    settle()
    stored = requests.post(url, data=body, headers=headers, timeout=5)
    assert stored.status_code == 200 and stored.json()["stored"] == 1, stored.text
    for _ in range(4):  # both workers take it now; the platform's retries are duplicates
        again = requests.post(url, data=body, headers=headers, timeout=5)
        assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert len(stored_event_ids_of(gateway, "shop")) == 1


def test_a_browser_source_added_disabled_and_deleted_takes_effect_on_every_worker(
        running: tuple[RunningGateway, Path]) -> None:
    gateway, config_path = running
    added = tagway(config_path, "sources", "add", "gtm", "--id", "site")
    write_key = next(line.split()[-1] for line in added.stdout.splitlines() if line.startswith("Write key:"))
    pixel = f"{gateway.url}/v1/collect"

    def send(number: int) -> requests.Response:
        payload = {"v": 1, "id": f"pv-{number}", "event": "chat_open", "data": {"event": "chat_open"},
                   "page": {"url": "https://shop.example.com/", "title": "Home"}}
        return requests.post(pixel, params={"k": write_key}, data=json.dumps(payload),
                             headers={"Content-Type": "text/plain"}, timeout=5)

    settle()
    assert all(send(n).status_code == 200 for n in range(7)), "every worker knows the new key"
    tagway(config_path, "sources", "set", "site", "--disable")
    settle()
    assert all(send(n).status_code == 401 for n in range(101, 107)), "no worker takes a disabled source's input"
    tagway(config_path, "sources", "delete", "site", "--yes")
    assert "site  [gtm]" not in tagway(config_path, "sources", "list").stdout
    assert stored_event_ids_of(gateway, "site") == {f"pv-{n}" for n in range(7)}


def settle() -> None:
    """Wait out the time within which every worker takes a change of the sources (the documented guarantee)."""
    time.sleep(REFRESH_SECONDS + 0.5)


def stored_event_ids_of(gateway: RunningGateway, source_id: str) -> set[Any]:
    listed = requests.get(f"{gateway.url}/v1/events", params={"source": source_id, "limit": 100}, headers=ADMIN,
                          timeout=5).json()
    return {item["event"]["id"] for item in listed["items"]}



def test_a_file_source_whose_secret_variable_is_unset_does_not_stop_the_start(tmp_path: Path) -> None:
    config = base_config(tmp_path / "events.db")
    config["sources"].append({"id": "shop", "adapter": "shopify", "secret": "${SHOP_SECRET_NOT_SET}"})
    config_path = write_config(tmp_path / "tagway.toml", config)
    with serving(config_path, tmp_path / "serve.log", workers=1) as gateway:
        body, headers = shopify_order(SECRET)
        waiting = requests.post(f"{gateway.url}/v1/webhooks/shop", data=body, headers=headers, timeout=5)
        assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "60"
        assert "environment variable SHOP_SECRET_NOT_SET is not set" in waiting.json()["errors"][0]["expectation"]
        other = requests.post(f"{gateway.url}/v1/events", json={"id": "ok", "name": "Lead"}, headers=WRITE,
                              timeout=5)
        assert other.status_code == 200
        listed = tagway(config_path, "sources", "list").stdout
        assert "shop  [shopify]  pending  (tagway.toml)" in listed
    assert "source 'shop' is pending" in gateway.log() and "SHOP_SECRET_NOT_SET" in gateway.log()
