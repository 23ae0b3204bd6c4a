"""Structured JSON logs that never carry a secret."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"


class SecretScrubber(logging.Filter):
    """Replaces every configured secret found in a log record's message or fields."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def add(self, secrets: Iterable[str]) -> None:
        """Scrub these too (secrets of sources added while the gateway runs)."""
        self.secrets = sorted({*self.secrets, *(s for s in secrets if len(s) >= 4)}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """The text with every secret replaced."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the formatted message, the arguments and any string extra."""
        if self.secrets:
            record.msg = self.scrub(record.getMessage())
            record.args = None
            for key, value in list(vars(record).items()):
                if isinstance(value, str) and key not in ("msg", "name", "levelname", "pathname", "filename"):
                    setattr(record, key, self.scrub(value))
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def configure_logging(secrets: Iterable[str], level: str) -> SecretScrubber:
    """Send tagway's and gunicorn's logs from `level` up to stderr as JSON lines, secrets scrubbed."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("{asctime}{levelname}{name}{message}", style="{",
                                       rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    scrubber = SecretScrubber(secrets)
    handler.addFilter(scrubber)
    for name in ("tagway", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    return scrubber
