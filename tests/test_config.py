"""tagway.toml: validated at start-up, with messages that name the key and what is expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.config import ConfigError, load_config
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


def test_short_secret_is_refused(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("wk_0123456789abcdef", "short"))
    assert problem.startswith("sources[0].write_key: must be at least 16 characters")


def test_secret_from_environment(tmp_path: Path) -> None:
    text = GOOD.replace('"adm_0123456789abcdef"', '"${TAGWAY_TEST_ADMIN}"')
    config = load_config(write(tmp_path, text), ADAPTERS, {"TAGWAY_TEST_ADMIN": "adm_from_the_environment"})
    assert config.admin_token == "adm_from_the_environment"


def test_missing_environment_variable_stops_the_start(tmp_path: Path) -> None:
    text = GOOD.replace('"wk_0123456789abcdef"', '"${WEB_WRITE_KEY}"')
    assert problems(tmp_path, text) == ["sources[0].write_key: environment variable WEB_WRITE_KEY is not set"]


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
