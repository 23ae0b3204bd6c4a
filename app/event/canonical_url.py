"""Canonical page URLs: one URL per page, whatever tracking parameters a visit arrived with.

Parsing and normalisation (IDNA hosts, percent-encoding, dot segments, default ports) is done
by yarl; the rules below decide what else to drop, and report which of them changed the URL.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus, urlsplit

from yarl import URL

# Click ids and campaign tags that say how a visit arrived, not which page it is.
DEFAULT_TRACKING_PARAMS: tuple[str, ...] = (
    # Google Ads / Analytics
    "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "gad_source", "gad_campaignid", "_ga", "_gl",
    "srsltid",
    # Meta, Microsoft, TikTok, X, LinkedIn, Instagram, Yandex
    "fbclid", "msclkid", "ttclid", "twclid", "li_fat_id", "igshid", "yclid",
    # e-mail tools
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "vero_id", "oly_enc_id", "oly_anon_id",
    # affiliate and ad platforms
    "irclickid", "s_kwcid", "ef_id", "rb_clickid", "wickedid", "epik", "sc_cid", "_kx",
    # Naver search ads and shopping (common on Korean shops)
    "NaPm", "n_media", "n_query", "n_rank", "n_ad_group", "n_ad", "n_keyword_id", "n_keyword",
    "n_campaign_type", "n_contract", "n_ad_group_type",
)
DEFAULT_TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INDEX_PAGES = ("index.html", "index.htm", "index.php", "default.aspx")

CAMPAIGN_PARAMS = {
    "utm_source": "source", "utm_medium": "medium", "utm_campaign": "name",
    "utm_term": "term", "utm_content": "content", "utm_id": "id",
}
_MAX_CAMPAIGN_VALUE = 512


@dataclass(frozen=True)
class CanonicalUrlRules:
    """Which transformations make a page URL canonical (all configurable in tagway.toml)."""

    drop_params: frozenset[str] = frozenset(p.lower() for p in DEFAULT_TRACKING_PARAMS)
    drop_param_prefixes: tuple[str, ...] = DEFAULT_TRACKING_PREFIXES
    keep_params: frozenset[str] = frozenset()
    drop_fragment: bool = True
    sort_query: bool = True
    drop_empty_params: bool = False
    strip_trailing_slash: bool = False
    strip_www: bool = False
    drop_index_page: bool = False

    @classmethod
    def build(cls, drop_params: Iterable[str] = DEFAULT_TRACKING_PARAMS, **options: object) -> CanonicalUrlRules:
        """Rules from configuration values (parameter names compared case-insensitively)."""
        keep = options.pop("keep_params", ())
        prefixes = options.pop("drop_param_prefixes", DEFAULT_TRACKING_PREFIXES)
        return cls(
            drop_params=frozenset(p.lower() for p in drop_params),
            drop_param_prefixes=tuple(p.lower() for p in prefixes),  # type: ignore[attr-defined]
            keep_params=frozenset(p.lower() for p in keep),  # type: ignore[attr-defined]
            **options,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class CanonicalUrl:
    """The canonical form of a URL and the names of the rules that changed it."""

    url: str
    rules: tuple[str, ...] = field(default_factory=tuple)
    dropped_params: tuple[str, ...] = field(default_factory=tuple)
    path: str = "/"
    campaign: tuple[tuple[str, str], ...] = ()
    """The utm_* parameters of the original URL (kept as pairs: results are cached and shared)."""


class Canonicalizer:
    """Applies `CanonicalUrlRules`; results are cached because shops repeat their URLs a lot."""

    def __init__(self, rules: CanonicalUrlRules | None = None, cache_size: int = 4096) -> None:
        self.rules = rules or CanonicalUrlRules()
        self.canonicalize = functools.lru_cache(maxsize=cache_size)(self._canonicalize)

    def _canonicalize(self, url: str) -> CanonicalUrl:
        """Canonicalize an absolute http(s) URL; raise ValueError for anything else."""
        rules = self.rules
        parsed = URL(url)
        if not parsed.absolute or parsed.scheme not in _DEFAULT_PORTS or not parsed.raw_host:
            raise ValueError("an absolute http or https URL")
        applied: list[str] = []
        raw = urlsplit(url)
        original_host = _host_text(raw.netloc)
        if url.split(":", 1)[0] != parsed.scheme or original_host != original_host.lower():
            applied.append("lowercase-scheme-and-host")
        if original_host.isascii() is False:
            applied.append("encode-international-host")
        if parsed.user is not None or parsed.password is not None:
            applied.append("drop-credentials")
        host = parsed.raw_host
        if rules.strip_www and host.startswith("www."):
            host = host[4:]
            applied.append("strip-www")
        port = parsed.explicit_port
        if port is not None and port == _DEFAULT_PORTS[parsed.scheme]:
            applied.append("drop-default-port")
            port = None
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        authority = host if port is None else f"{host}:{port}"

        path = parsed.raw_path or "/"
        if not raw.path:
            applied.append("add-root-path")
        elif raw.path != path:
            applied.append("normalize-path")
        if rules.drop_index_page:
            head, _, last = path.rpartition("/")
            if last.lower() in _INDEX_PAGES:
                path = head + "/"
                applied.append("drop-index-page")
        if rules.strip_trailing_slash and len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
            applied.append("strip-trailing-slash")

        query, dropped = self._clean_query(parsed.raw_query_string, applied)
        fragment = "" if rules.drop_fragment else parsed.raw_fragment
        if rules.drop_fragment and raw.fragment:
            applied.append("drop-fragment")

        canonical = f"{parsed.scheme}://{authority}{path}"
        if query:
            canonical += "?" + query
        if fragment:
            canonical += "#" + fragment
        if query and not dropped and raw.query != query and "sort-query" not in applied:
            applied.append("normalize-query-encoding")
        return CanonicalUrl(canonical, tuple(applied), tuple(dropped), path,
                            tuple(campaign_from_url(url).items()))

    def _clean_query(self, raw_query: str, applied: list[str]) -> tuple[str, list[str]]:
        """Drop tracking (and optionally empty) parameters and sort the rest; raw encoding kept."""
        if not raw_query:
            return "", []
        rules = self.rules
        kept: list[str] = []
        dropped: list[str] = []
        for pair in raw_query.split("&"):
            if not pair:
                continue
            name, _, value = pair.partition("=")
            key = unquote_plus(name).lower()
            tracking = key not in rules.keep_params and (
                key in rules.drop_params or key.startswith(rules.drop_param_prefixes))
            if tracking or (rules.drop_empty_params and not value):
                dropped.append(unquote_plus(name))
            else:
                kept.append(pair)
        if dropped:
            applied.append("drop-tracking-params")
        if rules.sort_query and kept != sorted(kept):
            kept.sort()
            applied.append("sort-query")
        return "&".join(kept), dropped


def _host_text(netloc: str) -> str:
    """The host as written in a netloc, without credentials, port or IPv6 brackets."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.partition(":")[0]


def campaign_from_url(url: str) -> dict[str, str]:
    """The utm_* parameters of a URL as a canonical `context.campaign` object."""
    campaign: dict[str, str] = {}
    query = url.partition("?")[2].partition("#")[0]
    if "utm_" not in query:
        return campaign
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        target = CAMPAIGN_PARAMS.get(unquote_plus(name).lower())
        if target and value and target not in campaign:
            campaign[target] = unquote_plus(value)[:_MAX_CAMPAIGN_VALUE]
    return campaign
