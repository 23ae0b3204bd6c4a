"""What a page's pixel posted, as the page saw it: each fetch to /v1/collect and whether it went through.

Chromium reports a keepalive fetch whose answer nobody reads as an aborted request, so the network events
cannot tell a sent post from a failed one; the page's own promise can. RECORDER wraps the real `fetch` (it
still sends) and notes each call's options, outcome and the status the page could read (0: opaque).
"""

from __future__ import annotations

import json
from typing import Any

RECORDER = """
<script>
(function () {
  var send = window.fetch;
  window.pixelPosts = [];
  window.fetch = function (url, options) {
    var post = {url: String(url), options: Object.assign({}, options || {}), outcome: "pending"};
    window.pixelPosts.push(post);
    return send.apply(this, arguments).then(function (answer) {
                                              post.outcome = "sent"; post.status = answer.status;
                                              post.retryAfter = answer.headers.get("Retry-After"); return answer; },
                                            function (error) { post.outcome = "failed"; throw error; });
  };
})();
</script>
"""


class Posts:
    """The pixel's posts in a page with RECORDER."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def all(self) -> list[dict[str, Any]]:
        """Every post so far: url, options (method, mode, keepalive, headers, body) and outcome."""
        return [post for post in self.page.evaluate("window.pixelPosts") if "/v1/collect" in post["url"]]

    def settled(self) -> bool:
        """Whether there are posts and none is still in flight."""
        posts = self.all()
        return bool(posts) and all(post["outcome"] != "pending" for post in posts)

    def outcomes(self) -> list[str]:
        """Each post's outcome: sent, failed or pending."""
        return [post["outcome"] for post in self.all()]

    def statuses(self) -> list[int | None]:
        """The status each answered post could read (None: not answered)."""
        return [post.get("status") for post in self.all()]

    def retry_afters(self) -> list[str | None]:
        """The Retry-After each answered post could read (None: none, or not exposed to the page)."""
        return [post.get("retryAfter") for post in self.all()]

    def bodies(self) -> list[dict[str, Any]]:
        """The JSON envelopes posted."""
        return [json.loads(post["options"]["body"]) for post in self.all()]
