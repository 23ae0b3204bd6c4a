"""Derived event ids are UUID v5 of the provider's identifiers, the same on every machine."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from adapters.base import EVENT_ID_NAMESPACE, derive_event_id


@given(parts=st.lists(st.text() | st.integers(), max_size=5))
def test_an_event_id_is_the_uuid5_of_the_joined_identifiers(parts: list[str | int]) -> None:
    expected = uuid.uuid5(EVENT_ID_NAMESPACE, "\x1f".join(str(part) for part in parts))
    assert derive_event_id(*parts) == str(expected)
    assert uuid.UUID(derive_event_id(*parts)).version == 5
