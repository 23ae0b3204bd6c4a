"""Helpers shared by the commands: which configuration file, and loading it with readable errors."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from app.config import ConfigError, GatewayConfig, find_config_path, load_config
from app.registry import discover_adapters


def config_path(context: click.Context) -> Path:
    """The configuration file the user chose (-c or $TAGWAY_CONFIG), else ./tagway.toml: where init writes."""
    return Path(context.find_root().obj["config_path"])


def config_source(context: click.Context) -> Path | None:
    """The file to load: the one chosen, else ./tagway.toml if there is one; None for the environment alone."""
    root = context.find_root()
    chosen = root.get_parameter_source("config_path") is not ParameterSource.DEFAULT
    return find_config_path(config_path(root) if chosen else None, environ={})  # click read $TAGWAY_CONFIG


def load_or_exit(context: click.Context) -> GatewayConfig:
    """The validated configuration (file and TAGWAY_* variables), or exit 2 with every problem listed."""
    try:
        return load_config(config_source(context), discover_adapters())
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
