"""Cafe24 sends a key in a header; the body is not signed, so a mutated body needs no new signature."""

from adapters.testing import Signer

signer = Signer()
