"""The code a site owner pastes: the queue stub, the versioned script with its integrity hash, and boot."""

from __future__ import annotations

import json

from app.sdk import browser_script

# Calls made before the script has loaded are queued in tagway.q (as ChannelIO's ch.q) and replayed by it.
_TEMPLATE = """<script>
(function(w,d,u,i){{if(w.tagway)return;var t=w.tagway=function(){{t.q.push(arguments)}};t.q=[];
var s=d.createElement("script");s.async=true;s.src=u;s.integrity=i;s.crossOrigin="anonymous";
d.head.appendChild(s)}})(window,document,{url},{integrity});
tagway("boot",{boot});
</script>"""


def snippet(gateway_url: str, write_key: str, cookie_domain: str | None = None, sdk_url: str | None = None) -> str:
    """The snippet for a gateway at `gateway_url` serving the script at `sdk_url` (default: under /t)."""
    script = browser_script()
    boot: dict[str, str] = {"writeKey": write_key, "endpoint": gateway_url.rstrip("/")}
    if cookie_domain:
        boot["cookieDomain"] = cookie_domain
    return _TEMPLATE.format(url=json.dumps(sdk_url or script.url(gateway_url)), integrity=json.dumps(script.integrity),
                            boot=json.dumps(boot))
