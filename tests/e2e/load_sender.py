"""A second process that sends events until told to stop, recording every id the gateway acknowledged.

    python -m tests.e2e.load_sender URL WRITE_KEY ACKED_FILE STOP_FILE [THREADS]

Each acknowledged id is appended to ACKED_FILE (one per line, flushed) only after a 2xx answer.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from pathlib import Path

import requests


def sender(url: str, key: str, acked: Path, stop: Path, lock: threading.Lock, prefix: str) -> None:
    session = requests.Session()
    counter = 0
    with acked.open("a", encoding="utf-8") as out:
        while not stop.exists():
            counter += 1
            batch = counter % 5 == 0  # every fifth request is a small batch
            ids = [f"{prefix}-{counter}-{i}" for i in range(3 if batch else 1)]
            events = [{"id": i, "name": "AddToCart", "user": {"anonymousId": prefix},
                       "commerce": {"currency": "USD", "value": 9.5,
                                    "items": [{"id": "SKU", "price": 9.5, "quantity": 1}]}} for i in ids]
            body = {"batch": events} if batch else events[0]
            try:
                response = session.post(f"{url}/v1/events", json=body, timeout=5,
                                        headers={"Authorization": f"Bearer {key}"})
            except requests.RequestException:
                time.sleep(0.05)  # the gateway is down (killed): try again shortly
                continue
            if 200 <= response.status_code < 300:
                with lock:
                    out.write("\n".join(ids) + "\n")
                    out.flush()


def main() -> None:
    url, key, acked, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    lock = threading.Lock()
    workers = [threading.Thread(target=sender, args=(url, key, acked, stop, lock, f"t{n}-{uuid.uuid4().hex[:6]}"))
               for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main()
