"""The gunicorn worker the gateway runs: slow clients are buffered, and requests gunicorn refuses are problems.

gunicorn's sync worker reads a request in the thread that answers it: two clients sending a byte a second hold
two workers, and with them `/healthz` and ingestion for everyone. This worker (gunicorn's threaded worker) first
reads each request whole in its event loop, which holds any number of connections at the cost of a buffer each,
and hands it to a thread only then; a request not read whole within `REQUEST_READ_SECONDS` is answered 408 and
closed. The threads (`threads`, 1 by default) then never wait on a client, so the application keeps the
one-request-at-a-time model of the sync worker. As the sync worker, it takes no new connection while all its
threads are busy (a live view's stream holds one for its whole length), so that another worker takes it, and
it keeps no connection alive after an answer (`keepalive = 0` in the gunicorn settings) for the same reason.

Requests gunicorn's parser refuses (bad header bytes, a request line over its limit, too many headers) are
answered with a problem body (with a pixel's X-Tagway headers) instead of gunicorn's HTML page, and kept as rejections
within the budget of unknown callers.
"""

from __future__ import annotations

import errno
import selectors
import socket
import threading
import time
from collections import deque
from concurrent import futures
from functools import partial
from http import HTTPStatus
from typing import Any

from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import TConn, ThreadWorker

from adapters.base import Problem
from app.ingest.outcome import Outcome
from app.problems import ProblemError

REQUEST_READ_SECONDS = 10.0
"""How long a client may take to send its whole request (headers and body)."""
MAX_BUFFERED_BYTES = 2 * 1024 * 1024
"""A request is handed over once this much is buffered: the application refuses what is over its own limit."""
_RECEIVE_BYTES = 65536
_KEPT_REQUEST_LINE = 2048
_STATUS_OF = {
    http_errors.LimitRequestLine: 414,
    http_errors.LimitRequestHeaders: 431,
    http_errors.UnsupportedTransferCoding: 501,
    http_errors.ExpectationFailed: 417,
}
_CLIENT_ERRORS = (
    http_errors.InvalidRequestLine, http_errors.InvalidRequestMethod, http_errors.InvalidHTTPVersion,
    http_errors.InvalidHeader, http_errors.InvalidHeaderName, http_errors.LimitRequestLine,
    http_errors.LimitRequestHeaders, http_errors.InvalidSchemeHeaders, http_errors.UnsupportedTransferCoding,
    http_errors.ObsoleteFolding, http_errors.InvalidChunkSize, http_errors.ChunkMissingTerminator,
    http_errors.InvalidChunkExtension, http_errors.InvalidProxyLine,
)


def request_complete(buffered: bytes | bytearray) -> bool:
    """Whether `buffered` holds a whole HTTP/1.x request: headers and the body they announce (or the size cap)."""
    end = buffered.find(b"\r\n\r\n")
    if end < 0:
        return len(buffered) >= MAX_BUFFERED_BYTES  # headers this long are refused by the parser anyway
    head = bytes(buffered[:end]).lower()
    body = len(buffered) - end - 4
    if b"\ntransfer-encoding:" in head:
        # The last chunk and an empty trailer end the body; a "0\r\n\r\n" inside a chunk's data only hands the
        # request over early, after which the thread reads the rest as gunicorn always does.
        return buffered.find(b"0\r\n\r\n", end + 2) >= 0 or len(buffered) >= MAX_BUFFERED_BYTES
    start = head.find(b"\ncontent-length:")
    if start < 0:
        return True
    value = head[start + len(b"\ncontent-length:"):].split(b"\n", 1)[0].strip()
    if not value.isdigit():
        return True  # the parser refuses it
    return body >= min(int(value), MAX_BUFFERED_BYTES)


class GatewayWorker(ThreadWorker):
    """gunicorn's threaded worker, reading each request whole before a thread takes it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buffering: deque[TConn] = deque()
        self.busy = 0
        """Requests handed to threads and not finished: the worker takes no connection while all are busy."""
        self.serving = threading.local()
        """The connection each thread serves: what `handle_error` knows of a request the parser refused."""

    def enqueue_req(self, conn: TConn) -> None:
        """Hand a read request to a thread; with every thread busy, stop taking connections.

        With one thread, the event loop answers the request itself: a request read whole takes no time to wait for,
        and handing it to a pool and back costs as much as a small request (the loop takes no connection meanwhile,
        as it would not with its one thread busy).
        """
        self.busy += 1
        if self.cfg.threads == 1:
            done: futures.Future[Any] = futures.Future()
            try:
                done.set_result(self.handle(conn))
            except Exception as error:  # the event loop must outlive any request: it holds every other connection
                self.log.exception("Error handling request in the event loop")
                done.set_exception(error)
            self.finish_request(conn, done)
            return
        super().enqueue_req(conn)
        self.set_accept_enabled(self.nr_conns < self.worker_connections)

    def finish_request(self, conn: TConn, fs: Any) -> None:
        """A thread is free again: take connections again."""
        self.busy -= 1
        super().finish_request(conn, fs)
        self.set_accept_enabled(self.nr_conns < self.worker_connections)

    def set_accept_enabled(self, enabled: bool) -> None:
        """Take new connections only while a thread is free (the listen queue then goes to another worker)."""
        super().set_accept_enabled(enabled and self.busy < self.cfg.threads)

    def handle(self, conn: TConn) -> Any:
        """Serve a connection in a thread, remembering it for `handle_error`."""
        self.serving.conn = conn
        try:
            return super().handle(conn)
        finally:
            self.serving.conn = None

    def accept(self, listener: socket.socket) -> None:
        """A new connection waits in the event loop until its first request is read whole."""
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        if self.cfg.is_ssl:  # TLS is read by the thread, as gunicorn does (a proxy in front is the usual setup)
            client.setblocking(True)
            self.enqueue_req(conn)
            return
        self._buffer(conn)

    def on_client_socket_readable(self, conn: TConn, client: socket.socket) -> None:
        """A kept-alive connection's next request is read whole first, too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._buffer(conn)

    def _buffer(self, conn: TConn) -> None:
        conn.inbox = bytearray()
        conn.read_deadline = time.monotonic() + REQUEST_READ_SECONDS
        self.buffering.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_buffering_readable, conn))

    def _on_buffering_readable(self, conn: TConn, client: socket.socket) -> None:
        try:
            data = client.recv(_RECEIVE_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._stop_buffering(conn)
            self.nr_conns -= 1
            conn.close()
            return
        conn.inbox += data
        if request_complete(conn.inbox):
            self._stop_buffering(conn)
            buffered = bytes(conn.inbox)
            conn.request_line = buffered[:buffered.find(b"\r\n")][:_KEPT_REQUEST_LINE]
            conn.sock.setblocking(True)
            if conn.parser is None:
                conn.init()
            conn.parser.unreader.unread(buffered)
            conn.data_ready = True
            self.enqueue_req(conn)

    def _stop_buffering(self, conn: TConn) -> None:
        self.poller.unregister(conn.sock)
        self.buffering.remove(conn)

    def murder_pending(self) -> None:
        """Also answer 408 to the connections that did not send their request in time."""
        super().murder_pending()
        now = time.monotonic()
        while self.buffering and self.buffering[0].read_deadline <= now:
            conn = self.buffering[0]
            self._stop_buffering(conn)
            if conn.inbox:  # a client that sent nothing is only closed, as a kept-alive connection would be
                _write_quietly(conn.sock, _problem_http(ProblemError("request-timeout", [Problem(
                    "request", None, f"a whole request within {REQUEST_READ_SECONDS:g} seconds")])))
            self.nr_conns -= 1
            conn.close()

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        """A request the parser refuses: a problem body (a pixel's headers too), the input kept; else gunicorn's."""
        if not isinstance(exc, _CLIENT_ERRORS):
            super().handle_error(req, client, addr, exc)
            return
        status = next((s for kind, s in _STATUS_OF.items() if isinstance(exc, kind)), 400)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        from app.ingest.parser_refusals import parser_problem, refuse_unparsed  # local: loads before the app

        conn = getattr(self.serving, "conn", None)
        request = req if req is not None else getattr(exc, "req", None)
        if not hasattr(request, "method"):  # some errors carry the raw line as `req`, not a parsed request
            request = None
        try:
            outcome = refuse_unparsed(self.wsgi, status, str(exc)[:200], request, getattr(conn, "request_line", b""),
                                      (addr or ("",))[0])
        except Exception:  # keeping it failed (storage down): the client still gets its answer
            self.log.exception("Could not keep a request the parser refused")
            _write_quietly(client, _problem_http(parser_problem(status, str(exc)[:200])))
            return
        _write_quietly(client, _http(outcome))


def _problem_http(error: ProblemError) -> bytes:
    """A problem answered straight on the socket."""
    return _http(Outcome.of_problem(error))


def _http(outcome: Outcome) -> bytes:
    """An outcome as the bytes of an HTTP/1.1 answer that closes the connection."""
    body = outcome.encoded()
    lines = [f"HTTP/1.1 {outcome.status} {HTTPStatus(outcome.status).phrase}", "Connection: close",
             f"Content-Type: {outcome.content_type}", f"Content-Length: {len(body)}",
             *(f"{k}: {v}" for k, v in outcome.headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _write_quietly(client: socket.socket, data: bytes) -> None:
    try:
        client.setblocking(True)
        client.settimeout(1.0)
        client.sendall(data)
    except OSError:
        pass  # the client is gone or does not read: nothing more to tell it
