"""The canonical event: its schema, its normalization and its limits."""
