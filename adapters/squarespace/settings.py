"""Settings of a Squarespace source: the subscription's signing secret and the optional API key."""

from __future__ import annotations

import re

from marshmallow import Schema, fields, validate

# marshmallow's Regexp matches at the start only: \Z makes it a whole-value pattern.
HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+\Z")


class SquarespaceSettings(Schema):
    """The source's own keys in tagway.toml."""

    secret = fields.String(required=True, validate=validate.Regexp(
        HEX, error="must be the hexadecimal secret Squarespace returned for the webhook subscription"), metadata={
        "description": "The webhook subscription's secret (hexadecimal), returned once when the subscription "
                       "is created or its secret rotated.",
        "example": "F3F9B981C78E7A6187E42853F6CE2804177E98206164779423B02DEC981ACD6B"})
    api_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1), metadata={
        "description": "A Squarespace API key (or OAuth token) with Orders read permission; with it the gateway "
                       "fetches each order's total, currency, items and customer.",
        "example": "a1b2c3d4-e5f6-7890-abcd-ef1234567890"})
