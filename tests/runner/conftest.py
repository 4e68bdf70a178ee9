"""Fixtures for the runner tests (real Docker); the helpers live in harness.py."""

from harness import busybox_image, docker_client, project  # noqa: F401
