"""Helpers shared by the commands: loading the configuration with readable errors."""

from __future__ import annotations

from pathlib import Path

import click

from app.config import ConfigError, GatewayConfig, load_config
from app.registry import discover_adapters


def config_path(context: click.Context) -> Path:
    """The configuration file the user chose."""
    return Path(context.obj["config_path"])


def load_or_exit(context: click.Context) -> GatewayConfig:
    """The validated configuration, or exit 2 with every problem listed."""
    try:
        return load_config(config_path(context), discover_adapters())
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
