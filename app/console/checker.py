"""The canonical URL checker: the page URL the gateway would store, and the rules that changed it."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.gateway import current_gateway

blueprint = Blueprint("checker", __name__)

RULE_TEXT = {
    "lowercase-scheme-and-host": "The scheme and host were put in lower case.",
    "encode-international-host": "The international host name was encoded (IDNA).",
    "drop-credentials": "The user name and password in the URL were removed.",
    "strip-www": "The leading www. was removed.",
    "drop-default-port": "The default port was removed.",
    "add-root-path": "The root path / was added.",
    "normalize-path": "The path was normalized (dot segments, percent-encoding).",
    "drop-index-page": "The index page (index.html, ...) was removed.",
    "strip-trailing-slash": "The trailing slash was removed.",
    "drop-tracking-params": "Tracking parameters were removed.",
    "sort-query": "The query parameters were sorted.",
    "drop-fragment": "The #fragment was removed.",
    "normalize-query-encoding": "The query's percent-encoding was normalized.",
}
MAX_URL_CHARACTERS = 8192


@blueprint.get("/checker")
def page() -> str:
    """The empty checker."""
    return render_template("console/checker.html", url="", result=None, error=None, rule_text=RULE_TEXT)


@blueprint.post("/checker")
def check() -> tuple[str, int] | str:
    """Canonicalize the URL sent (POST, so that it carries the CSRF token like every action)."""
    url = request.form.get("url", "").strip()
    error = None
    result = None
    if not url:
        error = "Enter the address of a page, for example https://shop.example.com/shoes?utm_source=mail."
    elif len(url) > MAX_URL_CHARACTERS:
        error = f"This address is longer than {MAX_URL_CHARACTERS} characters; no browser sends one that long."
    else:
        try:
            result = current_gateway().canonicalizer.canonicalize(url)
        except ValueError:
            error = ("This is not a web page address the gateway can store. It must be a full address "
                     "starting with http:// or https://, such as https://shop.example.com/shoes.")
    page = render_template("console/checker.html", url=url, result=result, error=error, rule_text=RULE_TEXT)
    return (page, 400) if error else page
