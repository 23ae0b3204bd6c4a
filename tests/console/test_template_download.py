"""The GTM web tag template downloaded from the console: the source's gateway URL and write key as defaults."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from tests.console.conftest import GTM_WRITE_KEY, ROOT, Console
from tests.console.test_pages import text_of
from tests.gtm.node_runner import check

WEB_TAG = ROOT / "gtm_templates" / "web-tag"
_SECTION = re.compile(r"^___([A-Z_]+)___$", re.MULTILINE)


def sections(text: str) -> dict[str, str]:
    """A .tpl file's sections by name, as written."""
    headers = list(_SECTION.finditer(text))
    return {h[1]: text[h.end():(headers[n + 1].start() if n + 1 < len(headers) else len(text))]
            for n, h in enumerate(headers)}


def defaults(text: str) -> dict[str, Any]:
    """Each field's default value, by field name (groups' fields too)."""
    found: dict[str, Any] = {}

    def walk(parameters: list[dict[str, Any]]) -> None:
        for parameter in parameters:
            if "defaultValue" in parameter:
                found[parameter["name"]] = parameter["defaultValue"]
            walk(parameter.get("subParams") or [])
    walk(json.loads(sections(text)["TEMPLATE_PARAMETERS"]))
    return found


def download(console: Console, source: str = "gtm") -> Any:
    return console.post(f"/console/sources/{source}/template.tpl")


def test_the_template_comes_with_the_sources_url_and_key_as_defaults(console: Console) -> None:
    response = download(console)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="tagway-gtm-template.tpl"'
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    filled = defaults(text)
    assert filled["gatewayUrl"] == "https://gateway.example.com"
    assert filled["writeKey"] == GTM_WRITE_KEY
    original = sections((WEB_TAG / "template.tpl").read_text(encoding="utf-8"))
    downloaded = sections(text)
    assert downloaded.keys() == original.keys()
    assert {k: v for k, v in downloaded.items() if k != "TEMPLATE_PARAMETERS"} == \
        {k: v for k, v in original.items() if k != "TEMPLATE_PARAMETERS"}, "only the fields' defaults change"


def test_the_downloaded_template_passes_the_template_checks(console: Console, tmp_path: Path) -> None:
    """Every check the repository's own template passes (Node runner), the Gallery files beside it."""
    folder = tmp_path / "web-tag"
    shutil.copytree(WEB_TAG, folder)
    (folder / "template.tpl").write_bytes(download(console).data)
    problems = {name: found for name, found in check(folder / "template.tpl").items() if found}
    assert problems == {}


def test_the_page_leads_through_the_import_and_offers_the_file(console: Console) -> None:
    page = console.get("/console/sources/gtm/template")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Download template.tpl" in shown and "choose tagway" in shown
    assert 'action="/console/sources/gtm/template.tpl"' in page.text
    assert GTM_WRITE_KEY not in page.text, "the page itself does not show the key"


def test_only_sources_the_web_tag_sends_to_have_a_template(console: Console) -> None:
    assert console.get("/console/sources/web/template").status_code == 404  # a server API source
    assert console.get("/console/sources/nowhere/template").status_code == 404
    refused = download(console, "web")
    assert refused.status_code == 404 and refused.json["errors"][0]["field"] == "source"


def test_the_file_needs_a_signed_in_session_and_the_pages_token(console: Console) -> None:
    assert console.client.post("/console/sources/gtm/template.tpl").status_code == 403
    assert console.client.get("/console/sources/gtm/template.tpl").status_code == 405
    anonymous = console.client.application.test_client()
    response = anonymous.post("/console/sources/gtm/template.tpl")
    assert response.status_code == 401 and GTM_WRITE_KEY not in response.text
