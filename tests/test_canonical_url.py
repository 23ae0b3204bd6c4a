"""Canonical page URLs: the rules, what they report, and properties that hold for any URL."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from app.event.canonical_url import Canonicalizer, CanonicalUrlRules, campaign_from_url

DEFAULT = Canonicalizer()


@pytest.mark.parametrize("url, canonical, rules", [
    ("https://shop.example.com/", "https://shop.example.com/", ()),
    ("https://shop.example.com", "https://shop.example.com/", ("add-root-path",)),
    ("HTTPS://Shop.Example.COM/Products", "https://shop.example.com/Products", ("lowercase-scheme-and-host",)),
    ("https://shop.example.com:443/a", "https://shop.example.com/a", ("drop-default-port",)),
    ("http://shop.example.com:8080/a", "http://shop.example.com:8080/a", ()),
    ("https://shop.example.com/a#reviews", "https://shop.example.com/a", ("drop-fragment",)),
    ("https://shop.example.com/a?utm_source=x&utm_medium=y&color=red&gclid=1&fbclid=2",
     "https://shop.example.com/a?color=red", ("drop-tracking-params",)),
    ("https://shop.example.com/a?size=m&color=red", "https://shop.example.com/a?color=red&size=m", ("sort-query",)),
    ("https://shop.example.com/a/./b/../c", "https://shop.example.com/a/c", ("normalize-path",)),
    ("https://user:pw@shop.example.com/", "https://shop.example.com/", ("drop-credentials",)),
    ("https://스토어.example/상품", "https://xn--9t4b29cuvp.example/%EC%83%81%ED%92%88",
     ("encode-international-host", "normalize-path")),
    ("https://shop.example.com/p?NaPm=ct%3Dabc&n_media=27758&id=7", "https://shop.example.com/p?id=7",
     ("drop-tracking-params",)),
])
def test_default_rules(url: str, canonical: str, rules: tuple[str, ...]) -> None:
    result = DEFAULT.canonicalize(url)
    assert (result.url, result.rules) == (canonical, rules)


def test_dropped_parameters_are_reported() -> None:
    assert DEFAULT.canonicalize("https://a.example/?gclid=1&UTM_Source=x&q=1").dropped_params == ("gclid", "UTM_Source")


def test_optional_rules() -> None:
    rules = CanonicalUrlRules.build(strip_www=True, strip_trailing_slash=True, drop_index_page=True,
                                    keep_params=["utm_campaign"], drop_fragment=False, sort_query=False)
    result = Canonicalizer(rules).canonicalize("https://www.shop.example/sale/index.html?utm_campaign=x&b=1#top")
    assert result.url == "https://shop.example/sale?utm_campaign=x&b=1#top"
    assert result.rules == ("strip-www", "drop-index-page", "strip-trailing-slash")


@pytest.mark.parametrize("url", ["/relative/path", "mailto:kim@example.com", "ftp://files.example/", "https://", ""])
def test_only_absolute_http_urls(url: str) -> None:
    with pytest.raises(ValueError):
        DEFAULT.canonicalize(url)


def test_campaign_from_utm_parameters() -> None:
    url = "https://a.example/?utm_source=news%20letter&utm_medium=email&utm_campaign=summer+sale&utm_term=linen" \
          "&utm_content=hero&utm_id=42&utm_source=second"
    assert campaign_from_url(url) == {"source": "news letter", "medium": "email", "name": "summer sale",
                                      "term": "linen", "content": "hero", "id": "42"}
    assert campaign_from_url("https://a.example/?q=utm_source") == {}


@settings(max_examples=300, deadline=None)
@given(url=urls(), tracking=st.sampled_from(["utm_source", "gclid", "fbclid", "msclkid", "utm_whatever"]))
def test_canonical_urls_are_stable_and_free_of_tracking(url: str, tracking: str) -> None:
    separator = "&" if "?" in url.split("#")[0] else "?"
    base, _, fragment = url.partition("#")
    tagged = f"{base}{separator}{tracking}=abc" + (f"#{fragment}" if fragment else "")
    try:
        first = DEFAULT.canonicalize(tagged)
    except ValueError:
        return  # not an absolute http(s) URL
    assert DEFAULT.canonicalize(first.url).url == first.url, "canonicalizing twice changes nothing"
    assert f"{tracking}=" not in first.url.partition("?")[2]
    assert "#" not in first.url
