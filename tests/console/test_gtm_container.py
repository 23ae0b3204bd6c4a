"""The GTM container export from the console: shaped like real GTM exports, holding the pre-filled template."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.console.conftest import GTM_WRITE_KEY, ROOT, Console
from tests.console.test_template_download import WEB_TAG, defaults
from tests.gtm.node_runner import check

SAMPLES = ROOT / "tests" / "fixtures" / "gtm_container"
CONTENTSTACK = json.loads((SAMPLES / "contentstack-personalize-example.json").read_text(encoding="utf-8"))
SHOPIFY = json.loads((SAMPLES / "shopify-event-pixel-tracking.json").read_text(encoding="utf-8"))
# Keys of the samples that belong to what the generated file does not use: folders, a Gallery template, a
# tag set up by another tag.
UNUSED = {"parentFolderId", "galleryReference", "setupTag"}
# Kinds of entity the generated file leaves out: it has none of them.
NOT_EMITTED = {"variable", "builtInVariable", "folder"}


def download(console: Console, source: str = "gtm") -> Any:
    return console.post(f"/console/sources/{source}/tagway-gtm-container.json")


def exported(console: Console) -> dict[str, Any]:
    response = download(console)
    assert response.status_code == 200, response.text
    export: dict[str, Any] = json.loads(response.data)
    return export


def keys(entity: dict[str, Any]) -> list[str]:
    """An entity's keys in order, without those of features the generated file does not use."""
    return [key for key in entity if key not in UNUSED]


def custom_event_trigger(sample: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in sample["containerVersion"]["trigger"] if t["type"] == "CUSTOM_EVENT")


def test_the_export_has_the_keys_of_a_real_export_at_each_level(console: Console) -> None:
    export = exported(console)
    version, sample = export["containerVersion"], CONTENTSTACK["containerVersion"]
    assert list(export) == list(CONTENTSTACK)
    assert list(version) == [key for key in sample if key not in NOT_EMITTED]
    assert list(version["container"]) == list(sample["container"])
    assert version["container"]["features"].keys() == sample["container"]["features"].keys()
    [tag], [trigger], [template] = version["tag"], version["trigger"], version["customTemplate"]
    assert keys(tag) == keys(sample["tag"][0])
    assert all(list(p) == list(sample["tag"][0]["parameter"][0]) for p in tag["parameter"])
    assert keys(template) == keys(sample["customTemplate"][0])
    shopify_trigger = custom_event_trigger(SHOPIFY)
    assert keys(trigger) == keys(shopify_trigger)
    [condition], [sample_condition] = trigger["customEventFilter"], shopify_trigger["customEventFilter"]
    assert list(condition) == list(sample_condition) and condition["type"] == sample_condition["type"]
    assert [list(p) for p in condition["parameter"]] == [list(p) for p in sample_condition["parameter"]]
    assert condition["parameter"][0] == sample_condition["parameter"][0]  # {{_event}}, as GTM writes it
    assert export["exportFormatVersion"] == CONTENTSTACK["exportFormatVersion"] == SHOPIFY["exportFormatVersion"]


def test_the_template_inside_is_the_other_downloads_byte_for_byte(console: Console) -> None:
    template = exported(console)["containerVersion"]["customTemplate"][0]["templateData"]
    assert template.encode("utf-8") == console.post("/console/sources/gtm/template.tpl").data
    filled = defaults(template)
    assert filled["gatewayUrl"] == "https://gateway.example.com" and filled["writeKey"] == GTM_WRITE_KEY


def test_the_template_inside_passes_the_template_checks(console: Console, tmp_path: Path) -> None:
    folder = tmp_path / "web-tag"
    shutil.copytree(WEB_TAG, folder)
    template = exported(console)["containerVersion"]["customTemplate"][0]["templateData"]
    (folder / "template.tpl").write_text(template, encoding="utf-8", newline="")
    assert {name: found for name, found in check(folder / "template.tpl").items() if found} == {}


def test_the_tag_is_of_the_templates_type_and_fires_on_every_custom_event(console: Console) -> None:
    version = exported(console)["containerVersion"]
    [tag], [trigger], [template] = version["tag"], version["trigger"], version["customTemplate"]
    assert tag["type"] == f"cvt_{template['containerId']}_{template['templateId']}"
    assert tag["containerId"] == trigger["containerId"] == template["containerId"] == version["containerId"]
    assert tag["firingTriggerId"] == [trigger["triggerId"]]
    assert len({tag["tagId"], trigger["triggerId"], template["templateId"]}) == 3
    assert trigger["type"] == "CUSTOM_EVENT"
    assert trigger["customEventFilter"] == [{"type": "MATCH_REGEX", "parameter": [
        {"type": "TEMPLATE", "key": "arg0", "value": "{{_event}}"},
        {"type": "TEMPLATE", "key": "arg1", "value": ".*"}]}]
    parameters = {p["key"]: p["value"] for p in tag["parameter"]}
    assert parameters["gatewayUrl"] == "https://gateway.example.com"
    assert parameters["writeKey"] == GTM_WRITE_KEY
    assert all(p["type"] == "TEMPLATE" for p in tag["parameter"])
    # Every value the tag carries is the template's default for that field, the two filled in included.
    assert parameters == {k: v for k, v in defaults(template["templateData"]).items() if k in parameters}


def test_the_file_is_an_attachment_not_cached(console: Console) -> None:
    response = download(console)
    assert response.headers["Content-Disposition"] == 'attachment; filename="tagway-gtm-container.json"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"


def test_the_page_offers_the_container_first(console: Console) -> None:
    page = console.get("/console/sources/gtm/template")
    assert 'action="/console/sources/gtm/tagway-gtm-container.json"' in page.text
    assert page.text.index("download-container") < page.text.index("download-template")
    assert "Import Container" in page.text and "Rename conflicting" in page.text
    assert GTM_WRITE_KEY not in page.text


def test_only_a_signed_in_admin_gets_it(console: Console) -> None:
    assert console.client.post("/console/sources/gtm/tagway-gtm-container.json").status_code == 403  # no token
    anonymous = console.client.application.test_client()
    response = anonymous.post("/console/sources/gtm/tagway-gtm-container.json")
    assert response.status_code == 401 and GTM_WRITE_KEY not in response.text
    refused = download(console, "web")
    assert refused.status_code == 404 and GTM_WRITE_KEY not in refused.text
