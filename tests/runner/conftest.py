"""Fixtures for the runner tests (real Docker); the helpers live in harness.py and engine_daemon.py."""

from engine_daemon import private_dockerd  # noqa: F401
from harness import busybox_image, docker_client, project  # noqa: F401
