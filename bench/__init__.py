"""Benchmarks (scripts run as ``python bench/<name>.py``) and the helpers the quality gates share."""
