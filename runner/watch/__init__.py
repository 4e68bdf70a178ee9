"""Watching runs: events, progress and ETA, display, status, run discovery, report, HTTP API."""
