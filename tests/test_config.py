"""The configuration (tagway.toml, TAGWAY_* variables): validated at start-up, messages naming key and expectation."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from marshmallow import fields

from app.config import ConfigError, find_config_path, load_config
from app.config.schema import TopSchema
from app.logs import configure_logging
from app.registry import discover_adapters

ADAPTERS = discover_adapters()
GOOD = """
[admin]
token = "adm_0123456789abcdef"

[[sources]]
id = "web"
adapter = "canonical"
write_key = "wk_0123456789abcdef"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tagway.toml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), ADAPTERS, environ or {})
    return caught.value.problems


def test_a_minimal_configuration_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ADAPTERS, {})
    assert config.limits.max_event_bytes == 32 * 1024
    assert config.limits.max_request_bytes == 512 * 1024
    assert config.limits.max_batch_events == 500
    assert config.limits.max_json_depth == 32
    assert config.sources["web"].write_key == "wk_0123456789abcdef"
    assert config.storage.url == f"sqlite:///{tmp_path / 'tagway.db'}", "relative to the configuration file"


def test_unknown_key_is_named(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD + "\n[limits]\nmax_events_bytes = 10\n") == [
        "limits.max_events_bytes: unknown key (check its spelling and section)."]


def test_wrong_type_is_named(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD + "\n[server]\nport = 'eighty'\n") == ["server.port: Not a valid integer."]


def test_missing_admin_token_is_named(tmp_path: Path) -> None:
    text = GOOD.replace('[admin]\ntoken = "adm_0123456789abcdef"\n', "")
    assert problems(tmp_path, text) == [
        "admin.token: missing: this key is required (or TAGWAY_ADMIN__TOKEN; `tagway init` writes a fresh one)."]


def test_the_admin_token_lockout_has_defaults_and_limits(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ADAPTERS, {})
    assert (config.admin.lockout_failures, config.admin.lockout_seconds) == (10, 900)
    text = GOOD.replace('token = "adm_0123456789abcdef"\n', 'token = "adm_0123456789abcdef"\nlockout_failures = 0\n')
    assert problems(tmp_path, text) == ["admin.lockout_failures: Must be greater than or equal to 1 and less than or "
                                        "equal to 10000."]


def test_short_secret_is_refused(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("wk_0123456789abcdef", "short"))
    assert problem.startswith("sources[0].write_key: must be at least 16 characters")


def test_secret_from_environment(tmp_path: Path) -> None:
    text = GOOD.replace('"adm_0123456789abcdef"', '"${TAGWAY_TEST_ADMIN}"')
    config = load_config(write(tmp_path, text), ADAPTERS, {"TAGWAY_TEST_ADMIN": "adm_from_the_environment"})
    assert config.admin_token == "adm_from_the_environment"


def test_missing_environment_variable_of_a_source_makes_it_pending_not_the_start_fail(tmp_path: Path) -> None:
    text = GOOD.replace('"wk_0123456789abcdef"', '"${WEB_WRITE_KEY}"') + """
[[sources]]
id = "shop"
adapter = "shopify"
secret = "${SHOP_SECRET}"

[[sources]]
id = "wix"
adapter = "wix"
"""
    config = load_config(write(tmp_path, text), ADAPTERS, {})
    assert config.sources["web"].missing == (("write_key", "environment variable WEB_WRITE_KEY is not set"),)
    assert config.sources["shop"].missing == (("secret", "environment variable SHOP_SECRET is not set"),)
    assert config.sources["wix"].pending and dict(config.sources["wix"].missing) == {"public_key": "not set yet"}
    assert not config.sources["web"].write_key, "nothing made up for what is missing"
    set_later = load_config(write(tmp_path, text), ADAPTERS, {"SHOP_SECRET": "shpss_0123456789"})
    assert not set_later.sources["shop"].pending and set_later.sources["shop"].settings["secret"] == "shpss_0123456789"


def test_missing_environment_variable_outside_sources_stops_the_start(tmp_path: Path) -> None:
    text = GOOD.replace('"adm_0123456789abcdef"', '"${ADMIN_TOKEN}"')
    assert problems(tmp_path, text) == ["admin.token: environment variable ADMIN_TOKEN is not set"]


def test_tagway_environment_overrides(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ADAPTERS, {
        "TAGWAY_DATABASE_URL": "sqlite:////var/lib/tagway/events.db", "TAGWAY_ADMIN_TOKEN": "adm_override_0123456789"})
    assert config.storage.url == "sqlite:////var/lib/tagway/events.db"
    assert config.admin_token == "adm_override_0123456789"


def test_unknown_adapter_lists_the_registered_ones(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace('adapter = "canonical"', 'adapter = "shopfy"'))
    assert problem.startswith("sources[0].adapter: unknown adapter 'shopfy'; available: ")
    assert set(problem.split(": ")[-1].split(", ")) == set(ADAPTERS)


def test_adapter_settings_are_validated_by_the_adapter(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD + 'secret = "not-a-whsec"\n') == [
        "sources[0].secret: must be a Standard Webhooks secret: whsec_ followed by base64."]
    assert problems(tmp_path, GOOD + 'colour = "red"\n') == [
        "sources[0].colour: unknown key (check its spelling and section)."]


def test_duplicate_ids_and_keys_are_refused(tmp_path: Path) -> None:
    text = GOOD + '\n[[sources]]\nid = "web"\nadapter = "canonical"\nwrite_key = "wk_0123456789abcdef"\n'
    assert problems(tmp_path, text) == [
        "sources[1].id: 'web' is used by another source; ids must be unique",
        "sources[1].write_key: the same key is used by source 'web'"]


def test_source_id_must_fit_in_a_url(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace('id = "web"', 'id = "My Shop"'))
    assert problem.startswith("sources[0].id: must be 1-63 lower-case letters")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD + "\n[server]\nport = 0\nworkers = 'two'\n[storage]\nurl = 'mysql://x'\n"
    assert len(problems(tmp_path, text)) == 3


def test_not_toml_says_where(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD + "\n[limits\n")
    assert problem.startswith("not valid TOML:") and "line" in problem


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "absent.toml", ADAPTERS, {})
    assert "run `tagway init`" in caught.value.problems[0]


def test_canonical_url_rules_are_configurable(tmp_path: Path) -> None:
    text = GOOD + '\n[canonical_url]\nextra_drop_params = ["ref"]\nkeep_params = ["utm_id"]\nstrip_www = true\n'
    rules = load_config(write(tmp_path, text), ADAPTERS, {}).canonical_url
    assert "ref" in rules.drop_params and "gclid" in rules.drop_params
    assert rules.keep_params == frozenset({"utm_id"}) and rules.strip_www


def test_secrets_are_listed_for_log_scrubbing(tmp_path: Path) -> None:
    config: Any = load_config(write(tmp_path, GOOD + 'secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"\n'),
                              ADAPTERS, {})
    assert set(config.secrets()) == {"adm_0123456789abcdef", "wk_0123456789abcdef",
                                     "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}


# Every key of every section, each with a value other than its default: the same through the file and the environment.
EVERY_KEY: dict[str, dict[str, Any]] = {
    "server": {"public_url": "https://events.example.com", "host": "0.0.0.0", "port": 9000, "workers": 4,
               "threads": 3, "trusted_proxies": 1},
    "admin": {"token": "adm_from_everywhere_0123", "lockout_failures": 5, "lockout_seconds": 60},
    "storage": {"url": "postgresql://tagway@db.internal/tagway", "sqlite_synchronous": "FULL",
                "busy_timeout_ms": 100, "keep_accepted_inputs": True},
    "limits": {"max_event_bytes": 2048, "max_request_bytes": 4096, "max_batch_events": 7, "max_json_depth": 8,
               "max_kept_body_bytes": 2048, "rate_limit": "10/second", "rate_limit_storage": "redis://cache:6379",
               "unauthenticated_rejections": "5/minute"},
    "privacy": {"anonymize_ip": True},
    "canonical_url": {"drop_params": ["gclid", "fbclid"], "extra_drop_params": ["ref"],
                      "drop_param_prefixes": ["utm_"], "keep_params": ["utm_id"], "drop_fragment": False,
                      "sort_query": False, "drop_empty_params": True, "strip_trailing_slash": True,
                      "strip_www": True, "drop_index_page": True},
    "logging": {"level": "DEBUG"},
    "delivery": {"in_process": False, "poll_seconds": 0.5, "claim_size": 50, "lease_seconds": 30.0,
                 "enrich_timeout_seconds": 2.5, "witness_wait_seconds": 5.0},
    "retention": {"events_days": 180, "rejections_days": 14, "inputs_days": 0, "delivered_days": 3,
                  "dead_days": 60, "batch_size": 200, "interval_minutes": 1.5},
    "sdk": {"path": "/assets/js"},
    "people": {"enabled": False, "session_timeout_minutes": 45.0, "max_session_hours": 12.0,
               "junk_ids": ["test", "12345"], "contact_sources": ["shop"], "batch_size": 250},
}


def as_variable_value(value: Any) -> str:
    """A value as a platform's settings page holds it: text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def test_the_table_above_names_every_key_of_every_section() -> None:
    sections = {name: set(field.schema.fields) for name, field in TopSchema().fields.items()
                if isinstance(field, fields.Nested)}
    assert {name: set(keys) for name, keys in EVERY_KEY.items()} == sections


def test_every_key_can_come_from_the_environment_alone(tmp_path: Path) -> None:
    from_file = load_config(write(tmp_path, tomli_w.dumps(EVERY_KEY)), ADAPTERS, {})
    environ = {f"TAGWAY_{section.upper()}__{key.upper()}": as_variable_value(value)
               for section, keys in EVERY_KEY.items() for key, value in keys.items()}
    assert "TAGWAY_LIMITS__MAX_BATCH_EVENTS" in environ and "TAGWAY_CANONICAL_URL__STRIP_WWW" in environ
    from_environment = load_config(None, ADAPTERS, environ)
    assert from_environment == replace(from_file, path=None)
    assert from_environment.limits.max_batch_events == 7 and from_environment.delivery.in_process is False


def test_the_environment_wins_over_the_file_key_by_key(tmp_path: Path) -> None:
    text = GOOD + "\n[limits]\nmax_batch_events = 100\nmax_json_depth = 16\n"
    config = load_config(write(tmp_path, text), ADAPTERS, {"TAGWAY_LIMITS__MAX_BATCH_EVENTS": "20"})
    assert (config.limits.max_batch_events, config.limits.max_json_depth) == (20, 16)
    assert config.sources["web"].write_key == "wk_0123456789abcdef", "the file's other tables stay"


def test_a_wrong_value_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    environ = {"TAGWAY_LIMITS__MAX_BATCH_EVENTS": "many", "TAGWAY_SERVER__PORT": "0",
               "TAGWAY_STORAGE__KEEP_ACCEPTED_INPUTS": "perhaps", "TAGWAY_LOGGING__LEVEL": "loud"}
    assert sorted(problems(tmp_path, GOOD, environ)) == [
        "TAGWAY_LIMITS__MAX_BATCH_EVENTS (limits.max_batch_events): Not a valid integer.",
        "TAGWAY_LOGGING__LEVEL (logging.level): must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL.",
        "TAGWAY_SERVER__PORT (server.port): Must be greater than or equal to 1 and less than or equal to 65535.",
        "TAGWAY_STORAGE__KEEP_ACCEPTED_INPUTS (storage.keep_accepted_inputs): Not a valid boolean."]


def test_a_misspelt_variable_is_refused_and_other_tagway_names_are_left_alone(tmp_path: Path) -> None:
    environ = {"TAGWAY_LIMITS__MAX_EVENTS_BYTES": "10", "TAGWAY_LIMIT__MAX_EVENT_BYTES": "10",
               "TAGWAY_SOURCES__WEB__TITLE": "Web", "TAGWAY_CONFIG": "elsewhere.toml", "TAGWAY_SHOP_SECRET": "x"}
    found = problems(tmp_path, GOOD, environ)
    assert len(found) == 3
    assert found[0].startswith("TAGWAY_LIMITS__MAX_EVENTS_BYTES: [limits] has no key 'max_events_bytes'; its keys "
                               "are max_event_bytes, ")
    assert found[1].startswith("TAGWAY_LIMIT__MAX_EVENT_BYTES: no section [limit]; the sections are admin, ")
    assert found[2] == ("TAGWAY_SOURCES__WEB__TITLE: [[sources]] is set whole, with TAGWAY_SOURCES "
                        "(a TOML or JSON array of tables)")


def test_an_empty_variable_is_an_unset_one(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD + "\n[server]\nport = 9000\n"), ADAPTERS, {"TAGWAY_SERVER__PORT": ""})
    assert config.server.port == 9000


def test_lists_come_as_comma_separated_values_or_as_an_array(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ADAPTERS, {
        "TAGWAY_CANONICAL_URL__EXTRA_DROP_PARAMS": "ref, src", "TAGWAY_CANONICAL_URL__KEEP_PARAMS": '["utm_id"]'})
    assert {"ref", "src", "gclid"} <= config.canonical_url.drop_params
    assert config.canonical_url.keep_params == frozenset({"utm_id"})
    [problem] = problems(tmp_path, GOOD, {"TAGWAY_CANONICAL_URL__KEEP_PARAMS": '["utm_id"'})
    assert problem.startswith("TAGWAY_CANONICAL_URL__KEEP_PARAMS: must be a TOML or JSON array")


def test_the_first_variables_still_work_and_may_not_contradict_their_successors(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ADAPTERS, {"TAGWAY_PUBLIC_URL": "https://events.example.com"})
    assert config.server.public_url == "https://events.example.com"
    same = {"TAGWAY_DATABASE_URL": "sqlite:////srv/a.db", "TAGWAY_STORAGE__URL": "sqlite:////srv/a.db"}
    assert load_config(write(tmp_path, GOOD), ADAPTERS, same).storage.url == "sqlite:////srv/a.db"
    assert problems(tmp_path, GOOD, {**same, "TAGWAY_STORAGE__URL": "sqlite:////srv/b.db"}) == [
        "TAGWAY_DATABASE_URL and TAGWAY_STORAGE__URL set the same key to different values; keep TAGWAY_STORAGE__URL"]
    [short] = problems(tmp_path, GOOD, {"TAGWAY_ADMIN_TOKEN": "short"})
    assert short.startswith("TAGWAY_ADMIN_TOKEN (admin.token): must be at least 16 characters")


def test_sources_come_whole_from_the_environment_in_toml_or_json(tmp_path: Path) -> None:
    toml_array = '[{id = "shop", adapter = "canonical", title = "Shop", write_key = "${SHOP_WRITE_KEY}"}]'
    environ = {"TAGWAY_SOURCES": toml_array, "SHOP_WRITE_KEY": "wk_shop_0123456789abc"}
    config = load_config(write(tmp_path, GOOD), ADAPTERS, environ)
    assert list(config.sources) == ["shop"], "the variable replaces the file's [[sources]]"
    assert config.sources["shop"].write_key == "wk_shop_0123456789abc"
    json_array = json.dumps([{"id": "shop", "adapter": "canonical", "write_key": "wk_shop_0123456789abc"}])
    assert load_config(None, ADAPTERS, {"TAGWAY_SOURCES": json_array, "TAGWAY_ADMIN__TOKEN": "adm_0123456789abcdef"}
                       ).sources["shop"].write_key == "wk_shop_0123456789abc"


def test_sources_from_the_environment_are_checked_like_the_files(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD, {"TAGWAY_SOURCES": '[{id = "shop", adapter = "canonical", write_key = "short"}]',
                                     "TAGWAY_DESTINATIONS": '[{id = "hook", type = "webhook", url = "${HOOK_URL}"}]'}
                    ) == ["TAGWAY_DESTINATIONS (destinations[0].url): environment variable HOOK_URL is not set"]
    [short] = problems(tmp_path, GOOD, {"TAGWAY_SOURCES": '[{id = "shop", adapter = "canonical", write_key = "x"}]'})
    assert short.startswith("TAGWAY_SOURCES (sources[0].write_key): must be at least 16 characters")
    [not_an_array] = problems(tmp_path, GOOD, {"TAGWAY_SOURCES": '{id = "shop"}'})
    assert not_an_array.startswith("TAGWAY_SOURCES: must be a TOML or JSON array of tables, such as [{id = ")


def test_a_reference_is_not_needed_where_a_variable_sets_the_key(tmp_path: Path) -> None:
    text = GOOD.replace('"adm_0123456789abcdef"', '"${ADMIN_TOKEN_FILE_WANTS}"')
    assert problems(tmp_path, text) == ["admin.token: environment variable ADMIN_TOKEN_FILE_WANTS is not set"]
    config = load_config(write(tmp_path, text), ADAPTERS, {"TAGWAY_ADMIN__TOKEN": "adm_from_the_platform_01"})
    assert config.admin_token == "adm_from_the_platform_01"


def test_without_a_file_the_defaults_and_the_environment_make_the_configuration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config_path(environ={}) is None
    assert find_config_path(environ={"TAGWAY_CONFIG": "/etc/tagway.toml"}) == Path("/etc/tagway.toml")
    config = load_config(None, ADAPTERS, {"TAGWAY_ADMIN__TOKEN": "adm_0123456789abcdef"})
    assert config.storage.url == f"sqlite:///{tmp_path / 'tagway.db'}", "relative to the working directory"
    assert config.path is None and config.sources == {}
    with pytest.raises(ConfigError) as caught:
        load_config(None, ADAPTERS, {})
    assert caught.value.problems == [
        "admin.token: missing: this key is required (or TAGWAY_ADMIN__TOKEN; `tagway init` writes a fresh one)."]
    (tmp_path / "tagway.toml").write_text(GOOD)
    assert find_config_path(environ={}) == Path("tagway.toml"), "a file in the working directory is used"


def test_the_log_level_is_configured_and_applied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load_config(write(tmp_path, GOOD), ADAPTERS, {}).log_level == "INFO"
    config = load_config(write(tmp_path, GOOD + '\n[logging]\nlevel = "warning"\n'), ADAPTERS, {})
    assert config.log_level == "WARNING"
    configure_logging(config.secrets(), config.log_level)
    logging.getLogger("tagway.test").info("an info line")
    logging.getLogger("tagway.test").warning("a warning line")
    written = capsys.readouterr().err
    assert "a warning line" in written and "an info line" not in written


def test_the_suite_ignores_the_shells_tagway_variables() -> None:
    """tests/conftest.py drops them: a test building a gateway, and one running `tagway db upgrade`, still pass."""
    root = Path(__file__).resolve().parent.parent
    tests = ["tests/test_events_api.py::test_one_event_is_stored_normalized_and_acknowledged",
             "tests/test_cli.py::test_db_upgrade_is_idempotent"]
    result = subprocess.run([sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"], cwd=root,
                            env={**os.environ, "TAGWAY_STORAGE__URL": "postgresql://nowhere/tagway",
                                 "TAGWAY_DATABASE_URL": "postgresql://nowhere/tagway"},
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_retention_has_documented_defaults_and_refuses_negative_days(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ADAPTERS, {"TAGWAY_RETENTION__EVENTS_DAYS": "0"})
    retention = config.retention
    assert (retention.events_days, retention.rejections_days, retention.inputs_days, retention.delivered_days,
            retention.dead_days) == (0, 30, 30, 7, 30), "0 (forever) from the environment, the rest defaults"
    assert problems(tmp_path, GOOD + "\n[retention]\ndead_days = -1\n") == [
        "retention.dead_days: Must be greater than or equal to 0 and less than or equal to 36500."]
