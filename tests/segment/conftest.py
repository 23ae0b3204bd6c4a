"""One real gateway (`tagway serve`, gunicorn) with a Segment-compatible source per client library under test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.segment.clients import CLIENT_SOURCES
from tests.support.gateway import base_config
from tests.support.server import RunningGateway, serving, write_config


@pytest.fixture(scope="session")
def segment_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    """The gateway, its sources of the segment adapter each with its own write key (so counts stay apart)."""
    directory: Path = tmp_path_factory.mktemp("segment-e2e")
    config = base_config(directory / "segment.db")
    config["sources"] += [{"id": source_id, "adapter": "segment", "write_key": key, "trusted_identity": True}
                          for source_id, key in CLIENT_SOURCES.values()]
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log", workers=2) as running:
        yield running
