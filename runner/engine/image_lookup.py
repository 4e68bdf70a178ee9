"""An image's id through a Docker SDK client (the local engine's SDK path, the swarm manager)."""

from __future__ import annotations

from collections.abc import Callable

import docker
import docker.errors

from .base import EngineError, ImageMissing


def image_id_via(
    client: docker.DockerClient,
    image: str,
    missing: str,
    engine_errors: tuple[type[BaseException], ...],
    engine_error: Callable[[BaseException], EngineError],
) -> str:
    """The image's id; `ImageMissing(missing)` when the engine has no such image, and an engine or
    transport failure (one of `engine_errors`) as `engine_error(exc)`."""
    try:
        return str(client.images.get(image).id)
    except docker.errors.ImageNotFound as exc:
        raise ImageMissing(missing) from exc
    except engine_errors as exc:
        raise engine_error(exc) from exc
