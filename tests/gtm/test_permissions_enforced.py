"""The runner fails a template that uses an API without its permission, as GTM would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.gtm.node_runner import WEB_TEMPLATE, fire, run
from tests.gtm.template_builder import permission, web_template


def problems_of(template: Path) -> list[str]:
    code, report = run("test", template)
    [result] = report["results"]
    assert (code == 0) == result["passed"]
    return list(result["problems"])


PIXEL = "const sendPixel = require('sendPixel');\nsendPixel('{url}', data.gtmOnSuccess, data.gtmOnFailure);\n" \
        "data.gtmOnSuccess();"
READ = "const copyFromDataLayer = require('copyFromDataLayer');\ncopyFromDataLayer('{key}');\ndata.gtmOnSuccess();"
ONLY_EVENTS_HOST = permission("send_pixel", allowedUrls="specific", urls=["https://events.example.com/"])
ONLY_ECOMMERCE = permission("read_data_layer", allowedKeys="specific", keyPatterns=["ecommerce", "gtm.*"])


@pytest.mark.parametrize(("code", "permissions", "violation"), [
    (PIXEL.format(url="https://tracker.example.org/p.gif"), [ONLY_EVENTS_HOST],
     'sendPixel: the send_pixel permission does not allow "https://tracker.example.org/p.gif"'),
    (READ.format(key="user.email"), [ONLY_ECOMMERCE],
     'copyFromDataLayer: the read_data_layer permission does not allow "user.email"'),
    ("const injectScript = require('injectScript');\ndata.gtmOnSuccess();", [],
     "require('injectScript') needs the inject_script permission, which the template does not declare"),
    ("const copyFromDataLayer = require('copyFromDataLayer');\ntry { copyFromDataLayer('user.email'); } catch (e) {}\n"
     "data.gtmOnSuccess();", [ONLY_ECOMMERCE],
     'copyFromDataLayer: the read_data_layer permission does not allow "user.email"'),
], ids=["pixel to a host not allowed", "data layer key not allowed", "API without any permission",
        "violation caught by the template"])
def test_a_call_without_permission_fails_the_scenario(tmp_path: Path, code: str, permissions: list[dict[str, Any]],
                                                      violation: str) -> None:
    problems = problems_of(web_template(tmp_path, code, permissions))
    assert f"permission violation: {violation}" in problems


@pytest.mark.parametrize(("code", "permissions"), [
    (PIXEL.format(url="https://events.example.com/v1/collect?k=x"), [ONLY_EVENTS_HOST]),
    (READ.format(key="ecommerce"), [ONLY_ECOMMERCE]),
    (READ.format(key="gtm.uniqueEventId"), [ONLY_ECOMMERCE]),
], ids=["pixel to the allowed host", "allowed key", "key under an allowed wildcard"])
def test_the_same_calls_within_their_permission_pass(tmp_path: Path, code: str,
                                                     permissions: list[dict[str, Any]]) -> None:
    assert problems_of(web_template(tmp_path, code, permissions)) == []


def _without_permission(text: str, public_id: str) -> str:
    start = text.index("___WEB_PERMISSIONS___") + len("___WEB_PERMISSIONS___")
    end = text.index("___TESTS___")
    entries = [entry for entry in json.loads(text[start:end]) if entry["instance"]["key"]["publicId"] != public_id]
    return text[:start] + "\n\n" + json.dumps(entries, indent=2) + "\n\n\n" + text[end:]


def test_the_web_template_without_its_cookie_permission_fails(tmp_path: Path) -> None:
    broken = tmp_path / "template.tpl"
    broken.write_text(_without_permission(WEB_TEMPLATE.read_text(encoding="utf-8"), "get_cookies"), encoding="utf-8")
    code, report = run("test", broken)
    assert code == 1
    first = report["results"][0]
    assert not first["passed"]
    assert ("permission violation: require('getCookieValues') needs the get_cookies permission, "
            "which the template does not declare") in first["problems"]


def test_real_mode_reports_a_violation_and_sends_nothing(tmp_path: Path) -> None:
    text = WEB_TEMPLATE.read_text(encoding="utf-8")
    broken = tmp_path / "template.tpl"
    broken.write_text(text.replace('"string": "eventModel"', '"string": "event.model"', 1), encoding="utf-8")
    fields = {"gatewayUrl": "http://127.0.0.1:9", "writeKey": "wk_x_0123456789abcdef"}  # nothing listens there
    push = {"event": "login", "method": "email"}
    # Found in the dataLayer, the push needs no eventModel: no violation, one (failing) pixel.
    [control] = fire(broken, {"data": fields, "pushes": [push], "timeoutMs": 2000})
    assert (control["outcome"], control["violations"], len(control["requests"])) == ("failure", [], 1), control
    # A dataLayer the tag may not read: it falls back to the model, reads eventModel, and is stopped there.
    [firing] = fire(broken, {"data": {**fields, "dataLayerName": "shopLayer"}, "pushes": [push], "timeoutMs": 2000})
    assert firing["outcome"] == "error"
    assert firing["violations"] == ['copyFromDataLayer: the read_data_layer permission does not allow "eventModel"']
    assert firing["requests"] == []
