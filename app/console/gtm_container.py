"""A GTM container export holding the pre-filled tagway template, a tag of its type and an all-events trigger.

GTM's Admin → Import Container (existing workspace, Merge, Rename conflicting) reads this file and adds the
three at once, so the shop owner neither imports the template nor builds the tag and the trigger by hand.
The format is copied from real exports (tests/fixtures/gtm_container/, see its SOURCE.txt): the keys, their
order, and how the entities refer to each other. What those samples do not show is said where it is decided.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.console.tpl import template_fields

EXPORT_FORMAT_VERSION = 2
# The container the file claims to come from. GTM gives the imported entities ids of the target container,
# so these only have to agree with each other inside the file; the samples show numeric strings (a
# vendor's published one leaves them empty, which a custom template's `cvt_<container>_<template>` type
# cannot do). Our choice, not seen in a sample: zeros.
ACCOUNT_ID = "0"
CONTAINER_ID = "0"
# One id counter for all entities of a container, as in the samples (template 3, trigger 4, tag 5, ...).
TEMPLATE_ID, TRIGGER_ID, TAG_ID = "1", "2", "3"
TEMPLATE_NAME = "tagway"
TAG_NAME = "tagway — all events"
TRIGGER_NAME = "All Events"
# The features block of a 2025 web container export (the Contentstack sample), unchanged.
WEB_FEATURES = {
    "supportUserPermissions": True, "supportEnvironments": True, "supportWorkspaces": True,
    "supportGtagConfigs": False, "supportBuiltInVariables": True, "supportClients": False,
    "supportFolders": True, "supportTags": True, "supportTemplates": True, "supportTriggers": True,
    "supportVariables": True, "supportVersions": True, "supportZones": True, "supportTransformations": False,
}
# Template field types whose value a tag stores as a TEMPLATE parameter (text and drop-down in the samples).
TEXT_FIELDS = {"TEXT", "SELECT"}


def custom_template_type(container_id: str = CONTAINER_ID, template_id: str = TEMPLATE_ID) -> str:
    """A tag's `type` naming a custom template of this container that is not from the Gallery."""
    # Gallery templates are named by their Gallery id (`cvt_WKGBT` beside `galleryReference.galleryTemplateId`);
    # one imported by hand has no such id and keeps the container-and-template form of older exports.
    return f"cvt_{container_id}_{template_id}"


def _filled_fields(template_text: str) -> list[dict[str, Any]]:
    """The tag's parameters: each text or drop-down field of the template that has a default, with it."""
    found: list[dict[str, Any]] = []

    def walk(fields: list[dict[str, Any]]) -> None:
        for field in fields:
            # A tag saved in GTM stores the fields that have a value; a new tag starts from the defaults.
            if field.get("type") in TEXT_FIELDS and "defaultValue" in field:
                found.append({"type": "TEMPLATE", "key": field["name"], "value": str(field["defaultValue"])})
            walk(field.get("subParams") or [])
    walk(template_fields(template_text))
    return found


def _all_events_filter() -> list[dict[str, Any]]:
    """A Custom Event trigger's condition: the event name ({{_event}}) matches the regex `.*`."""
    # "Use regex matching" is no flag of its own in an export: the condition's type is MATCH_REGEX
    # instead of EQUALS (both in the samples).
    return [{"type": "MATCH_REGEX", "parameter": [
        {"type": "TEMPLATE", "key": "arg0", "value": "{{_event}}"},
        {"type": "TEMPLATE", "key": "arg1", "value": ".*"},
    ]}]


def container_export(template_text: str, exported_at: datetime) -> dict[str, Any]:
    """The export: the template as given (byte for byte), one tag of its type with its defaults, one trigger."""
    fingerprint = str(int(exported_at.timestamp() * 1000))  # the samples' fingerprints are times in ms
    ids = {"accountId": ACCOUNT_ID, "containerId": CONTAINER_ID}
    container_path = f"accounts/{ACCOUNT_ID}/containers/{CONTAINER_ID}"
    tag = {
        **ids, "tagId": TAG_ID, "name": TAG_NAME, "type": custom_template_type(),
        "parameter": _filled_fields(template_text), "fingerprint": fingerprint, "firingTriggerId": [TRIGGER_ID],
        "tagFiringOption": "ONCE_PER_EVENT", "monitoringMetadata": {"type": "MAP"},
        # The tag checks consent itself (its consent field); GTM's own consent check is left unset.
        "consentSettings": {"consentStatus": "NOT_SET"},
    }
    trigger = {**ids, "triggerId": TRIGGER_ID, "name": TRIGGER_NAME, "type": "CUSTOM_EVENT",
               "customEventFilter": _all_events_filter(), "fingerprint": fingerprint}
    # No `galleryReference`: this template is not the Gallery's (the samples carry one only for Gallery ones).
    template = {**ids, "templateId": TEMPLATE_ID, "name": TEMPLATE_NAME, "fingerprint": fingerprint,
                "templateData": template_text}
    return {
        "exportFormatVersion": EXPORT_FORMAT_VERSION,
        "exportTime": exported_at.strftime("%Y-%m-%d %H:%M:%S"),
        "containerVersion": {
            "path": f"{container_path}/versions/0", **ids, "containerVersionId": "0",
            "container": {
                "path": container_path, **ids, "name": "tagway", "publicId": "", "usageContext": ["WEB"],
                "fingerprint": fingerprint, "tagManagerUrl": "", "features": WEB_FEATURES, "tagIds": [""],
            },
            # Empty kinds (variables, folders, built-in variables) are left out, as GTM leaves out its own.
            "tag": [tag], "trigger": [trigger], "fingerprint": fingerprint, "tagManagerUrl": "",
            "customTemplate": [template],
        },
    }


def container_json(template_text: str, exported_at: datetime) -> str:
    """The export as GTM writes it: four-space indents, non-ASCII kept."""
    return json.dumps(container_export(template_text, exported_at), indent=4, ensure_ascii=False)
