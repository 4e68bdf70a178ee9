"""Container engines: `base` is the interface, `docker_engine` the Docker SDK implementation."""

from .base import (
    ContainerSpec,
    Engine,
    EngineError,
    EngineLost,
    GpuRequest,
    ImageMissing,
    Interrupted,
    Mount,
    RunResult,
)

__all__ = [
    "ContainerSpec",
    "Engine",
    "EngineError",
    "EngineLost",
    "GpuRequest",
    "ImageMissing",
    "Interrupted",
    "Mount",
    "RunResult",
    "default_engine",
]


def default_engine() -> Engine:
    """The Docker engine (imported lazily so pure-logic code never loads the SDK)."""
    from .docker_engine import DockerEngine

    return DockerEngine(defer_removal=True)
