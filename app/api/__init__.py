"""The HTTP API: blueprints, error handlers and request metrics, wired in by `init_app`."""

from __future__ import annotations

from flask import Flask

from app.api import admin, errors, ingest, meta, observe


def init_app(app: Flask) -> None:
    """Register every route and hook on the app."""
    observe.init_app(app)
    errors.init_app(app)
    app.register_blueprint(ingest.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(meta.blueprint)
