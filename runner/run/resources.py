"""What a stage needs and what the host has: CPUs, memory and GPUs by id. Pure bookkeeping, no Docker."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
DEFAULT_CPUS = 1.0  # a stage that declares nothing reserves one core (Nextflow's default too)


def parse_size(text: str | int | float) -> int:
    """Bytes from `20m`, `1.5g`, `512MiB` or a plain number of bytes."""
    if isinstance(text, int | float):
        return int(text)
    match = _SIZE.match(str(text))
    if not match:
        raise ValueError(f"not a size: {text!r} (e.g. 512m, 4g)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


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
    """The host's schedulable resources."""

    cpus: float
    memory_bytes: int
    gpu_ids: tuple[str, ...] = ()

    def describe(self) -> str:
        gpus = ",".join(self.gpu_ids) if self.gpu_ids else "none"
        return f"{self.cpus:g} CPU, {self.memory_bytes / 2**30:.1f} GiB, GPUs: {gpus}"


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


@dataclass
class Pool:
    """Free resources of one host. A need larger than the whole host is clamped to it, so such a stage
    runs alone instead of never."""

    capacity: Capacity
    free_cpus: float = field(init=False)
    free_memory: int = field(init=False)
    free_gpus: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.free_cpus = self.capacity.cpus
        self.free_memory = self.capacity.memory_bytes
        self.free_gpus = list(self.capacity.gpu_ids)

    def _clamped(self, need: Need) -> tuple[float, int, int]:
        gpus = len(self.capacity.gpu_ids) if need.gpus < 0 else min(need.gpus, len(self.capacity.gpu_ids))
        return min(need.cpus, self.capacity.cpus), min(need.memory_bytes, self.capacity.memory_bytes), gpus

    def fits(self, need: Need) -> bool:
        cpus, memory, gpus = self._clamped(need)
        return cpus <= self.free_cpus + 1e-9 and memory <= self.free_memory and gpus <= len(self.free_gpus)

    def take(self, need: Need) -> Grant:
        if not self.fits(need):
            raise ValueError(f"{need.describe()} does not fit")
        cpus, memory, gpus = self._clamped(need)
        self.free_cpus -= cpus
        self.free_memory -= memory
        ids, self.free_gpus = tuple(self.free_gpus[:gpus]), self.free_gpus[gpus:]
        return Grant(cpus, memory, ids)

    def give(self, grant: Grant) -> None:
        self.free_cpus = min(self.capacity.cpus, self.free_cpus + grant.cpus)
        self.free_memory = min(self.capacity.memory_bytes, self.free_memory + grant.memory_bytes)
        self.free_gpus = sorted({*self.free_gpus, *grant.gpu_ids}, key=self.capacity.gpu_ids.index)

    def busy(self) -> dict[str, float]:
        """Fraction in use of each resource (for utilisation reports)."""
        cap = self.capacity
        out = {"cpus": 1 - self.free_cpus / cap.cpus if cap.cpus else 0.0}
        out["memory"] = 1 - self.free_memory / cap.memory_bytes if cap.memory_bytes else 0.0
        if cap.gpu_ids:
            out["gpus"] = 1 - len(self.free_gpus) / len(cap.gpu_ids)
        return out
