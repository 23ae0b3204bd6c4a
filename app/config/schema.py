"""marshmallow schemas of tagway.toml: every key, its type and its default."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates

from app.config.model import (
    AdminSettings,
    DeliverySettings,
    Limits,
    PeopleSettings,
    RetentionSettings,
    SdkSettings,
    ServerSettings,
    StorageSettings,
)
from app.event.canonical_url import DEFAULT_TRACKING_PARAMS, DEFAULT_TRACKING_PREFIXES, CanonicalUrlRules

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
RATE_LIMIT = re.compile(r"^\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)
MIN_SECRET_LENGTH = 16
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _secret(**kwargs: Any) -> fields.String:
    too_short = f"must be at least {MIN_SECRET_LENGTH} characters (run `tagway init` for a fresh one)"
    return fields.String(validate=validate.Length(min=MIN_SECRET_LENGTH, error=too_short), **kwargs)


def _rate_limit(value: str | None) -> None:
    if value is not None and not RATE_LIMIT.match(value):
        raise ValidationError("must look like '100/second', '6000/minute' or '10 per hour'")


def _log_level(value: str) -> None:
    if value.upper() not in LOG_LEVELS:
        raise ValidationError(f"must be one of {', '.join(LOG_LEVELS)}")


class ServerSchema(_Strict):
    public_url = fields.Url(require_tld=False, schemes={"http", "https"}, load_default=ServerSettings.public_url)
    host = fields.String(load_default=ServerSettings.host)
    port = fields.Integer(validate=validate.Range(1, 65535), load_default=ServerSettings.port)
    workers = fields.Integer(validate=validate.Range(1, 64), load_default=ServerSettings.workers)
    threads = fields.Integer(validate=validate.Range(1, 64), load_default=ServerSettings.threads)
    trusted_proxies = fields.Integer(validate=validate.Range(0, 10), load_default=ServerSettings.trusted_proxies)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> ServerSettings:
        return ServerSettings(**data)


class AdminSchema(_Strict):
    token = _secret(required=True, error_messages={
        "required": "missing: this key is required (or TAGWAY_ADMIN__TOKEN; `tagway init` writes a fresh one)"})
    lockout_failures = fields.Integer(validate=validate.Range(1, 10_000), load_default=AdminSettings.lockout_failures,
                                      metadata={"description": "wrong admin tokens from one address before a lockout"})
    lockout_seconds = fields.Integer(validate=validate.Range(1, 86_400), load_default=AdminSettings.lockout_seconds,
                                     metadata={"description": "the window those failures are counted in"})


class StorageSchema(_Strict):
    url = fields.String(load_default=StorageSettings.url,
                        validate=validate.Regexp(r"^(sqlite:///|postgres(ql)?(\+psycopg)?://)",
                                                 error="must start with sqlite:/// or postgresql://"))
    sqlite_synchronous = fields.String(
        load_default=StorageSettings.sqlite_synchronous,
        validate=validate.OneOf(["NORMAL", "FULL", "EXTRA"], error="must be NORMAL, FULL or EXTRA"))
    busy_timeout_ms = fields.Integer(validate=validate.Range(0, 600_000), load_default=StorageSettings.busy_timeout_ms)
    keep_accepted_inputs = fields.Boolean(load_default=StorageSettings.keep_accepted_inputs)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> StorageSettings:
        data["sqlite_synchronous"] = data["sqlite_synchronous"].upper()
        return StorageSettings(**data)


class LimitsSchema(_Strict):
    max_event_bytes = fields.Integer(validate=validate.Range(1024, 1 << 20), load_default=Limits.max_event_bytes)
    max_request_bytes = fields.Integer(validate=validate.Range(1024, 64 << 20), load_default=Limits.max_request_bytes)
    max_batch_events = fields.Integer(validate=validate.Range(1, 10_000), load_default=Limits.max_batch_events)
    max_json_depth = fields.Integer(validate=validate.Range(4, 256), load_default=Limits.max_json_depth)
    max_kept_body_bytes = fields.Integer(validate=validate.Range(1024, 64 << 20),
                                         load_default=Limits.max_kept_body_bytes)
    rate_limit = fields.String(load_default=None, validate=_rate_limit)
    rate_limit_storage = fields.String(load_default=Limits.rate_limit_storage, validate=validate.Regexp(
        r"^(memory|redis|rediss|memcached)://", error="must be memory://, redis://host:port or memcached://..."))
    unauthenticated_rejections = fields.String(
        load_default=Limits.unauthenticated_rejections, validate=_rate_limit, metadata={
            "description": "refused inputs of unknown callers (no or a wrong write key, an unknown webhook URL) "
                           "kept per window, e.g. 60/minute; the rest are counted in tagway_rejections_not_kept"})

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> Limits:
        return Limits(**data)


class LoggingSchema(_Strict):
    level = fields.String(load_default="INFO", validate=_log_level,
                          metadata={"description": "the lowest level written: DEBUG, INFO, WARNING, ERROR, CRITICAL"})

    @post_load
    def upper_case(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {"level": data["level"].upper()}


class PrivacySchema(_Strict):
    anonymize_ip = fields.Boolean(load_default=False)


class CanonicalUrlSchema(_Strict):
    drop_params = fields.List(fields.String(), load_default=list(DEFAULT_TRACKING_PARAMS))
    extra_drop_params = fields.List(fields.String(), load_default=list)
    drop_param_prefixes = fields.List(fields.String(), load_default=list(DEFAULT_TRACKING_PREFIXES))
    keep_params = fields.List(fields.String(), load_default=list)
    drop_fragment = fields.Boolean(load_default=True)
    sort_query = fields.Boolean(load_default=True)
    drop_empty_params = fields.Boolean(load_default=False)
    strip_trailing_slash = fields.Boolean(load_default=False)
    strip_www = fields.Boolean(load_default=False)
    drop_index_page = fields.Boolean(load_default=False)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> CanonicalUrlRules:
        extra = data.pop("extra_drop_params")
        return CanonicalUrlRules.build(drop_params=[*data.pop("drop_params"), *extra], **data)


class SourceSchema(Schema):
    """The keys every source has; the adapter's own keys are validated by its settings schema."""

    id = fields.String(required=True)
    adapter = fields.String(required=True)
    title = fields.String(load_default="")
    write_key = _secret(load_default=None)
    enabled = fields.Boolean(load_default=True)
    rate_limit = fields.String(load_default=None, validate=_rate_limit)
    allowed_origins = fields.List(fields.String(validate=validate.Regexp(
        r"^(\*|https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]+)?)$",
        error="must be an origin such as https://shop.example.com, https://*.example.com, or *")),
        load_default=list, metadata={"description": "origins whose pages may POST to /v1/collect (CORS)"})
    site = fields.String(load_default=None, validate=validate.Length(1, 200), metadata={
        "description": "the shop this source witnesses (e.g. shop.example): the order events of the sources of "
                       "one site are one event, however many of them see it"})

    @validates("id")
    def _valid_id(self, value: str, **_: Any) -> None:
        if not SOURCE_ID.match(value):
            raise ValidationError("must be 1-63 lower-case letters, digits, '-' or '_' (it is part of the URL)")


class DestinationSchema(Schema):
    """The keys every destination has; its type's own keys are validated by the type's schema."""

    id = fields.String(required=True)
    type = fields.String(required=True)
    title = fields.String(load_default="")
    enabled = fields.Boolean(load_default=True)
    events = fields.List(fields.String(), load_default=list,
                         metadata={"description": "event names to forward (all when empty)"})
    sources = fields.List(fields.String(), load_default=list,
                          metadata={"description": "source ids whose events to forward (all when empty)"})
    batch_size = fields.Integer(validate=validate.Range(1, 1000), load_default=1)
    max_attempts = fields.Integer(validate=validate.Range(1, 100), load_default=10)
    max_age_hours = fields.Float(validate=validate.Range(0.01, 24 * 30), load_default=72.0)
    ordered = fields.Boolean(load_default=None, allow_none=True,
                             metadata={"description": "deliver each user's events one after another, in order"})
    timeout_seconds = fields.Float(validate=validate.Range(0.1, 120), load_default=10.0)
    include_journey = fields.Boolean(load_default=False, metadata={
        "description": "add the journey before the chat (the pages of its session) to each UserChatOpen"})

    @validates("id")
    def _valid_id(self, value: str, **_: Any) -> None:
        if not SOURCE_ID.match(value):
            raise ValidationError("must be 1-63 lower-case letters, digits, '-' or '_'")


class DeliverySchema(_Strict):
    in_process = fields.Boolean(load_default=True, metadata={
        "description": "tagway serve also runs a delivery worker (a Procfile runs `tagway worker` instead)"})
    poll_seconds = fields.Float(validate=validate.Range(0.01, 60), load_default=0.2)
    claim_size = fields.Integer(validate=validate.Range(1, 5000), load_default=500)
    lease_seconds = fields.Float(validate=validate.Range(5, 3600), load_default=60.0)
    enrich_timeout_seconds = fields.Float(validate=validate.Range(0.1, 120), load_default=10.0)
    witness_wait_seconds = fields.Float(
        validate=validate.Range(0, 3600), load_default=DeliverySettings.witness_wait_seconds, metadata={
            "description": "how long an order event of a site waits before delivery for its other witnesses"})

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> DeliverySettings:
        return DeliverySettings(**data)


def _days(default: int, what: str) -> fields.Integer:
    return fields.Integer(validate=validate.Range(0, 36_500), load_default=default,
                          metadata={"description": f"days {what} are kept (0: forever)"})


class RetentionSchema(_Strict):
    events_days = _days(RetentionSettings.events_days, "events")
    rejections_days = _days(RetentionSettings.rejections_days, "rejections")
    inputs_days = _days(RetentionSettings.inputs_days, "kept raw requests")
    delivered_days = _days(RetentionSettings.delivered_days, "delivered outbox rows")
    dead_days = _days(RetentionSettings.dead_days, "dead letters")
    batch_size = fields.Integer(validate=validate.Range(1, 100_000), load_default=RetentionSettings.batch_size,
                                metadata={"description": "rows deleted per statement (one short transaction each)"})
    interval_minutes = fields.Float(validate=validate.Range(0.01, 1440),
                                    load_default=RetentionSettings.interval_minutes,
                                    metadata={"description": "how often a delivery worker purges"})

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> RetentionSettings:
        return RetentionSettings(**data)


# Taken by the gateway's own routes: the script's prefix must not shadow them.
_RESERVED_PREFIXES = ("/v1", "/console", "/metrics", "/healthz", "/readyz")


def _sdk_path(value: str) -> None:
    if not re.fullmatch(r"(/[A-Za-z0-9_-]+)+", value):
        raise ValidationError("must be a path of letters, digits, '-' or '_' segments, e.g. /t (no trailing /)")
    if any(value == taken or value.startswith(taken + "/") for taken in _RESERVED_PREFIXES):
        raise ValidationError(f"must not be under {', '.join(_RESERVED_PREFIXES)}: the gateway's own routes")


class SdkSchema(_Strict):
    path = fields.String(load_default=SdkSettings.path, validate=_sdk_path, metadata={
        "description": "prefix of tagway.js's URL (<path>/<version>.js); rename it if ad blockers match it"})

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> SdkSettings:
        return SdkSettings(**data)


class PeopleSchema(_Strict):
    enabled = fields.Boolean(load_default=PeopleSettings.enabled,
                             metadata={"description": "run the people projection (identity, sessions, journeys)"})
    session_timeout_minutes = fields.Float(validate=validate.Range(1, 24 * 60),
                                           load_default=PeopleSettings.session_timeout_minutes,
                                           metadata={"description": "minutes without an event that end a session"})
    max_session_hours = fields.Float(validate=validate.Range(1, 24 * 7), load_default=PeopleSettings.max_session_hours,
                                     metadata={"description": "the longest a session lasts"})
    junk_ids = fields.List(fields.String(), load_default=list, metadata={
        "description": "identifier values that never link, besides '', 0, -1, null, undefined, anonymous"})
    contact_sources = fields.List(fields.String(), load_default=None, allow_none=True, metadata={
        "description": "source ids whose email and phone link identities (default: webhook and server-API sources)"})
    batch_size = fields.Integer(validate=validate.Range(1, 100_000), load_default=PeopleSettings.batch_size,
                                metadata={"description": "events applied per transaction"})

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> PeopleSettings:
        data["junk_ids"] = tuple(data["junk_ids"])
        if data["contact_sources"] is not None:
            data["contact_sources"] = tuple(data["contact_sources"])
        return PeopleSettings(**data)


class TopSchema(_Strict):
    server = fields.Nested(ServerSchema, load_default=lambda: ServerSettings())
    admin = fields.Nested(AdminSchema)  # always there: see admin_table
    logging = fields.Nested(LoggingSchema, load_default=lambda: {"level": "INFO"})
    storage = fields.Nested(StorageSchema, load_default=lambda: StorageSettings())
    limits = fields.Nested(LimitsSchema, load_default=lambda: Limits())
    privacy = fields.Nested(PrivacySchema, load_default=lambda: {"anonymize_ip": False})
    canonical_url = fields.Nested(CanonicalUrlSchema, load_default=lambda: CanonicalUrlRules())
    # Sources and destinations are validated one by one in the loader: each brings its own keys.
    sources = fields.List(fields.Dict(), load_default=list)
    destinations = fields.List(fields.Dict(), load_default=list)
    delivery = fields.Nested(DeliverySchema, load_default=lambda: DeliverySettings())
    retention = fields.Nested(RetentionSchema, load_default=lambda: RetentionSettings())
    sdk = fields.Nested(SdkSchema, load_default=lambda: SdkSettings())
    people = fields.Nested(PeopleSchema, load_default=lambda: PeopleSettings())

    @pre_load
    def admin_table(self, data: Any, **_: Any) -> Any:
        """An absent [admin] is an empty one, so that the missing token is named `admin.token`."""
        if isinstance(data, dict) and "admin" not in data:
            return {**data, "admin": {}}
        return data
