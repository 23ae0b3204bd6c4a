"""Sources: where events come from, looked up by id or by write key while the gateway runs.

catalog.py (the lookups), store.py (the sources added live), validation.py (one source's table checked),
endpoints.py (what to paste where), pending.py (a source waiting for a setting). Nothing is imported here:
the configuration's loader uses validation.py, and the catalog imports the storage, which imports the loader.
"""
