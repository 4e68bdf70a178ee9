"""Subtitle cues from word timestamps, following the Netflix English timed-text rules."""
