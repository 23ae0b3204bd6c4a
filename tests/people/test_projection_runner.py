"""The projection framework: commit order on PostgreSQL, a worker killed mid-batch, rebuilds, lag as a metric."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import orjson
import psycopg
import pytest
import tomli_w
from click.testing import CliRunner

from adapters.testing import Clock
from app.cli import main
from app.projections import Database, Projection, ProjectionRunner, StoredEvent
from app.projections.people.queries import People
from app.storage.records import EventRecord
from bench.people_traffic import store_traffic, traffic
from tests.people.support import ADMIN, people_config, shop
from tests.support.postgres import fresh_database

TAGWAY = str(Path(sys.executable).parent / "tagway")


def _event(event_id: str, anonymous_id: str, at: str = "2026-11-24T12:00:00.000Z") -> dict[str, object]:
    return {"id": event_id, "name": "PageView", "occurredAt": at, "receivedAt": at,
            "source": {"id": "site", "adapter": "gtm"}, "user": {"anonymousId": anonymous_id},
            "page": {"url": "https://shop.example.com/", "canonicalUrl": "https://shop.example.com/", "path": "/"}}


def test_an_event_committed_after_a_later_seq_is_not_skipped(postgres_url: str, tmp_path: Path) -> None:
    site = shop(fresh_database(postgres_url), tmp_path)
    runner = site.gateway.projection_runner()
    late = _event("late", "slow-browser")
    with psycopg.connect(site.gateway.storage.url, autocommit=False) as slow:  # type: ignore[attr-defined]
        slow.execute("INSERT INTO events (source_id, event_id, name, occurred_at, received_at, anonymous_id, body) "
                     "VALUES ('site', 'late', 'PageView', %s, %s, 'slow-browser', %s) RETURNING seq",
                     (late["occurredAt"], late["receivedAt"], orjson.dumps(late).decode()))
        # A second transaction draws a later seq and commits first.
        early = _event("early", "quick-browser")
        site.gateway.storage.store(None, [EventRecord(early, orjson.dumps(early))])
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            runner.step("people")
            time.sleep(0.05)
        assert runner.position("people") == 0, "nothing past the open transaction's seq is final yet"
        slow.commit()
    newest = runner.newest_seq()
    runner.catch_up("people", newest)
    people = People(site.gateway.storage)
    assert len(people.find("slow-browser")) == 1 and len(people.find("quick-browser")) == 1


def test_a_worker_killed_mid_batch_and_another_one_leave_what_a_rebuild_gives(
        database_url: str, tmp_path: Path) -> None:
    config = people_config(database_url, batch_size=100)
    config["delivery"] = {"poll_seconds": 0.05}
    config_path = tmp_path / "tagway.toml"
    config_path.write_text(tomli_w.dumps(config))
    site = shop(database_url, tmp_path)  # migrates the database
    total = store_traffic(site.gateway.storage, traffic(4000, visitors=300))
    runner = site.gateway.projection_runner()

    first = subprocess.Popen([TAGWAY, "-c", str(config_path), "worker"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while runner.position("people") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    stopped_at = runner.position("people")
    assert 0 < stopped_at < runner.newest_seq(), "killed while it was working through the backlog"

    second = subprocess.run([TAGWAY, "-c", str(config_path), "worker", "--once"], capture_output=True,
                            timeout=300, check=False)
    assert second.returncode == 0, second.stderr.decode()
    assert runner.position("people") == runner.newest_seq()
    after_crash = site.tables()
    assert len(after_crash["person_events"]) == total

    rebuilt = CliRunner().invoke(main, ["-c", str(config_path), "projections", "rebuild", "people"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"people: {total} events applied" in rebuilt.output
    assert "rebuilding people" in rebuilt.stderr
    assert site.tables() == after_crash
    status = CliRunner().invoke(main, ["-c", str(config_path), "projections", "status"])
    assert status.output == f"people: at event {runner.newest_seq()}, 0 events and 0.0 s behind\n"


def test_rebuild_names_the_projections_when_asked_for_an_unknown_one(tmp_path: Path) -> None:
    config_path = tmp_path / "tagway.toml"
    config_path.write_text(tomli_w.dumps(people_config(f"sqlite:///{tmp_path / 't.db'}")))
    shop(f"sqlite:///{tmp_path / 't.db'}", tmp_path)
    result = CliRunner().invoke(main, ["-c", str(config_path), "projections", "rebuild", "persons"])
    assert result.exit_code == 2
    assert "'persons' is not a projection; the projections are: people" in result.output


def test_the_lag_is_a_metric_until_the_worker_catches_up(database_url: str, tmp_path: Path) -> None:
    clock = Clock()
    site = shop(database_url, tmp_path, clock)
    site.browse("anon-1", "https://shop.example.com/")
    site.browse("anon-1", "https://shop.example.com/faq")
    clock.advance(seconds=90)
    metrics = site.client.get("/metrics").get_data(as_text=True)
    assert 'tagway_projection_lag_events{projection="people"} 2.0' in metrics
    assert 'tagway_projection_lag_seconds{projection="people"} 90.0' in metrics
    site.project()
    metrics = site.client.get("/metrics", headers=ADMIN).get_data(as_text=True)
    assert 'tagway_projection_lag_events{projection="people"} 0.0' in metrics
    assert 'tagway_projection_lag_seconds{projection="people"} 0.0' in metrics


def test_two_workers_at_once_apply_each_batch_once(postgres_url: str, tmp_path: Path) -> None:
    site = shop(fresh_database(postgres_url), tmp_path)
    total = store_traffic(site.gateway.storage, traffic(3000, visitors=200))
    runners = [site.gateway.projection_runner() for _ in range(2)]
    for runner in runners:
        runner.batch_size = 50
    threads = [threading.Thread(target=runner.catch_up, args=("people", runner.newest_seq())) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    together = site.tables()
    assert len(together["person_events"]) == total
    assert sum(row[4] for row in together["people"]) == total, "each event counted once"
    runners[0].reset("people")
    runners[0].catch_up("people", runners[0].newest_seq())
    assert site.tables() == together


class _Failing(Projection):
    """A projection with a bug: it fails on every batch."""

    name = "failing"
    tables = ()

    def apply(self, db: Database, events: Sequence[StoredEvent]) -> None:
        raise ValueError("a bug in a projection")


def test_a_failing_projection_is_logged_and_holds_back_only_itself(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.projections.runner.FAILURE_PAUSE_SECONDS", 0)
    site = shop(f"sqlite:///{tmp_path / 'f.db'}", tmp_path)
    site.browse("anon-f", "https://shop.example.com/")
    people = site.gateway.projections()
    runner = ProjectionRunner(site.gateway.storage, [_Failing(), *people], site.gateway.clock)
    assert runner.run_round(threading.Event()) == 1, "people went on"
    assert runner.position("failing") == 0 and runner.position("people") == runner.newest_seq()
    logged = capfd.readouterr().err  # the gateway's JSON log lines
    assert "a projection failed on its next batch" in logged and "a bug in a projection" in logged
