"""What a Docker SDK error means for a stage: an engine error, or the engine lost under a running container."""

from __future__ import annotations

import time

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions

from .base import EngineError, EngineLost

TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    urllib3.exceptions.ProtocolError,
    ConnectionError,
)
ENGINE_ERRORS = (docker.errors.APIError, *TRANSPORT_ERRORS)
# exits that mean "killed by a signal from outside" (SIGTERM, SIGKILL): the engine's own shutdown
# does that to running containers, so these are checked against the engine still answering
_KILLED_CODES = (128 + 15, 128 + 9)
_LOSS_PROBE_S = 3.0


def engine_error(exc: BaseException) -> EngineError:
    if isinstance(exc, docker.errors.APIError):
        return EngineError(f"Docker engine error: {exc.explanation or exc}")
    return EngineError(f"cannot talk to the Docker engine: {exc}")


def lost_or_error(exc: BaseException, created: bool) -> EngineError:
    """A transport error once the container exists is the engine lost; anything else an engine error."""
    if created and isinstance(exc, TRANSPORT_ERRORS):
        return EngineLost(f"the Docker engine went away during the stage ({type(exc).__name__})")
    return engine_error(exc)


def inspect_not_lost(client: docker.DockerClient, name: str, code: int, stopped_by_us: bool) -> dict:
    """The State of a container that exited with `code`. An exit we did not cause, by SIGTERM/SIGKILL,
    while the engine stops answering: the engine's own shutdown killed the container (a restart):
    EngineLost, not the stage's failure."""
    try:
        state = client.api.inspect_container(name)["State"]
    except docker.errors.NotFound as exc:
        raise EngineLost(f"the container vanished from the Docker engine (exit {code})") from exc
    except ENGINE_ERRORS as exc:
        raise EngineLost(f"the Docker engine went away during the stage ({type(exc).__name__})") from exc
    if stopped_by_us or code not in _KILLED_CODES or state.get("OOMKilled"):
        return state
    deadline = time.monotonic() + _LOSS_PROBE_S
    while time.monotonic() < deadline:
        try:
            client.api.ping()
        except ENGINE_ERRORS as exc:
            raise EngineLost(f"the Docker engine stopped during the stage (container exit {code})") from exc
        time.sleep(0.2)
    return state
