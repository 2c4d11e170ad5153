"""Scheduled digests: what a digest says (sections composed purely from what services read)
and when it runs (schedule.py)."""
