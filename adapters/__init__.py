"""Adapters: one folder per input format (the folder name is the registry key); `adapters.sdk` is their public API."""
