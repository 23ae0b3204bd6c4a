"""The member hash: proof, made by the site's server, that a browser's member id is its own.

The same scheme as Channel Talk's member hash (developers.channel.io/docs/member-hash): the hex HMAC-SHA256 of
the member id under the secret, the secret given in hex, so that a site already booting ChannelIO with a member
hash sends the same value here.
"""

from __future__ import annotations

from adapters.sdk import hmac_sha256, same_secret


def valid_member_secret(secret: str) -> bool:
    """Whether a member secret is usable: hex, at least 16 bytes."""
    try:
        return len(bytes.fromhex(secret)) >= 16
    except ValueError:
        return False


def member_hash(member_id: str, secret: str) -> str:
    """The member hash of `member_id`: hex HMAC-SHA256 with the hex-decoded secret."""
    return hmac_sha256(bytes.fromhex(secret), member_id.encode()).hex()


def member_hash_holds(member_id: str, given: str | None, secret: str) -> bool:
    """Whether `given` is the member hash of `member_id` (compared in constant time, case-insensitively)."""
    return given is not None and same_secret(given.lower(), member_hash(member_id, secret))
