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


class EngineLost(EngineError):
    """The engine went away (stopped, crashed or restarted) while a container ran: retry once it answers."""


NO_NEW_PRIVILEGES = "no-new-privileges:true"
DEFAULT_PIDS_LIMIT = 512


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
    cpu_limit: float | None = None  # CPU quota, in cores
    memory_limit_bytes: int | None = None  # hard memory limit (the kernel OOM-kills beyond it)
    cpu_reservation: float | None = None
    memory_reservation_bytes: int | None = None
    placement: tuple[str, ...] = ()
    # least privilege by default: no capabilities, no privilege gain, a bounded number of processes
    cap_drop: tuple[str, ...] = ("ALL",)
    cap_add: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = (NO_NEW_PRIVILEGES,)
    pids_limit: int = DEFAULT_PIDS_LIMIT


Reason = Literal["ok", "exit_code", "timeout", "interrupted", "oom"]


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
        Raises EngineError for engine failures (EngineLost when the engine went away mid-run), and
        re-raises Interrupted after stopping and removing the container, whatever instant the signal
        came at, with a RunResult (reason "interrupted") in `exc.args[1]`.
        """

    def wait_until_available(self, timeout_s: float) -> bool:
        """Wait (polling) until the engine answers again, then remove containers an engine loss left
        behind; False if it still does not answer after `timeout_s`."""

    def settle(self, timeout_s: float = 60.0) -> None:
        """Wait for clean-up `run` left in the background (container removals), before exiting."""

    def remove_labelled(self, labels: dict[str, str], grace_s: float = 5.0) -> list[str]:
        """Stop and remove every container (or cluster service) carrying all these labels; return their ids."""

    def capacity(self) -> list[NodeCapacity]:
        """Every node this engine can place work on, with its resources and what is reserved now."""
