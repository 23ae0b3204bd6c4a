"""Projections: consumers of the stored events, in commit order, that keep tables of their own (off the hot path)."""

from app.projections.base import Database, Projection, StoredEvent, StoredWitness
from app.projections.runner import ProjectionRunner

__all__ = ["Database", "Projection", "ProjectionRunner", "StoredEvent", "StoredWitness"]
