"""The adapter SDK: everything an adapter author imports, in one public module.

An adapter, in this repository or in a package of its own, needs only this module::

    from adapters.sdk import Adapter, InboundRequest, PayloadInvalid, Source, derive_event_id

The names below are the contract (`Adapter`, `InboundRequest`, `Source`, `Reply`, `Batch`), the errors an adapter
raises (`PayloadInvalid`, `SignatureInvalid`), the payload readers that raise them with field, value and expectation,
the time helpers, and `derive_event_id`. A package registers its adapter under the entry-point group
`tagway.adapters`, and runs the shipped contract suite on its own cases with the pytest plugin
`adapters.contract` (see its docstring). Anything not listed in `__all__` may change without notice.
"""

from __future__ import annotations

from adapters import fields as _fields
from adapters.base import (
    CUT_PROPERTIES,
    Adapter,
    AdapterError,
    ApiRequest,
    ApiResponse,
    Batch,
    Event,
    Headers,
    InboundRequest,
    PayloadInvalid,
    Problem,
    Reply,
    SignatureInvalid,
    Source,
    Unreadable,
    derive_event_id,
    hmac_sha256,
    same_secret,
)
from adapters.fields import *  # noqa: F403  (the readers: adapters.fields.__all__)
from adapters.gtm.properties import fit_properties  # any JSON as canonical properties (dataLayer, Segment)
from adapters.jsonbody import parse_json
from adapters.standard_webhooks import verify_standard_webhook
from adapters.times import format_time, from_epoch_millis, in_canonical_form, parse_time

__all__ = [
    "CUT_PROPERTIES",
    "Adapter",
    "AdapterError",
    "ApiRequest",
    "ApiResponse",
    "Batch",
    "Event",
    "Headers",
    "InboundRequest",
    "PayloadInvalid",
    "Problem",
    "Reply",
    "SignatureInvalid",
    "Source",
    "Unreadable",
    "derive_event_id",
    "fit_properties",
    "format_time",
    "from_epoch_millis",
    "hmac_sha256",
    "in_canonical_form",
    "parse_json",
    "parse_time",
    "same_secret",
    "verify_standard_webhook",
]
__all__ += _fields.__all__
