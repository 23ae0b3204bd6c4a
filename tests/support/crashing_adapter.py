"""An adapter with a bug: its parse raises what the contract forbids (registered by tests through an entry point)."""

from __future__ import annotations

from adapters.sdk import Adapter, Event, InboundRequest, Source


class CrashingAdapter(Adapter):
    """Browser events whose parsing fails with a KeyError, as a buggy adapter would."""

    name = "crashing"
    title = "An adapter with a bug"
    receives_webhooks = False
    collects_from_browsers = True
    accepts_write_key = True
    content_types = ("application/json", "text/plain")

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """Fails on every input."""
        return [{"name": {}["missing"]}]


adapter = CrashingAdapter()
