"""Text written for people in the console: `backticked` commands and keys show as code, nothing else is HTML."""

from __future__ import annotations

from flask import Flask, render_template_string

from adapters.base import Source
from app.gateway import Gateway


def rendered(app: Flask, text: str) -> str:
    with app.test_request_context("/console/sources"):
        return render_template_string("{{ text|code_spans }}", text=text)


def test_backticked_words_of_setup_steps_render_as_code(app: Flask, gateway: Gateway) -> None:
    steps = gateway.adapters["gtm"].setup_steps(Source("site", {}), "https://events.example.com/v1/webhooks/site")
    step = next(step for step in steps if "`" in step)
    shown = rendered(app, step)
    assert "<code>tagway sources list --reveal</code>" in shown
    assert "`" not in shown


def test_everything_else_stays_text(app: Flask) -> None:
    shown = rendered(app, 'Paste <script>alert(1)</script> into `a <b>` field, or a lone ` backtick')
    assert shown == ("Paste &lt;script&gt;alert(1)&lt;/script&gt; into <code>a &lt;b&gt;</code> field, "
                     "or a lone ` backtick")
