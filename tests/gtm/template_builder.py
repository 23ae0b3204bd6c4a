"""Small web tag templates written on the fly, for tests of the runner itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TOS = ("By creating or modifying this file you agree to Google Tag Manager's Community\n"
       "Template Gallery Developer Terms of Service available at\nhttps://developers.google.com/tag-manager/gallery-tos")


def encoded(value: Any) -> dict[str, Any]:
    """A permission parameter value in the export's typed encoding."""
    if isinstance(value, bool):
        return {"type": 8, "boolean": value}
    if isinstance(value, str):
        return {"type": 1, "string": value}
    if isinstance(value, dict):
        return {"type": 3, "mapKey": [encoded(k) for k in value], "mapValue": [encoded(v) for v in value.values()]}
    return {"type": 2, "listItem": [encoded(item) for item in value]}


def permission(public_id: str, **params: Any) -> dict[str, Any]:
    return {"instance": {"key": {"publicId": public_id, "versionId": "1"},
                         "param": [{"key": key, "value": encoded(value)} for key, value in params.items()]},
            "isRequired": True}


def web_template(folder: Path, code: str, permissions: list[dict[str, Any]], tests: str | None = None) -> Path:
    """A minimal web tag template; by default its one scenario runs the code and expects success."""
    info = {"type": "TAG", "id": "cvt_temp_public_id", "version": 1, "securityGroups": [], "displayName": "t",
            "categories": ["ANALYTICS"], "brand": {"id": "brand_dummy", "displayName": "t"}, "description": "t",
            "containerContexts": ["WEB"]}
    tests = tests or ("scenarios:\n- name: runs\n  code: |-\n    runCode({});\n"
                      "    assertApi('gtmOnSuccess').wasCalled();\n")
    text = (f"___TERMS_OF_SERVICE___\n\n{TOS}\n\n\n___INFO___\n\n{json.dumps(info)}\n\n\n"
            "___TEMPLATE_PARAMETERS___\n\n[]\n\n\n"
            f"___SANDBOXED_JS_FOR_WEB_TEMPLATE___\n\n{code}\n\n\n___WEB_PERMISSIONS___\n\n{json.dumps(permissions)}\n\n\n"
            f"___TESTS___\n\n{tests}\n\n___NOTES___\n\nA test.\n")
    path = folder / "template.tpl"
    path.write_text(text, encoding="utf-8")
    return path
