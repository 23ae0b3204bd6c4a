"""tagway.js's weight: the built file's bytes, minified and gzipped, against its 4 KB budget.

The size is what every page view of a site pays; tests/sdk/test_build.py fails past the budget, this prints where
the file stands (and the ES module's, which bundlers shrink further).

    .venv/bin/python bench/sdk_size.py
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.sdk import BUILT_FILE, GZIP_BUDGET_BYTES, browser_script  # noqa: E402


def main() -> None:
    script = browser_script()
    raw = (ROOT / "app" / "sdk" / BUILT_FILE).read_bytes()
    zipped = len(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"tagway.js {script.version}: {len(raw)} bytes minified, {zipped} bytes gzipped (level 9)")
    budget = GZIP_BUDGET_BYTES
    print(f"budget {budget} bytes gzipped: {zipped / budget:.0%} used, {budget - zipped} bytes left")
    print("for scale: Plausible's tracker ~1-2.5 KB, Segment's analytics-next ~30 KB (both gzipped, as published)")


if __name__ == "__main__":
    main()
