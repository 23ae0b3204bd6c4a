"""The `tagway` command line, run as a user runs it."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from app.cli import main
from app.config import load_config
from app.registry import discover_adapters
from tests.support.gateway import ADMIN, ADMIN_TOKEN, WRITE, WRITE_KEY
from tests.support.server import free_port, serving
from tests.support.stored import stored_event_ids

TAGWAY = str(Path(sys.executable).parent / "tagway")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TAGWAY, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def test_init_writes_a_private_working_configuration_with_fresh_secrets(tmp_path: Path) -> None:
    first = run("init", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    path = tmp_path / "tagway.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = load_config(path, discover_adapters(), {})
    write_key = config.sources["website"].write_key
    assert write_key and write_key.startswith("wk_") and config.admin_token.startswith("adm_")
    assert write_key in first.stdout and "curl -X POST" in first.stdout
    again = run("init", cwd=tmp_path)
    assert again.returncode != 0 and "exists; use --force" in again.stderr
    forced = run("init", "--force", cwd=tmp_path)
    assert forced.returncode == 0
    assert load_config(path, discover_adapters(), {}).sources["website"].write_key != write_key


@pytest.mark.e2e
def test_the_first_event_command_printed_by_init_works(tmp_path: Path) -> None:
    port = free_port()
    printed = run("init", "--port", str(port), cwd=tmp_path).stdout
    send = next(line.strip() for line in printed.splitlines() if line.strip().startswith("curl -X POST"))
    look = next(line.strip() for line in printed.splitlines() if line.strip().startswith("curl http"))
    with serving(tmp_path / "tagway.toml", tmp_path / "serve.log", port=port):
        sent = subprocess.run(shlex.split(send), capture_output=True, text=True, timeout=30, check=True).stdout
        seen = subprocess.run(shlex.split(look), capture_output=True, text=True, timeout=30, check=True).stdout
    assert '"stored":1' in sent
    assert '"anonymousId":"first-visitor"' in seen


def test_check_url_prints_the_canonical_url_and_the_rules(tmp_path: Path) -> None:
    result = run("check-url", "HTTPS://Shop.Example.com:443/p?utm_source=x&b=2&a=1#top", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "canonical: https://shop.example.com/p?a=1&b=2"
    assert "  - drop-tracking-params (utm_source)" in result.stdout
    assert "campaign: source=x" in result.stdout
    bad = run("check-url", "/not/absolute", cwd=tmp_path)
    assert bad.returncode != 0 and "is not an absolute http or https URL" in bad.stderr


def test_check_url_uses_the_configured_rules(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    path = tmp_path / "tagway.toml"
    path.write_text(path.read_text().replace('# extra_drop_params = ["ref"]', 'extra_drop_params = ["ref"]'))
    result = run("check-url", "https://a.example/?ref=nav&q=1", cwd=tmp_path)
    assert "canonical: https://a.example/?q=1" in result.stdout


def test_adapters_lists_the_registry(tmp_path: Path) -> None:
    result = run("adapters", cwd=tmp_path)
    assert re.search(r"^canonical\s+Canonical JSON", result.stdout, re.MULTILINE)
    assert run("adapters", "list", cwd=tmp_path).stdout == result.stdout


def test_db_upgrade_is_idempotent(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    assert run("db", "upgrade", cwd=tmp_path).stdout.startswith("applied: 0001.initial")
    assert run("db", "upgrade", cwd=tmp_path).stdout.strip() == "database is up to date"


def test_a_bad_configuration_stops_with_every_problem_named(tmp_path: Path) -> None:
    (tmp_path / "tagway.toml").write_text('[admin]\ntoken = "short"\n[server]\nport = "x"\n')
    result = run("serve", cwd=tmp_path)
    assert result.returncode != 0
    assert "admin.token: must be at least 16 characters" in result.stderr
    assert "server.port: Not a valid integer." in result.stderr


def test_replay_command_replays_kept_rejections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    from app import create_app

    app = create_app(tmp_path / "tagway.toml")
    refused = app.test_client().post("/v1/events", json={"id": "r1", "name": "Lead"},
                                     headers={"Authorization": "Bearer rotated-key-0123456789"})
    assert refused.status_code == 401
    result = runner.invoke(main, ["replay", "--rejection", str(refused.get_json()["rejectionId"]),
                                  "--source", "website"])
    assert result.exit_code == 0, result.output
    assert "replayed 1: 1 accepted, 0 refused again" in result.output
    assert stored_event_ids(app.extensions["tagway"].storage, "website") == {"r1"}


def run_input(*args: str, cwd: Path, input: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TAGWAY, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
                          input=input)


def test_sources_add_stores_a_source_without_touching_the_file_and_prints_its_setup(tmp_path: Path) -> None:
    run("init", "--public-url", "https://events.example.com", cwd=tmp_path)
    before = (tmp_path / "tagway.toml").read_text()
    result = run("sources", "add", "canonical", "--id", "partner", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Webhook URL:    https://events.example.com/v1/webhooks/partner" in result.stdout
    assert "Events API URL: https://events.example.com/v1/events" in result.stdout
    assert "1. POST canonical events" in result.stdout
    assert "Pending" not in result.stdout, "an optional secret is not demanded"
    assert (tmp_path / "tagway.toml").read_text() == before, "sources added live are kept in the database"
    listed = run("sources", "list", cwd=tmp_path).stdout
    assert "partner  [canonical]  active  (database)" in listed
    assert "website  [canonical]  active  (tagway.toml)" in listed
    assert "Webhook URL:    https://events.example.com/v1/webhooks/partner" in listed
    website_key = load_config(tmp_path / "tagway.toml", discover_adapters(), {}).sources["website"].write_key
    assert website_key and website_key not in listed, "write keys are masked"


def test_sources_add_refuses_unknown_platforms_and_taken_ids(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    unknown = run("sources", "add", "shopfy", cwd=tmp_path)
    assert unknown.returncode != 0 and "unknown platform 'shopfy'; available:" in unknown.stderr
    taken = run("sources", "add", "canonical", "--id", "website", cwd=tmp_path)
    assert taken.returncode != 0 and "exists already" in taken.stderr
    assert run("sources", "add", "canonical", "--id", "shop", cwd=tmp_path).returncode == 0
    again = run("sources", "add", "gtm", "--id", "shop", cwd=tmp_path)
    assert again.returncode != 0 and "exists already" in again.stderr


def test_sources_add_gives_a_browser_source_its_own_write_key(tmp_path: Path) -> None:
    run("init", "--public-url", "https://events.example.com", cwd=tmp_path)
    result = run("sources", "add", "gtm", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    write_key = re.search(r"^Write key: +(\S+)$", result.stdout, re.MULTILINE)
    assert write_key and write_key[1].startswith("wk_")
    assert "Gateway URL:    https://events.example.com\n" in result.stdout
    assert "Webhook URL" not in result.stdout, "the GTM tag sends to /v1/collect, not to a webhook"
    assert "Import" in result.stdout, "the template's setup steps follow"
    listed = run("sources", "list", cwd=tmp_path).stdout
    assert "gtm  [gtm]  active  (database)" in listed and "Gateway URL:    https://events.example.com\n" in listed
    assert write_key[1] not in listed and write_key[1] in run("sources", "list", "--reveal", cwd=tmp_path).stdout


def test_sources_add_print_only_gives_a_valid_toml_entry_with_any_title(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    path = tmp_path / "tagway.toml"
    title = 'Shop "Ünïcode" \\ C:\\shops\nsecond line — 日本'
    result = run("sources", "add", "gtm", "--id", "shop", "--title", title, "--print-only", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    entry = result.stdout.split("\n\n", 1)[0]
    assert "shop" not in run("sources", "list", cwd=tmp_path).stdout, "printed only: nothing stored"
    path.write_text(path.read_text() + "\n" + re.sub(r"^# (\w+ = )", r"\1", entry, flags=re.MULTILINE))
    config = load_config(path, discover_adapters(), {})
    assert config.sources["shop"].title == title
    assert config.sources["shop"].settings["rename"] == {"chat_open": "UserChatOpen"}, "the examples are valid"
    assert "shop  [gtm]  active  (tagway.toml)" in run("sources", "list", cwd=tmp_path).stdout


def test_sources_add_print_only_writes_the_settings_given_and_the_snippet_follows_them(tmp_path: Path) -> None:
    run("init", "--public-url", "https://events.shop.com", cwd=tmp_path)
    path = tmp_path / "tagway.toml"
    result = run("sources", "add", "web", "--id", "site", "--setting", "cookie_domain=shop.com", "--print-only",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    entry = result.stdout.split("\n\n", 1)[0]
    assert re.search(r'^cookie_domain = "shop.com" +# ', entry, re.MULTILINE), entry
    assert '"cookieDomain": "shop.com"' in result.stdout, "the printed snippet carries the setting given"
    path.write_text(path.read_text() + "\n" + entry)
    assert load_config(path, discover_adapters(), {}).sources["site"].settings["cookie_domain"] == "shop.com"
    unknown = run("sources", "add", "web", "--setting", "cookie_domian=shop.com", "--print-only", cwd=tmp_path)
    assert unknown.returncode != 0 and "--setting cookie_domian: web has no such setting" in unknown.stderr
    secret = run("sources", "add", "shopify", "--secret", "secret", "--print-only", cwd=tmp_path)
    assert secret.returncode != 0 and "environment variables" in secret.stderr


def test_sources_add_refuses_an_id_that_cannot_be_part_of_a_url(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    result = run("sources", "add", "canonical", "--id", 'my "shop"', cwd=tmp_path)
    assert result.returncode != 0 and "--id 'my \"shop\"': must be 1-63 lower-case letters" in result.stderr
    assert "my" not in run("sources", "list", cwd=tmp_path).stdout


def test_a_source_waits_for_its_secret_then_is_changed_and_deleted(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    added = run("sources", "add", "shopify", "--id", "shop", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "Pending: it waits for secret." in added.stdout and "tagway sources set shop --secret" in added.stdout
    assert "shop  [shopify]  pending  (database)" in run("sources", "list", cwd=tmp_path).stdout
    assert "waits for secret: not set yet" in run("sources", "list", cwd=tmp_path).stdout
    wrong = run("sources", "set", "shop", "--setting", "nonsense=1", cwd=tmp_path)
    assert wrong.returncode != 0 and "source 'shop'.nonsense: unknown key" in wrong.stderr
    secret = "shpss_secret_0123456789"
    given = run_input("sources", "set", "shop", "--secret", "secret", "--title", "My shop", cwd=tmp_path,
                      input=secret + "\n")
    assert given.returncode == 0, given.stderr
    assert "Source 'shop' is active." in given.stdout and secret not in given.stdout, "a secret is not echoed"
    listed = run("sources", "list", cwd=tmp_path).stdout
    assert "shop  [shopify]  active  (database)  My shop" in listed
    assert "disabled" in run("sources", "set", "shop", "--disable", cwd=tmp_path).stdout
    file_source = run("sources", "set", "website", "--disable", cwd=tmp_path)
    assert file_source.returncode != 0 and "defined in tagway.toml" in file_source.stderr
    assert run("sources", "delete", "website", "--yes", cwd=tmp_path).returncode != 0
    assert run("sources", "delete", "shop", "--yes", cwd=tmp_path).returncode == 0
    assert "shop" not in run("sources", "list", cwd=tmp_path).stdout


def test_init_writes_values_with_any_character_as_toml(tmp_path: Path) -> None:
    result = run("init", "--host", 'local"host\\', "--public-url", "https://events.example.com", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert load_config(tmp_path / "tagway.toml", discover_adapters(), {}).server.host == 'local"host\\'


def test_without_a_file_or_variables_serve_says_what_to_set(tmp_path: Path) -> None:
    result = run("serve", cwd=tmp_path)
    assert result.returncode != 0
    assert "admin.token: missing: this key is required (or TAGWAY_ADMIN__TOKEN; `tagway init`" in result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing written"


@pytest.mark.e2e
def test_serve_starts_from_the_environment_alone(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    database = tmp_path / "events.db"
    environment = {
        "TAGWAY_STORAGE__URL": f"sqlite:///{database}", "TAGWAY_ADMIN__TOKEN": ADMIN_TOKEN,
        "TAGWAY_SOURCES": json.dumps([{"id": "web", "adapter": "canonical", "write_key": "${WEB_WRITE_KEY}"}]),
        "WEB_WRITE_KEY": WRITE_KEY, "TAGWAY_LOGGING__LEVEL": "debug"}
    with serving(None, tmp_path / "serve.log", cwd=empty, env=environment) as gateway:
        event = {"id": "from-env", "name": "Lead"}
        sent = requests.post(f"{gateway.url}/v1/events", json=event, headers=WRITE, timeout=5)
        assert sent.status_code == 200 and sent.json()["stored"] == 1
        listed = requests.get(f"{gateway.url}/v1/events", params={"id": "from-env"}, headers=ADMIN, timeout=5)
        assert [item["event"]["id"] for item in listed.json()["items"]] == ["from-env"]
    assert database.exists() and list(empty.iterdir()) == [], "the database is where the variable says"
    log = (tmp_path / "serve.log").read_text()
    assert '"level": "DEBUG", "logger": "tagway.http", "message": "request"' in log, "the level reaches the workers"
    # The default public URL is this machine's: fine for a first try, and said so with how to fix it.
    assert "warning: the public URL http://127.0.0.1:8000 is this machine's own address" in log
    assert "console: http://127.0.0.1:8000/console" in log
    worker = subprocess.run([TAGWAY, "worker", "--once"], cwd=empty, env={**os.environ, **environment},
                            capture_output=True, text=True, timeout=60, check=False)
    assert worker.returncode == 0 and "handled 0 outbox rows" in worker.stdout, worker.stderr


def test_a_worker_started_without_its_database_file_says_so_and_makes_none(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    database = tmp_path / "tagway.db"
    assert not database.exists()
    result = run("worker", "--once", cwd=tmp_path)
    assert result.returncode != 0 and "the database is not up to date; run `tagway db upgrade`" in result.stderr
    assert not database.exists(), "asking which migrations are pending created no empty database"
