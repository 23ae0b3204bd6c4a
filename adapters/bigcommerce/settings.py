"""Settings of a BigCommerce source: how its webhooks are authenticated, and the optional API access."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

# marshmallow's Regexp matches at the start only: \Z makes these whole-value patterns.
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")  # an RFC 9110 token
STORE_HASH = re.compile(r"[0-9A-Za-z]+\Z")


class BigCommerceSettings(Schema):
    """The source's own keys in tagway.toml."""

    client_secret = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1), metadata={
        "description": "Client Secret of the API account (or app) whose access token created the webhooks; "
                       "checks BigCommerce's Standard Webhooks signature (webhook-signature header).",
        "example": "0123456789abcdefghijklmnopqrstu"})
    header_name = fields.String(load_default="X-Api-Key", validate=validate.Regexp(HEADER_NAME), metadata={
        "description": "Name of the custom header given in the webhooks' `headers` when they were created. "
                       "X-Api-Key is never written to the gateway's storage.",
        "example": "X-Api-Key"})
    header_value = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=16), metadata={
        "description": "Value of that custom header: a long random string shared with BigCommerce "
                       "(for stores that do not sign webhooks, or as a second check).",
        "example": "kq3vX9o2mT7bLrN4pW8sYc1dF6hJ0aZe"})
    store_hash = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(STORE_HASH), metadata={
        "description": "The store hash (stores/<store_hash> in the API path); with access_token, the gateway "
                       "fetches orders and carts to complete the events.",
        "example": "abc123def4"})
    access_token = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1), metadata={
        "description": "Access token of a store API account with read-only Orders and Carts scopes "
                       "(sent as X-Auth-Token).",
        "example": "0123456789abcdefghijklmnopqrstu"})

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        """A way to authenticate webhooks, and API credentials that come in pairs."""
        if not data.get("client_secret") and not data.get("header_value"):
            raise ValidationError("set client_secret (Standard Webhooks signatures) or header_value (the custom "
                                  "header given when the webhooks were created), or both", "client_secret")
        if bool(data.get("store_hash")) != bool(data.get("access_token")):
            raise ValidationError("store_hash and access_token go together: set both to let the gateway fetch "
                                  "orders and carts, or neither", "access_token")
