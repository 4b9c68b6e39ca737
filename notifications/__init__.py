"""Arrives with its issue; see docs/architecture.md."""
