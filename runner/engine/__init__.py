"""Container engines: `base` is the interface, `docker_engine` the local Docker implementation,
`swarm_engine` a Docker Swarm cluster (one service per stage attempt)."""

from .base import (
    ContainerSpec,
    Engine,
    EngineError,
    EngineLost,
    GpuRequest,
    ImageMissing,
    Interrupted,
    Mount,
    NodeCapacity,
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
    "NodeCapacity",
    "RunResult",
    "default_engine",
    "make_engine",
]


def default_engine() -> Engine:
    """The Docker engine (imported lazily so pure-logic code never loads the SDK)."""
    from .docker_engine import DockerEngine

    return DockerEngine(defer_removal=True)


ENGINES = ("local", "swarm")


def make_engine(name: str = "local", **options: object) -> Engine:
    """The engine called `name`: `local` (the host's Docker engine) or `swarm`.

    `swarm` options (each also read from the environment when not given): `host` (the manager's
    Docker host, REELSTAGE_SWARM_HOST), `storage` ("shared" or "staged", REELSTAGE_SWARM_STORAGE),
    `nodes` (node hostname → Docker host of its engine, REELSTAGE_SWARM_NODES: a JSON object, or
    a file holding one, e.g. the `nodes` of scripts/swarm_cluster.py's nodes.json).
    """
    if name == "local":
        return default_engine()
    if name == "swarm":
        from .swarm_engine import SwarmEngine

        return SwarmEngine.from_options(**options)
    raise EngineError(f"unknown engine {name!r} (engines: {', '.join(ENGINES)})")
