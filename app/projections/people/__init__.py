"""The people projection: identity, sessions, timelines and the journey before a chat."""

from app.projections.people.projection import PeopleProjection
from app.projections.people.trust import Trust

__all__ = ["PeopleProjection", "Trust"]
