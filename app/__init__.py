"""tagway: an event gateway for websites and shops.

`create_app` imports the application lazily, so that `tagway serve` can prepare the environment
(the metrics directory shared by gunicorn's workers) before the metrics library is imported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from app.gateway import Clock


def create_app(test_config: Mapping[str, Any] | str | os.PathLike[str] | None = None, *,
               clock: Clock | None = None) -> Flask:
    """Build the gateway app from tagway.toml (or `test_config`, a mapping or a path)."""
    from app.factory import build_app

    return build_app(test_config, clock=clock)
