"""Ingestion: how one input becomes stored events or a kept rejection, in the order it runs.

1. `request.py`   — read the request once from the WSGI environ: headers, body within the limits, the record kept.
2. `routes.py`    — the route table, served in front of Flask (`HotPath`) and listed in Flask's URL map.
3. `events.py`, `webhooks.py`, `collect.py` — one handler per endpoint: find the source, authenticate it.
4. `pipeline.py`  — the source's adapter (handshake, signature, parsing), each event checked (`app/event/`),
   all stored in one transaction (`app/storage/`); `Pipeline.run` keeps every refused input.
5. `outcome.py`   — the one answer type, written back by `routes.py`.
`replay.py` runs a kept input through the same pipeline again.
"""
