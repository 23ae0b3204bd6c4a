"""A pending source (a required setting not given yet) answers 503 with Retry-After and keeps the input.

Platforms retry a 503 (Shopify for 48 hours, most others for hours), so once the secret is set the next
retry is stored; the kept input can be replayed too.
"""

from __future__ import annotations

from adapters.base import Problem
from app.config.model import SourceConfig
from app.problems import ProblemError

RETRY_AFTER_SECONDS = 60


def refuse_if_pending(source: SourceConfig) -> None:
    """Refuse the input of a source that waits for a setting, naming what it waits for and where to set it."""
    if not source.pending:
        return
    if source.managed_by == "file":
        where = "set it in tagway.toml or the gateway's environment, then restart it"
    else:
        where = (f"set it in the console (Sources, {source.id}) or with "
                 f"`tagway sources set {source.id} --setting NAME=VALUE`; no restart needed")
    raise ProblemError("source-pending", [Problem(name, None, f"the source's {name} ({why}): {where}")
                                          for name, why in source.missing],
                       detail=f"The source {source.id!r} is pending: it waits for "
                              f"{', '.join(name for name, _ in source.missing)}. The input is kept; retry later.",
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
