"""The HTTP API: blueprints, error handlers and request metrics, wired in by `init_app`."""

from __future__ import annotations

from flask import Flask

from app.api import admin, deliveries, errors, meta, observe
from app.api.hot_path import IngestHotPath
from app.console import blueprint as console_blueprint
from app.gateway import Gateway


def init_app(app: Flask, gateway: Gateway) -> None:
    """Register every route and hook on the app; ingestion is served in front of Flask."""
    observe.init_app(app)
    errors.init_app(app)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(deliveries.blueprint)
    app.register_blueprint(meta.blueprint)
    app.register_blueprint(console_blueprint)
    app.wsgi_app = IngestHotPath(app.wsgi_app, gateway)  # type: ignore[method-assign]
