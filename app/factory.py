"""Building the Flask app from the configuration."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import api
from app.config import ConfigError, find_config_path, load_config
from app.gateway import Clock, Gateway, utc_now
from app.logs import configure_logging
from app.registry import discover_adapters
from app.storage.migrations import pending_migrations


def build_app(test_config: Mapping[str, Any] | str | os.PathLike[str] | None = None, *,
              clock: Clock | None = None) -> Flask:
    """Build the gateway app from tagway.toml (or `test_config`, a mapping or a path)."""
    app = Flask("app")
    adapters = discover_adapters()
    config = load_config(test_config if test_config is not None else find_config_path(), adapters)
    pending = pending_migrations(config.storage.url)
    if pending:
        raise ConfigError([f"storage: the database is not up to date ({len(pending)} migrations pending); "
                           "run `tagway db upgrade` (tagway serve does it for you)"], config.path)
    configure_logging(config.secrets(), config.log_level)
    gateway = Gateway.build(config, adapters, clock or utc_now)
    app.extensions["tagway"] = gateway
    api.init_app(app, gateway)
    if config.server.trusted_proxies:  # outermost, so that every route sees the client's address
        hops = config.server.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app
