"""`tagway serve`: migrations, then the gateway under gunicorn."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from app.cli.common import config_source, load_or_exit
from app.cli.worker_cmd import PARENT_ENV
from app.config.public_address import public_url_problem


@click.command()
@click.option("--host", default=None, help="Address to listen on [default: server.host].")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port [default: server.port].")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes [default: server.workers].")
@click.option("--threads", default=None, type=click.IntRange(1, 64),
              help="Threads per worker [default: server.threads].")
@click.pass_context
def serve(context: click.Context, host: str | None, port: int | None, workers: int | None,
          threads: int | None) -> None:
    """Run the gateway (applies pending database migrations first)."""
    config = load_or_exit(context)
    _upgrade_if_reachable(config.storage.url)
    source = config_source(context)
    if source is not None:  # the workers read the same file; without one, the same environment
        os.environ["TAGWAY_CONFIG"] = str(source.resolve())
    # Imported here: it prepares the metrics directory before any worker imports the metrics library.
    from app import gunicorn_conf

    server = config.server
    options = {
        "bind": f"{host or server.host}:{port or server.port}",
        "workers": workers or server.workers,
        "threads": threads or server.threads,
        "loglevel": config.log_level.lower(),  # the master's own lines; workers apply it in configure_logging
        **gunicorn_conf.SETTINGS,
    }
    click.echo(f"tagway listening on http://{options['bind']} (public URL {server.public_url})", err=True)
    click.echo(f"console: {server.public_url.rstrip('/')}/console", err=True)
    problem = public_url_problem(server.public_url)
    if problem:  # fine for a first try on this machine; the URLs the console and `sources add` print won't work
        click.secho(f"warning: {problem}", err=True, fg="yellow")
    for pending in (s for s in config.sources.values() if s.pending and s.enabled):
        waits = "; ".join(f"{name} ({why})" for name, why in pending.missing)
        click.secho(f"warning: source {pending.id!r} is pending (its input is answered 503 and kept): it waits for "
                    f"{waits}", err=True, fg="yellow")
    supervisor = WorkerSupervisor(source) if config.delivery.in_process else None
    if supervisor is not None:
        supervisor.start()
    try:
        GatewayServer(options).run()
    finally:
        if supervisor is not None:
            supervisor.stop()


def _upgrade_if_reachable(url: str) -> None:
    """Apply pending migrations; when the database cannot be reached, say so and serve anyway."""
    from yoyo.exceptions import LockTimeout

    from app.storage.migrations import upgrade
    from app.storage.readiness import DATABASE_ERRORS, first_line

    try:
        applied = upgrade(url)
    except (*DATABASE_ERRORS, LockTimeout) as error:  # yoyo retries its lock row for 10 s before this one
        # Refusing to start would leave nothing to answer; the workers answer 503 until the database is
        # back, then check that it is up to date before their first write.
        click.echo(f"tagway: could not apply migrations ({first_line(error)}); starting anyway: the gateway "
                   "answers 503 until the database takes writes and is up to date (`tagway db upgrade`)", err=True)
        return
    if applied:
        click.echo(f"database upgraded: {', '.join(applied)}", err=True)


class WorkerSupervisor:
    """Runs `tagway worker` beside gunicorn (the embedded default needs one command) and restarts it if it dies.

    The worker watches this process and stops when it is gone, even after a SIGKILL.
    """

    def __init__(self, config: Path | None) -> None:
        chosen = ["-c", str(config.resolve())] if config is not None else []
        self.command = [sys.executable, "-m", "app.cli", *chosen, "worker"]
        self.process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="tagway-worker-supervisor", daemon=True)

    def start(self) -> None:
        """Start the worker and its watch."""
        self._thread.start()

    def _watch(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            self.process = subprocess.Popen(self.command,  # noqa: S603 (our own interpreter and CLI)
                                            env={**os.environ, PARENT_ENV: str(os.getpid())})
            started = time.monotonic()
            while self.process.poll() is None and not self._stop.wait(0.5):
                pass
            if self._stop.is_set():
                return
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 60.0)
            click.echo(f"the delivery worker exited ({self.process.returncode}); restarting in {delay:.0f}s", err=True)
            self._stop.wait(delay)

    def stop(self) -> None:
        """Stop the worker (it finishes its round) and the watch."""
        self._stop.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _gunicorn_base() -> type:
    from gunicorn.app.base import BaseApplication

    return BaseApplication


class GatewayServer(_gunicorn_base()):  # type: ignore[misc]
    """gunicorn running `app:create_app()` with the configuration's settings."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Hand the options to gunicorn."""
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings differ between gunicorn releases
                self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app in each worker."""
        from app import create_app

        return create_app()
