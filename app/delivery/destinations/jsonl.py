"""`jsonl`: events appended to rotating JSON-lines files, for archives and local debugging."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import orjson
from marshmallow import Schema, fields, validate

from adapters.base import Event
from app.config.model import DestinationConfig
from app.delivery.destinations.base import Attempt, Destination


class JsonlSettings(Schema):
    """Settings of a jsonl destination."""

    directory = fields.String(required=True, metadata={"description": "where the files go", "example": "archive"})
    rotate_bytes = fields.Integer(load_default=100 * 1024 * 1024, validate=validate.Range(min=1024), metadata={
        "description": "start a new file past this size (files also change each UTC day)"})
    fsync = fields.Boolean(load_default=False, metadata={
        "description": "fsync after each batch (survives a power cut; slower)"})


class JsonlDestination(Destination):
    """`<directory>/<destination id>-<YYYY-MM-DD>[.N].jsonl`, one event per line."""

    kind = "jsonl"
    settings_schema = JsonlSettings
    max_batch_size = 1000

    def __init__(self, config: DestinationConfig, session: object = None) -> None:
        super().__init__(config)
        self.directory = Path(str(self.setting("directory")))

    def deliver(self, events: Sequence[Event]) -> list[Attempt]:
        """Append the batch to today's file (rotated by size)."""
        data = b"".join(orjson.dumps(event) + b"\n" for event in events)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.current_file(len(data))
            with path.open("ab") as handle:
                handle.write(data)
                handle.flush()
                if self.setting("fsync"):
                    os.fsync(handle.fileno())
        except OSError as error:
            return [Attempt("retry", f"jsonl: {error}")] * len(events)
        return [Attempt("delivered")] * len(events)

    def current_file(self, incoming: int) -> Path:
        """Today's file, or the next one of the day when it would pass the size limit."""
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        number = 0
        while True:
            name = f"{self.id}-{day}.jsonl" if number == 0 else f"{self.id}-{day}.{number}.jsonl"
            path = self.directory / name
            if not path.exists() or path.stat().st_size + incoming <= int(self.setting("rotate_bytes")) or \
                    path.stat().st_size == 0:
                return path
            number += 1
