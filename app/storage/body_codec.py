"""Raw input bodies at rest: large ones compressed, so that a kept input costs less to write.

A 15 KB webhook body takes four overflow pages in SQLite's write-ahead log; as an LZ4 block
(about 7 µs to make) it takes one. LZ4 rather than zlib: zlib's slowest part costs more time than
the pages it saves.
"""

from __future__ import annotations

import lz4.block

LZ4 = "lz4"
_MIN_SIZE = 2048  # smaller bodies fit in the row's own page: nothing to gain


def encode_body(body: bytes) -> tuple[bytes, str | None]:
    """The bytes to store and their encoding (None: the body as received)."""
    if len(body) < _MIN_SIZE:
        return body, None
    packed = lz4.block.compress(body, store_size=True)
    return (packed, LZ4) if len(packed) < len(body) * 3 // 4 else (body, None)


def decode_body(stored: bytes, encoding: str | None) -> bytes:
    """The body as received."""
    if encoding is None:
        return stored
    if encoding == LZ4:
        return bytes(lz4.block.decompress(stored))
    raise ValueError(f"unknown body encoding {encoding!r}")
