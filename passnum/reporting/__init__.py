"""Indicators of a programme (read-only: no models of its own)."""
