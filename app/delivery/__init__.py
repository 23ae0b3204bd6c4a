"""Delivery: events forwarded from the outbox to destinations, with retries and dead letters."""
