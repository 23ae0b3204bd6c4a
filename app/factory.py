"""Building the Flask app from the configuration."""

from __future__ import annotations

import logging
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
from app.storage import NotReady

log = logging.getLogger("tagway.storage")


def build_app(test_config: Mapping[str, Any] | str | os.PathLike[str] | None = None, *,
              clock: Clock | None = None) -> Flask:
    """Build the gateway app from tagway.toml (or `test_config`, a mapping or a path)."""
    app = Flask("app")
    adapters = discover_adapters()
    config = load_config(test_config if test_config is not None else find_config_path(), adapters)
    scrubber = configure_logging(config.secrets(), config.log_level)
    gateway = Gateway.build(config, adapters, clock or utc_now, on_secrets=scrubber.add)
    try:
        gateway.storage.schema.ensure()
    except NotReady as error:
        if error.reason == "outdated":  # a database we can read but must not write: say so now
            raise ConfigError([f"storage: {error} (tagway serve does it for you)"], config.path) from None
        # Booting anyway: a worker that cannot boot takes gunicorn's master down with it. Storage
        # answers 503 until the database answers, and checks the schema then.
        log.warning("storage unavailable at start; answering 503 until it is back", extra={"error": str(error)})
    app.extensions["tagway"] = gateway
    api.init_app(app, gateway)
    if config.server.trusted_proxies:  # outermost, so that every route sees the client's address
        hops = config.server.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app
