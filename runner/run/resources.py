"""What a stage needs and what the host has: CPUs, memory and GPUs by id. Pure bookkeeping, no Docker."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from runner.sizes import parse_size

DEFAULT_CPUS = 1.0  # a stage that declares nothing reserves one core (Nextflow's default too)


def parse_gpus(text: str) -> tuple[str, ...]:
    """GPU ids as CUDA_VISIBLE_DEVICES names them: `0,1` → ids 0 and 1, `0` → id 0; `none` → no GPU."""
    text = text.strip()
    if text.lower() in ("", "none"):
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class Need:
    """What one stage attempt reserves while it runs."""

    cpus: float = DEFAULT_CPUS
    memory_bytes: int = 0
    gpus: int = 0  # how many GPUs; -1: every GPU of the host

    def describe(self) -> str:
        parts = [f"{self.cpus:g} CPU"]
        if self.memory_bytes:
            parts.append(f"{self.memory_bytes / 2**30:.2f} GiB")
        if self.gpus:
            parts.append("all GPUs" if self.gpus < 0 else f"{self.gpus} GPU")
        return ", ".join(parts)


@dataclass(frozen=True)
class Capacity:
    """The schedulable resources of one host (a cluster engine reports one per node in `nodes`)."""

    cpus: float
    memory_bytes: int
    gpu_ids: tuple[str, ...] = ()
    node: str | None = None  # None: the local host
    nodes: tuple[Capacity, ...] = ()  # a cluster's nodes; empty for one host

    def describe(self) -> str:
        if self.nodes:
            return f"{len(self.nodes)} nodes: " + "; ".join(f"{n.node}: {n.describe()}" for n in self.nodes)
        gpus = ",".join(self.gpu_ids) if self.gpu_ids else "none"
        return f"{self.cpus:g} CPU, {self.memory_bytes / 2**30:.1f} GiB, GPUs: {gpus}"

    @property
    def hosts(self) -> tuple[Capacity, ...]:
        return self.nodes or (self,)


def _cgroup_cpus() -> float | None:
    for path, parse in (
        (Path("/sys/fs/cgroup/cpu.max"), lambda t: t.split()),
        (Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), lambda t: [t, "0"]),
    ):
        try:
            fields = parse(path.read_text().strip())
        except OSError:
            continue
        if path.name == "cpu.cfs_quota_us":
            try:
                period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
            except (OSError, ValueError):
                return None
            fields[1] = str(period)
        if fields[0] not in ("max", "-1") and int(fields[1]) > 0:
            return int(fields[0]) / int(fields[1])
    return None


def _total_memory() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _nvidia_gpu_ids() -> tuple[str, ...]:
    if not shutil.which("nvidia-smi"):
        return ()
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in out.splitlines() if line.strip())


def detect_capacity(cpus: float | None = None, memory: str | None = None, gpus: str | None = None) -> Capacity:
    """The host's cores (affinity and cgroup quota), memory and NVIDIA GPUs; each can be overridden."""
    if cpus is None:
        cpus = float(len(os.sched_getaffinity(0)))
        quota = _cgroup_cpus()
        if quota:
            cpus = min(cpus, quota)
    return Capacity(
        cpus=float(cpus),
        memory_bytes=parse_size(memory) if memory else _total_memory(),
        gpu_ids=parse_gpus(gpus) if gpus is not None else _nvidia_gpu_ids(),
    )


@dataclass(frozen=True)
class Grant:
    """Resources handed to one running attempt (given back when it ends)."""

    cpus: float
    memory_bytes: int
    gpu_ids: tuple[str, ...] = ()
    node: str | None = None  # where the attempt must run (cluster engines)


class HostPool:
    """Free resources of one host. A need larger than the host is clamped to it, so on a host big
    enough for nothing else such a stage runs alone instead of never."""

    def __init__(self, capacity: Capacity) -> None:
        self.capacity = capacity
        self.free_cpus = capacity.cpus
        self.free_memory = capacity.memory_bytes
        self.free_gpus = list(capacity.gpu_ids)

    def clamped(self, need: Need) -> tuple[float, int, int]:
        """A host without known GPU ids gives a GPU stage the service's own request (no ids to hand out)."""
        known = len(self.capacity.gpu_ids)
        gpus = known if need.gpus < 0 else min(need.gpus, known)
        return min(need.cpus, self.capacity.cpus), min(need.memory_bytes, self.capacity.memory_bytes), gpus

    def fits(self, need: Need) -> bool:
        cpus, memory, gpus = self.clamped(need)
        return cpus <= self.free_cpus + 1e-9 and memory <= self.free_memory and gpus <= len(self.free_gpus)

    def take(self, need: Need) -> Grant:
        cpus, memory, gpus = self.clamped(need)
        self.free_cpus -= cpus
        self.free_memory -= memory
        ids, self.free_gpus = tuple(self.free_gpus[:gpus]), self.free_gpus[gpus:]
        return Grant(cpus, memory, ids, self.capacity.node)

    def give(self, grant: Grant) -> None:
        cap = self.capacity
        self.free_cpus = min(cap.cpus, self.free_cpus + grant.cpus)
        self.free_memory = min(cap.memory_bytes, self.free_memory + grant.memory_bytes)
        self.free_gpus = sorted({*self.free_gpus, *grant.gpu_ids}, key=cap.gpu_ids.index)


class Pool:
    """Free resources of one host or of every node of a cluster. A stage goes to the node with the most
    free CPU among those where it fits (spreading the load); a GPU stage only to a node with GPUs free.
    A need larger than a node is clamped to that node, so it runs there alone instead of never."""

    def __init__(self, capacity: Capacity) -> None:
        self.capacity = capacity
        self.hosts = [HostPool(c) for c in capacity.hosts]

    def _candidates(self, need: Need) -> list[HostPool]:
        """GPU stages go to hosts with enough GPUs when there are such hosts."""
        if need.gpus:
            with_gpus = [h for h in self.hosts if len(h.capacity.gpu_ids) >= max(1, need.gpus)]
            if with_gpus:
                return with_gpus
        return self.hosts

    def fits(self, need: Need) -> bool:
        return any(h.fits(need) for h in self._candidates(need))

    def take(self, need: Need) -> Grant:
        fitting = [h for h in self._candidates(need) if h.fits(need)]
        if not fitting:
            raise ValueError(f"{need.describe()} does not fit")
        return max(fitting, key=lambda h: h.free_cpus).take(need)

    def give(self, grant: Grant) -> None:
        host = next((h for h in self.hosts if h.capacity.node == grant.node), self.hosts[0])
        host.give(grant)

    def busy(self) -> dict[str, float]:
        """Fraction in use of each resource over all hosts (for utilisation reports)."""
        cpus = sum(h.capacity.cpus for h in self.hosts)
        memory = sum(h.capacity.memory_bytes for h in self.hosts)
        gpus = sum(len(h.capacity.gpu_ids) for h in self.hosts)
        out = {"cpus": 1 - sum(h.free_cpus for h in self.hosts) / cpus if cpus else 0.0}
        out["memory"] = 1 - sum(h.free_memory for h in self.hosts) / memory if memory else 0.0
        if gpus:
            out["gpus"] = 1 - sum(len(h.free_gpus) for h in self.hosts) / gpus
        return out


def cluster_capacity(nodes: list, gpu_kind: str) -> Capacity:
    """A cluster engine's schedulable nodes (`Engine.capacity()`: NodeCapacity entries) as one Capacity
    whose `nodes` the pool places stages on; a node's GPUs (a generic resource count) get ids 0..n-1."""
    hosts = tuple(
        Capacity(
            cpus=n.cpus,
            memory_bytes=n.memory_bytes,
            gpu_ids=tuple(str(i) for i in range(int(n.generic.get(gpu_kind, 0)))),
            node=n.name,
        )
        for n in nodes
        if n.schedulable
    )
    if not hosts:
        raise ValueError("the cluster has no node that accepts work (all drained or down)")
    return Capacity(
        cpus=sum(h.cpus for h in hosts),
        memory_bytes=sum(h.memory_bytes for h in hosts),
        gpu_ids=tuple(i for h in hosts for i in h.gpu_ids),
        nodes=hosts,
    )
