"""Shared benchmark machinery: a gateway and a no-op baseline under the same gunicorn settings, and wrk.

Figures are ratios against the baseline measured in the same run, since these machines are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
WRITE_KEY = "wk_bench_0123456789abcdef"
ADMIN_TOKEN = "adm_bench_0123456789abcdef"


def load_arguments(description: str, workers_flag: str = "--workers") -> argparse.ArgumentParser:
    """The options every load benchmark takes: round length and count, gunicorn workers, wrk connections."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=5, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of one run of each server")
    parser.add_argument(workers_flag, type=int, default=2, help="gunicorn workers of each server")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--keep-accepted-inputs", action="store_true",
                        help="keep the raw request of accepted inputs too ([storage] keep_accepted_inputs)")
    return parser


def inputs_kept(args: argparse.Namespace) -> str:
    """What the gateway keeps of a request in this run, for the printed settings."""
    return "raw requests kept: all" if args.keep_accepted_inputs else "raw requests kept: refused or cut only"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_wrk() -> str:
    """The wrk load generator; installed from Debian's packages when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (Debian package) for the load generator...", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=False)
    if not shutil.which("wrk"):
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=False)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return str(shutil.which("wrk"))


def write_config(directory: Path, extra: str = "", keep_accepted_inputs: bool = False) -> Path:
    """A gateway configuration with known secrets in `directory`."""
    path = directory / "tagway.toml"
    path.write_text(textwrap.dedent(f"""\
        [admin]
        token = "{ADMIN_TOKEN}"
        [storage]
        url = "sqlite:///{directory / 'bench.db'}"
        keep_accepted_inputs = {str(keep_accepted_inputs).lower()}
        [[sources]]
        id = "web"
        adapter = "canonical"
        write_key = "{WRITE_KEY}"
        """) + extra)
    subprocess.run([str(VENV_BIN / "tagway"), "-c", str(path), "db", "upgrade"], check=True,
                   stdout=subprocess.DEVNULL)
    return path


@dataclass(frozen=True)
class GunicornSettings:
    """The settings both servers run with."""

    workers: int = 2
    worker_class: str = "app.workers.GatewayWorker"  # what `tagway serve` and the Procfile run
    threads: int = 1

    def args(self) -> list[str]:
        """gunicorn command-line options."""
        return ["--workers", str(self.workers), "--worker-class", self.worker_class, "--threads", str(self.threads),
                "--config", str(ROOT / "gunicorn.conf.py"), "--log-level", "warning"]


@contextmanager
def gunicorn(app_spec: str, settings: GunicornSettings, env: dict[str, str] | None = None,
             cwd: Path = ROOT) -> Iterator[str]:
    """Run `gunicorn app_spec` until the block ends; yields its base URL."""
    port = free_port()
    metrics_dir = tempfile.mkdtemp(prefix="tagway-bench-metrics-")
    process_env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir, **(env or {})}
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), *settings.args(), "--bind", f"127.0.0.1:{port}", app_spec],
        cwd=cwd, env=process_env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/healthz" if "create_app" in app_spec else url + "/noop", process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(metrics_dir, ignore_errors=True)


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Poll until the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {timeout}s")


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int


_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('\\nRESULT {"rps": %f, "p50": %f, "p99": %f, "non2xx": %d, "errors": %d}\\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, errors))
end
"""


def run_wrk(url: str, script: str, seconds: int = 10, connections: int = 8, threads: int = 2) -> LoadResult:
    """Run wrk with a Lua `request` script; returns throughput and latency."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + _REPORT)
        script_path = handle.name
    try:
        output = subprocess.run(
            [ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
             "-s", script_path, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script_path)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return LoadResult(data["rps"], data["p50"], data["p99"], data["non2xx"], data["errors"])


def warm_up(url: str, script: str, seconds: int = 2) -> None:
    """An unmeasured run first: workers' first connections, imports and the database file's growth."""
    run_wrk(url, script, seconds)


def count_events(database: Path) -> int:
    """Events stored in a SQLite database."""
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


ScriptFor = Callable[[int], str]
"""A wrk script for a round number (warm-up: -1), so that every round can send new ids."""


@dataclass(frozen=True)
class Comparison:
    """Alternating rounds of a baseline and a subject, measured in the same run."""

    baseline: list[LoadResult]
    subject: list[LoadResult]

    def ratios(self) -> list[float]:
        """Subject / baseline throughput, per round."""
        return [s.requests_per_second / b.requests_per_second for s, b in zip(self.subject, self.baseline,
                                                                               strict=True)]

    def ratio(self) -> float:
        """The median of the per-round ratios.

        Each round's two runs are measured back to back, so a ratio compares them under the same
        load from the machine's other tenants; the median of those pairs moves less from run to run
        than the ratio of the two series' medians, which may come from different rounds.
        """
        return statistics.median(self.ratios())

    def report(self, baseline_label: str, subject_label: str, ratio_label: str, target: str) -> None:
        """The median runs of both and the median of the per-round ratios, printed."""
        print(describe(baseline_label, median_result(self.baseline)))
        print(describe(subject_label, median_result(self.subject)))
        print(f"{ratio_label:<38} {self.ratio():>9.0%}"
              f"   (median of the rounds: {', '.join(f'{r:.0%}' for r in self.ratios())}; target {target})")


def compare_rounds(baseline: tuple[str, ScriptFor], subject: tuple[str, ScriptFor], rounds: int, seconds: int,
                   connections: int) -> Comparison:
    """Warm both servers up, then measure rounds of one run each; each is (URL, script for a round).

    Which of the two runs first alternates from round to round, so that neither is always the one
    measured right after the other.
    """
    for url, script_for in (baseline, subject):
        warm_up(url, script_for(-1))
    comparison = Comparison([], [])
    for number in range(rounds):
        runs = [(comparison.baseline, baseline), (comparison.subject, subject)]
        for results, (url, script_for) in runs if number % 2 == 0 else reversed(runs):
            results.append(run_wrk(url, script_for(number), seconds, connections))
        print(f"round {number + 1}/{rounds}: {comparison.baseline[-1].requests_per_second:.0f} req/s against "
              f"{comparison.subject[-1].requests_per_second:.0f} req/s", file=sys.stderr)
    return comparison


def median_result(results: list[LoadResult]) -> LoadResult:
    """The run with the median throughput."""
    ordered = sorted(results, key=lambda r: r.requests_per_second)
    return ordered[len(ordered) // 2]


def describe(label: str, result: LoadResult) -> str:
    """One printed line of figures."""
    return (f"{label:<38} {result.requests_per_second:>9.0f} req/s   p50 {result.p50_ms:6.2f} ms   "
            f"p99 {result.p99_ms:6.2f} ms   non-2xx {result.non_2xx}   socket errors {result.errors}")


def spread(values: list[float]) -> str:
    """min–max of repeated measurements."""
    return f"{min(values):.0f}–{max(values):.0f}" if len(values) > 1 else f"{values[0]:.0f}" if values else "-"


def mean(values: list[float]) -> float:
    """Arithmetic mean."""
    return statistics.fmean(values)


def lua_string(text: str) -> str:
    """A Lua string literal of `text` (long bracket form: no escaping needed)."""
    level = "=" * 3
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def unique_requests_script(method: str, path: str, headers: dict[str, str], body: str = "",
                           varying_header: str | None = None, run_id: str = "run") -> str:
    """wrk script: the same request each time, made new by a unique value in `varying_header` (and `{id}` in the
    path or body), so that every request is a new event, not a duplicate."""
    # A space after "[": "[[" would open a Lua long string.
    header_lines = "\n".join(f"  [ {lua_string(k)} ] = {lua_string(v)}," for k, v in headers.items())
    body_expression = lua_string(body).replace("{id}", "]===] .. id .. [===[") if body else "nil"
    path_expression = lua_string(path).replace("{id}", "]===] .. id .. [===[")
    vary = f'  headers[ {lua_string(varying_header)} ] = id\n' if varying_header else ""
    return f"""
local thread_count = 0
setup = function(thread) thread_count = thread_count + 1; thread:set("tid", thread_count) end
local counter = 0
local headers = {{
{header_lines}
}}
request = function()
  counter = counter + 1
  local id = "{run_id}-" .. tid .. "-" .. counter
{vary}  return wrk.format("{method}", {path_expression}, headers, {body_expression})
end
"""


BASE64_LUA = r"""
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function b64(data)
  return ((data:gsub('.', function(x)
    local r, b = '', x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if #x < 6 then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return alphabet:sub(c + 1, c + 1)
  end) .. ({'', '==', '='})[#data % 3 + 1])
end
local function urlencode(s) return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", c:byte()) end)) end
"""
