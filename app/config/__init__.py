"""Configuration: tagway.toml and TAGWAY_* variables over it, validated at start-up."""

from app.config.loader import ConfigError, find_config_path, load_config
from app.config.model import GatewayConfig, Limits, ServerSettings, SourceConfig, StorageSettings

__all__ = [
    "ConfigError",
    "GatewayConfig",
    "Limits",
    "ServerSettings",
    "SourceConfig",
    "StorageSettings",
    "find_config_path",
    "load_config",
]
