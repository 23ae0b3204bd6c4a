"""Sources: where events come from, looked up by id or by write key while the gateway runs."""

from app.sources.catalog import SourceCatalog

__all__ = ["SourceCatalog"]
