"""Fixtures of the GTM template tests: Node ready once per session, one real gateway for the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gtm.e2e_support import gtm_source, load_scenarios
from tests.gtm.node_runner import node
from tests.support.gateway import base_config
from tests.support.server import RunningGateway, serving, write_config

LONG_SOURCE = ("long-payload", "wk_gtm_long_payload_0123456789abcdef")
SERVER_SOURCE = ("server-tag", "wk_gtm_server_tag_0123456789abcdef")
STALE_SOURCE = ("stale-ecommerce", "wk_gtm_stale_ecommerce_0123456789abcdef")


@pytest.fixture(scope="session", autouse=True)
def node_ready() -> str:
    """Node.js and the runner's packages, installed by scripts/ensure-node if missing."""
    return node()


@pytest.fixture(scope="session")
def gtm_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    """`tagway serve` (gunicorn) with a GTM source per conformance scenario, and and a few more."""
    directory: Path = tmp_path_factory.mktemp("gtm-e2e")
    config = base_config(directory / "gtm.db")
    config["sources"] = [
        *config["sources"],
        *(gtm_source(s.source_id, s.write_key, s.rename) for s in load_scenarios()),
        gtm_source(*LONG_SOURCE),
        gtm_source(*SERVER_SOURCE),
        gtm_source(*STALE_SOURCE),
    ]
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log", workers=2) as running:
        yield running
