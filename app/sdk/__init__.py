"""tagway.js as the gateway serves it: the built file shipped in this package, its version, ETag and integrity.

The file is built from sdk/web/src by `npm run build` in sdk/web and committed, so that a fresh clone serves it
without Node; tests/sdk/test_build.py fails when it is stale against the source.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

BUILT_FILE = "tagway.min.js"
DEFAULT_PREFIX = "/t"
GZIP_BUDGET_BYTES = 4096
"""The most the built file may weigh gzipped (Plausible's tracker is ~1-2.5 KB, Segment's analytics-next ~30 KB)."""
_BANNER = re.compile(rb"^/\*! tagway\.js ([0-9]+\.[0-9]+\.[0-9]+)")


@dataclass(frozen=True)
class BrowserScript:
    """The built SDK: its bytes and what caches and browsers check it by."""

    body: bytes
    version: str

    @property
    def file_name(self) -> str:
        """The versioned file name: a new version is a new URL, so that the old one can be cached for a year."""
        return f"{self.version}.js"

    @property
    def etag(self) -> str:
        """A strong ETag: the file's SHA-256, shortened."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @property
    def integrity(self) -> str:
        """The Subresource Integrity value of the file (sha384, as browsers and the SRI spec recommend)."""
        return "sha384-" + base64.b64encode(hashlib.sha384(self.body).digest()).decode()

    def url(self, gateway_url: str, prefix: str = DEFAULT_PREFIX) -> str:
        """Where a gateway at `gateway_url` serves it under `prefix`."""
        return f"{gateway_url.rstrip('/')}{prefix}/{self.file_name}"


EARLIER_FOLDER = "earlier"
"""Earlier versions' built files (`<version>.js`), served unchanged: snippets already pasted name them with their
integrity hash, which a newer file would fail; a page moves to a new version when its snippet is pasted again."""


def served_script(file_name: str) -> BrowserScript | None:
    """The script served under `file_name` (`1.1.0.js`): this version's, or an earlier one kept; None: none."""
    current = browser_script()
    if file_name == current.file_name:
        return current
    return _earlier_script(file_name) if _FILE_NAME.fullmatch(file_name) else None


@lru_cache(maxsize=32)  # bounded: the names come from URLs anyone may send
def _earlier_script(file_name: str) -> BrowserScript | None:
    """A kept earlier version's file, read once."""
    earlier = files(__package__).joinpath(EARLIER_FOLDER).joinpath(file_name)
    return _script(earlier.read_bytes(), f"{EARLIER_FOLDER}/{file_name}") if earlier.is_file() else None


_FILE_NAME = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.js")


@cache
def browser_script() -> BrowserScript:
    """The built file shipped with the gateway (read once per process)."""
    return _script(files(__package__).joinpath(BUILT_FILE).read_bytes(), BUILT_FILE)


def _script(body: bytes, name: str) -> BrowserScript:
    """A built file and the version its banner names."""
    found = _BANNER.match(body)
    if found is None:
        raise RuntimeError(f"app/sdk/{name} has no '/*! tagway.js <version>' banner: rebuild it (sdk/web)")
    return BrowserScript(body, found[1].decode())
