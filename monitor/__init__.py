"""Rare Earth Monitor: watches rare-earth news, tags it, stores it, and alerts on it."""

__version__ = "0.1.0"
