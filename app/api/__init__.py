"""The HTTP API: blueprints, error handlers and request metrics, wired in by `init_app`."""

from __future__ import annotations

from flask import Flask

from app.api import admin, deliveries, errors, meta, observe, people
from app.console import blueprint as console_blueprint
from app.gateway import Gateway
from app.ingest import routes as ingest_routes


def init_app(app: Flask, gateway: Gateway) -> None:
    """Register every route and hook on the app; ingestion is served in front of Flask."""
    observe.init_app(app)
    errors.init_app(app)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(deliveries.blueprint)
    app.register_blueprint(people.blueprint)
    app.register_blueprint(meta.blueprint)
    app.register_blueprint(console_blueprint)
    ingest_routes.init_app(app, gateway)
