"""The example adapter package (examples/tagway-acme), installed as a user installs it, in a venv of its own."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from adapters.testing import signer_beside
from tests.support.server import free_port, write_config

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "tagway-acme"
CASES = EXAMPLE / "tests" / "acme" / "cases"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks test-vector secret
ADMIN_TOKEN = "adm_example_0123456789abcdef"


def clean_env() -> dict[str, str]:
    """This process's environment without what would configure the gateway or reach into this checkout."""
    dropped = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGWAY_") and k not in dropped}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1"}  # nothing written into the example's folder


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh venv holding tagway (editable, from this checkout) and the example package."""
    folder = tmp_path_factory.mktemp("example-adapter")
    created = run(sys.executable, "-m", "venv", folder / "venv", cwd=folder)
    assert created.returncode == 0, created.stderr
    pip = folder / "venv" / "bin" / "pip"
    tagway = run(pip, "install", "-q", "-e", ROOT, cwd=folder)
    assert tagway.returncode == 0, tagway.stderr
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources, and a stale build/ would
    # put files removed from the example into the next wheel.
    package = shutil.copytree(EXAMPLE, folder / "tagway-acme",
                              ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    example = run(pip, "install", "-q", f"{package}[test]", cwd=folder)
    assert example.returncode == 0, example.stderr
    return folder / "venv" / "bin"


def test_the_installed_package_registers_its_adapter(venv: Path, tmp_path: Path) -> None:
    listed = run(venv / "tagway", "adapters", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^acme\s+Acme Shop \(example adapter\)\s+\[plugin \(tagway_acme\); settings: secret\]$",
                     listed.stdout, re.MULTILINE), listed.stdout
    assert re.search(r"^shopify\s+Shopify\s+\[built-in", listed.stdout, re.MULTILINE)


def test_the_shipped_contract_suite_runs_on_the_example_cases(venv: Path, tmp_path: Path) -> None:
    # Run from a temporary folder: hypothesis keeps its database in the working directory.
    pytest_args = (venv / "python", "-m", "pytest", "-p", "no:cacheprovider", EXAMPLE / "tests")
    collected = run(*pytest_args, "--collect-only", "-q", cwd=tmp_path)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    items = [line for line in collected.stdout.splitlines() if "/acme/cases::" in line]
    for case in sorted(CASES.glob("*.json")):
        assert any(f"::{case.stem}::expected-events" in item for item in items), (case.name, collected.stdout)
    whole = {item.rsplit("::", 1)[1] for item in items if "::acme::" in item}
    assert whole == {"has-a-refused-credential-case", "garbage-raises-only-payload-invalid",
                     "readme-has-the-setup-steps", "mutated-webhooks-answered-and-kept"}
    ran = run(*pytest_args, "-q", cwd=tmp_path, timeout=600)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert re.search(rf"^{len(items)} passed", ran.stdout, re.MULTILINE), ran.stdout


@pytest.fixture
def gateway(venv: Path, tmp_path: Path) -> Iterator[str]:
    """`tagway serve` from the venv, with one Acme Shop source, `acme-shop`; its base URL."""
    config = write_config(tmp_path / "tagway.toml", {
        "admin": {"token": ADMIN_TOKEN},
        "storage": {"url": f"sqlite:///{tmp_path / 'tagway.db'}"},
        "sources": [{"id": "acme-shop", "adapter": "acme", "secret": SECRET}],
    })
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen([venv / "tagway", "-c", config, "serve", "--port", str(port), "--workers", "1"],
                                   cwd=tmp_path, env=clean_env(), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not ready(url):
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # gunicorn's master, its workers and the delivery worker
        process.wait(timeout=30)


def ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_a_gateway_stores_the_signed_example_webhook_and_refuses_a_bad_signature(gateway: str) -> None:
    body = (CASES.parent / "samples" / "order_created.json").read_bytes()
    signer = signer_beside(CASES)
    assert signer is not None
    # Signed now: the adapter allows 5 minutes between the webhook's timestamp and its arrival.
    unsigned = {"Content-Type": "application/json", "webhook-id": "msg_example_1",
                "webhook-timestamp": str(int(time.time()))}
    signed = signer.sign(body, unsigned, {"secret": SECRET})
    assert signed is not None
    stored = requests.post(f"{gateway}/v1/webhooks/acme-shop", data=signed[0], headers=signed[1], timeout=10)
    assert stored.status_code == 200, stored.text
    assert stored.json()["stored"] == 1
    listing = requests.get(f"{gateway}/v1/events", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    [row] = listing.json()["items"]
    event = row["event"]
    assert event["name"] == "Purchase"
    assert event["source"] == {"id": "acme-shop", "adapter": "acme", "topic": "order.created",
                               "deliveryId": "msg_example_1", "shop": "acme-demo"}
    assert event["commerce"]["orderId"] == "1001" and event["commerce"]["value"] == 64.85

    forged = {**signed[1], "webhook-signature": "v1," + "A" * 43 + "="}
    refused = requests.post(f"{gateway}/v1/webhooks/acme-shop", data=body, headers=forged, timeout=10)
    assert refused.status_code == 401, refused.text
    assert refused.json()["rejectionId"]
