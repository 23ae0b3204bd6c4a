"""The adapter contract: what every adapter receives, returns and raises.

An adapter turns one provider's HTTP request into canonical events. It is pure: no network,
no database, no environment reads. Everything it needs is in the `InboundRequest` and the
`Source` it is given, so the same fixture always gives the same output.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ClassVar

import marshmallow
import orjson

Event = dict[str, Any]
"""A canonical event as a plain dict (see `app/schemas/event.v1.json`)."""

# Fixed namespace so that derived ids are the same on every machine and in every release.
EVENT_ID_NAMESPACE = uuid.UUID("6f1c1a52-3c55-4c36-9a52-0d6f4b1a7e21")
_EVENT_ID_NAMESPACE_BYTES = EVENT_ID_NAMESPACE.bytes

_MAX_VALUE_IN_PROBLEM = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which field, what it held, what was expected."""

    field: str
    value: Any
    expectation: str

    def as_dict(self) -> dict[str, Any]:
        """The problem as the JSON item of a problem body."""
        return {"field": self.field, "value": clip_value(self.value), "expectation": self.expectation}


def clip_value(value: Any) -> Any:
    """Shorten a value shown back in an error so that problem bodies stay small."""
    if isinstance(value, str):
        value = value.replace("\x00", "\\u0000")  # shown, and storable: PostgreSQL's text holds no NUL
        return value if len(value) <= _MAX_VALUE_IN_PROBLEM else value[:_MAX_VALUE_IN_PROBLEM] + "…"
    if isinstance(value, bytes):
        return clip_value(value.decode("utf-8", "replace"))
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return str(value)  # JSON encoders refuse integers beyond 64 bits
    if isinstance(value, bool | int | float) or value is None:
        return value
    try:
        text = orjson.dumps(value, default=str).decode()
    except TypeError:  # integers beyond 64 bits inside a list or object
        text = json.dumps(value, default=str)
    return value if len(text) <= _MAX_VALUE_IN_PROBLEM else text[:_MAX_VALUE_IN_PROBLEM] + "…"


class AdapterError(Exception):
    """Base of the errors an adapter may raise."""


class PayloadInvalid(AdapterError):
    """The input cannot be turned into events; says which field, its value, and what was expected."""

    def __init__(self, field: str, value: Any, expectation: str) -> None:
        super().__init__(f"{field}: expected {expectation}")
        self.problems = [Problem(field, value, expectation)]

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> PayloadInvalid:
        """One error carrying several problems."""
        problems = list(problems)
        error = cls(problems[0].field, problems[0].value, problems[0].expectation)
        error.problems = problems
        return error

    def under(self, path: str) -> PayloadInvalid:
        """The same problems, their fields read as inside `path` (readers of a list's line name fields within it)."""
        return PayloadInvalid.of(replace(problem, field=f"{path}.{problem.field}" if problem.field else path)
                                 for problem in self.problems)


class SignatureInvalid(AdapterError):
    """The request is not signed by the provider with the source's secret (answered 401)."""

    def __init__(self, reason: str, header: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.header = header


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only request headers."""

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items = {key.lower(): value for key, value in pairs}

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()]

    def get(self, key: str, default: Any = None) -> Any:
        """The header's value, or `default` (without Mapping.get's KeyError for a missing one)."""
        return self._items.get(key.lower(), default)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __repr__(self) -> str:
        return f"Headers({sorted(self._items)})"


@dataclass(frozen=True)
class InboundRequest:
    """What an adapter sees of an HTTP request: framework-neutral and easy to build from a fixture."""

    method: str
    path: str
    headers: Headers
    body: bytes
    query: Mapping[str, list[str]] = field(default_factory=dict)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    remote_addr: str | None = None
    max_json_depth: int = 32

    def header(self, name: str) -> str | None:
        """One header's value, or None."""
        return self.headers.get(name)

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ('' when absent)."""
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON: strict UTF-8, RFC 8259, nesting at most `max_json_depth`."""
        from adapters.jsonbody import parse_json  # local: jsonbody imports this module

        return parse_json(self.body, max_depth=self.max_json_depth)


@dataclass(frozen=True)
class Source:
    """A configured source as an adapter sees it: its id and its validated settings."""

    id: str
    adapter: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """A direct answer to a provider's handshake or ping, sent instead of parsing events."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiRequest:
    """A call to a provider's API that the gateway makes for an adapter (adapters never do network)."""

    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiResponse:
    """The provider's answer to an `ApiRequest`: the status and the JSON body (None if not JSON)."""

    status: int
    body: Any


class Batch(list[Any]):
    """Events sent as one batch envelope: answered per event, 200 even when all are refused.

    An adapter returns `Batch(events, field="batch")` from `parse` when its format has a batch envelope, so that
    an event's problems are named `<field>[<index>]` and one bad event never refuses the others.

    `dropped` names, by index, what the adapter left out of an event it could otherwise take (a member id
    whose hash does not hold): the event is stored without it, and its result in the answer and a kept
    rejection (reason `dropped`) say what was left out and why.
    """

    def __init__(self, events: Iterable[Any] = (), field: str = "batch",
                 dropped: Mapping[int, Sequence[Problem]] | None = None) -> None:
        super().__init__(events)
        self.field = field
        self.dropped = dict(dropped or {})


@dataclass(frozen=True)
class Unreadable:
    """A batch item the adapter could not read: refused on its own (kept with its problems), the others go on.

    Put it in a `Batch` in the item's place, so that one bad item of a client's batch does not refuse the rest;
    its error names the fields as paths in the whole body (`batch[3].event`).
    """

    raw: Any
    """The item as received (kept, to be shown and replayed)."""
    error: PayloadInvalid


class Adapter(ABC):
    """Base class of adapters. Subclass it in `adapters/<name>/__init__.py` as `adapter = MyAdapter()`.

    What a source of this adapter can do is declared by the class attributes below (its capabilities);
    the gateway reads them, so that no adapter's name is spelled in the gateway's code.
    """

    name: ClassVar[str] = ""
    """Registry key: must equal the folder name (or the entry-point name)."""
    title: ClassVar[str] = ""
    """Human name shown in the CLI and the console."""
    settings_schema: ClassVar[type[marshmallow.Schema] | None] = None
    """marshmallow schema of the adapter's own source settings (secrets, rename tables, ...)."""
    secret_settings: ClassVar[tuple[str, ...]] = ()
    """Names of settings that are secrets: masked in the console, scrubbed from logs."""
    signature_headers: ClassVar[tuple[str, ...]] = ()
    """Headers that carry the provider's signature (kept with rejections so a replay can re-verify)."""
    signs_body: ClassVar[bool] = True
    """Whether the signature covers the raw body; False when the provider signs only some fields (Ecwid)."""
    content_types: ClassVar[tuple[str, ...] | None] = ("application/json",)
    """Media types the provider documents for its bodies (`+json` types count as JSON); others are answered 415.

    A request without a Content-Type is read all the same; None takes any type (a provider that documents none).
    """
    receives_webhooks: ClassVar[bool] = True
    """Whether providers POST to the source's webhook URL; such an adapter implements `verify`."""
    collects_from_browsers: ClassVar[bool] = False
    """Whether browsers send to this adapter through /v1/collect, authenticated by the source's write key."""
    speaks_gtm_web_tag: ClassVar[bool] = False
    """Whether it reads what the GTM web tag template sends: the console then offers that template, pre-filled."""
    platform_pixel: ClassVar[bool] = False
    """Whether it forwards a shop platform's own browser events (its pixel API), not a tag the shop configured.

    As a witness of an order (docs/witnesses.md) it is believed before the other browser witnesses (GTM) on
    the visit: the platform reports the checkout's own browser, page and campaign.
    """
    answers_any_origin: ClassVar[bool] = False
    """Whether `POST /v1/collect` answers its sources with `Access-Control-Allow-Origin: *` (no credentials).

    For a snippet that the write key authenticates and that sends no cookies: it can then read the status
    (send again after a 503, 429 or 408, never after a 400) from any page, a sandbox's `null` origin too.
    """
    accepts_write_key: ClassVar[bool] = False
    """Whether a source of this adapter gets a write key (to send from browsers or to POST /v1/events)."""
    serves_events_api: ClassVar[bool] = False
    """Whether this adapter reads the bodies of `POST /v1/events` (the canonical format; one adapter does)."""
    serves_tracking_api: ClassVar[bool] = False
    """Whether its sources take Segment's HTTP Tracking API (`/v1/track`, `/v1/batch`, ...) with their write key."""

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Check the provider's signature; raise `SignatureInvalid` when it does not hold.

        Required when `receives_webhooks`: the registry refuses a webhook adapter that does not override it.
        """
        raise SignatureInvalid(f"adapter {self.name!r} receives no webhooks")

    @abstractmethod
    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """Turn the request into canonical events (a `Batch` for a batch envelope); [] means nothing to record."""

    def respond(self, request: InboundRequest, source: Source) -> Reply | None:
        """Answer a handshake or ping directly (before verification), or None to go on."""
        return None

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """The steps a shop owner follows in the provider's admin to send to `webhook_url`."""
        return [f"Send POST requests to {webhook_url}."]

    def install_snippet(self, source: Source, gateway_url: str, write_key: str | None, *,
                        sdk_url: str | None = None) -> str | None:
        """The code a site owner pastes (a browser SDK's snippet, a builder's pixel), filled in; None: no code.

        `tagway sources add` prints it after the setup steps and the console's Sources page shows it
        with a Copy button, so that the same text reaches the shop owner either way. `source` carries the
        source's settings; `sdk_url` is where this gateway serves tagway.js (its `[sdk] path` applied), given
        by keyword and only to an override that declares it: one written before it came keeps working.
        """
        return None

    def id_cookie(self, source: Source) -> tuple[str, str] | None:
        """(name, domain) of a first-party id cookie that `/v1/collect` answers refresh with Set-Cookie; None: none.

        For a gateway served under the site's own domain: WebKit caps cookies written by scripts at seven days,
        not those set by an HTTP answer. The value refreshed is the one the browser sent in that cookie.
        """
        return None

    # Enrichment, for providers whose webhooks carry only ids: after the event is stored, the
    # gateway makes the adapter's API request and hands the answer back to `enrich`. Both steps
    # are pure, so that they are tested against the provider's documented API responses.

    def enrichment_request(self, event: Event, source: Source) -> ApiRequest | None:
        """The API call that completes `event` (None: nothing to fetch, or no API credentials)."""
        return None

    def enrich(self, event: Event, source: Source, response: ApiResponse) -> Event:
        """`event` completed with the API's answer; raise PayloadInvalid if the answer is unusable."""
        return event


CUT_PROPERTIES = "cutProperties"
"""The property in which an adapter names the values it had to shorten: the gateway then keeps the raw input."""


def derive_event_id(*parts: object) -> str:
    """A deterministic event id from a provider's identifiers (same delivery → same id): a UUID v5."""
    key = "\x1f".join(str(part) for part in parts)
    # uuid.uuid5 spelled out: it builds two UUID objects on the way, for every webhook.
    digest = bytearray(hashlib.sha1(_EVENT_ID_NAMESPACE_BYTES + key.encode(), usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 digest of `message` under `key`."""
    return hmac.new(key, message, hashlib.sha256).digest()


def same_secret(given: str | bytes | None, expected: str | bytes) -> bool:
    """Compare a presented signature or key with the expected one in constant time."""
    if given is None:
        return False
    given_bytes = given.encode() if isinstance(given, str) else given
    expected_bytes = expected.encode() if isinstance(expected, str) else expected
    return hmac.compare_digest(given_bytes, expected_bytes)
