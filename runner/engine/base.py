"""The container-engine interface: plain data in, plain data out; no Docker here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol


class EngineError(Exception):
    """The engine itself failed (daemon down, API error, a cluster node lost): may be transient, retried
    by policy. `node` names the cluster node involved, when there is one."""

    def __init__(self, message: str, node: str | None = None) -> None:
        super().__init__(message)
        self.node = node


class ImageMissing(EngineError):
    """The image is not present on the engine."""


@dataclass(frozen=True)
class Mount:
    """A bind mount from the host into the container."""

    source: str
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class GpuRequest:
    """A GPU reservation, as compose's `deploy.resources.reservations.devices` entry."""

    driver: str = "nvidia"
    count: int = -1  # -1: all
    device_ids: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ("gpu",)


@dataclass(frozen=True)
class ContainerSpec:
    """Everything needed to run one stage attempt; the same for every engine."""

    image: str
    command: tuple[str, ...]
    mounts: tuple[Mount, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    network: str = "none"
    gpus: tuple[GpuRequest, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 3600.0
    grace_s: float = 10.0
    name: str | None = None
    working_dir: str | None = None
    # compose's deploy.resources (None: no limit / no reservation) and deploy.placement.constraints
    cpu_limit: float | None = None
    memory_limit_bytes: int | None = None
    cpu_reservation: float | None = None
    memory_reservation_bytes: int | None = None
    placement: tuple[str, ...] = ()


Reason = Literal["ok", "exit_code", "timeout", "interrupted"]


@dataclass
class RunResult:
    """How a container ended."""

    exit_code: int | None
    reason: Reason
    container_id: str
    duration_s: float
    signal: int | None = None
    node: str | None = None  # the cluster node that ran it (None on the local engine)
    peak_memory_bytes: int | None = None  # from the container's stats, when the engine saw them
    cpu_s: float | None = None


@dataclass(frozen=True)
class NodeCapacity:
    """What one node of an engine offers, for a scheduler placing stages (`Engine.capacity()`).

    `schedulable`: ready and accepting new work (not drained, not down). `reserved_*`: what the
    tasks running there now have reserved. `generic`: countable resources by kind (e.g. NVIDIA-GPU).
    """

    name: str
    schedulable: bool
    cpus: float
    memory_bytes: int
    generic: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    role: str = "worker"
    reserved_cpus: float = 0.0
    reserved_memory_bytes: int = 0
    reserved_generic: dict[str, int] = field(default_factory=dict)
    running_tasks: int = 0


class Interrupted(BaseException):
    """Raised from a signal handler: the runner must stop the current container and exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


LineSink = Callable[[str], None]


class Engine(Protocol):
    """What the runner needs from a container engine."""

    def ping(self) -> None:
        """Raise EngineError with a one-line reason if the engine does not answer."""

    def image_id(self, image: str) -> str:
        """The content id of a local image; ImageMissing if absent."""

    def gpu_available(self) -> bool:
        """Whether containers can be given a GPU on this host."""

    def run(self, spec: ContainerSpec, on_line: LineSink) -> RunResult:
        """Create, attach, start, wait with a host-side deadline, stop on timeout or interrupt, remove.

        `on_line` receives every output line (stdout and stderr) as it arrives.
        Raises EngineError for engine failures, and re-raises Interrupted after cleaning up
        (with the result in `exc.args[1]` when a container had started).
        """

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        """Stop and remove every container (or cluster service) carrying all these labels; return their ids."""

    def capacity(self) -> list[NodeCapacity]:
        """Every node this engine can place work on, with its resources and what is reserved now."""
