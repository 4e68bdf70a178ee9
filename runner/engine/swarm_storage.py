"""No shared storage: an attempt's mounts become volumes on the node that runs it.

Before the task starts, each read-only mount is copied into a volume on that node (through a
helper container that is created, never started, and used only for `put_archive`); the writable
mount (the attempt's staging folder) becomes an empty volume owned by the task's user. After a
successful task its content is copied back (`get_archive`) into a temporary folder beside the
staging folder and only then moved in, so a half-copied output is never where the runner looks.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tarfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import docker
import docker.errors
import requests.exceptions
from docker.types import Mount as DockerMount

from .base import ContainerSpec, EngineError

ROLE_LABEL = "io.reelstage.swarm.role"
ATTEMPT_LABEL = "io.reelstage.swarm.attempt"


@dataclass
class VolumePlan:
    """One volume of an attempt: where it is mounted and what fills it."""

    name: str
    target: str
    read_only: bool
    entries: list[tuple[Path, str]] = field(default_factory=list)  # host path → path inside the volume
    drain_to: Path | None = None  # the writable mount's host folder


def referenced(target: str, command: tuple[str, ...]) -> list[str]:
    """Paths under `target` that the command names (relative to it)."""
    pattern = re.compile(re.escape(target.rstrip("/")) + r"/([^\s'\",;=]+)")
    found = []
    for arg in command:
        found += [m.group(1).rstrip("/") for m in pattern.finditer(arg)]
    return sorted(set(found))


def plan_volumes(spec: ContainerSpec, prefix: str) -> list[VolumePlan]:
    """The volumes for `spec`'s mounts. A read-only folder mount carries only the paths the command
    names under it (all of it when it names none); file mounts share a volume per parent folder."""
    plans: list[VolumePlan] = []
    by_target: dict[str, VolumePlan] = {}
    folders = [m for m in spec.mounts if not Path(m.source).is_file()]
    files = [m for m in spec.mounts if Path(m.source).is_file()]
    for m in folders:
        plan = VolumePlan(f"{prefix}-v{len(plans)}", m.target, m.read_only)
        if m.read_only:
            names = [r for r in referenced(m.target, spec.command) if _exists_under(Path(m.source), r)]
            plan.entries = [(Path(m.source) / r, r) for r in _outermost(names)] or [(Path(m.source), ".")]
        else:
            plan.drain_to = Path(m.source)
        plans.append(plan)
        by_target[m.target.rstrip("/")] = plan
    for m in files:
        parent, name = str(PurePosixPath(m.target).parent), PurePosixPath(m.target).name
        owner = _enclosing(by_target, m.target)
        if owner is not None:
            owner.entries.append((Path(m.source), str(PurePosixPath(m.target).relative_to(owner.target))))
            continue
        plan = by_target.get(parent)
        if plan is None:
            plan = by_target[parent] = VolumePlan(f"{prefix}-v{len(plans)}", parent, True)
            plans.append(plan)
        plan.entries.append((Path(m.source), name))
    return plans


def _exists_under(root: Path, rel: str) -> bool:
    path = (root / rel).resolve()
    return path.exists() and (path == root.resolve() or root.resolve() in path.parents)


def _outermost(names: list[str]) -> list[str]:
    """Drop names inside another named folder (it is copied whole)."""
    return [n for n in names if not any(n != o and n.startswith(o + "/") for o in names)]


def _enclosing(by_target: dict[str, VolumePlan], target: str) -> VolumePlan | None:
    for root, plan in by_target.items():
        if target.startswith(root + "/") and plan.drain_to is None and "/" in target[len(root) + 1 :]:
            return plan
    return None


def _user_ids(user: str | None) -> tuple[int, int]:
    if not user:
        return 0, 0
    uid, _, gid = user.partition(":")
    return (int(uid), int(gid or uid)) if uid.isdigit() and (gid or uid).isdigit() else (0, 0)


def _tar_stream(entries: list[tuple[Path, str]], top: str, uid: int, gid: int) -> Iterator[bytes]:
    """A tar of the entries under the folder `top` (all owned by uid:gid), produced while it is sent.

    The folder itself is the first member: extracted onto the volume's mount point, it gives the
    volume's root to the task's user (so the writable one is writable)."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid, info.gid, info.uname, info.gname = uid, gid, "", ""
        return info

    def folder(name: str) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
        return owned(info)

    def write() -> None:
        try:
            with os.fdopen(write_fd, "wb") as out, tarfile.open(fileobj=out, mode="w|") as tar:
                tar.addfile(folder(top))
                for host, rel in entries:
                    if rel == ".":
                        for child in sorted(host.iterdir()):
                            tar.add(str(child), arcname=f"{top}/{child.name}", filter=owned)
                        continue
                    for parent in reversed(PurePosixPath(rel).parents[:-1]):
                        tar.addfile(folder(f"{top}/{parent}"))
                    tar.add(str(host), arcname=f"{top}/{rel}", filter=owned)
        except BaseException as exc:  # reported after the stream ends
            failure.append(exc)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    with os.fdopen(read_fd, "rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk
    writer.join()
    if failure:
        raise EngineError(f"cannot read the stage's inputs to copy them to the node: {failure[0]}")


class _ChunkReader(io.RawIOBase):
    """A file-like view of an iterator of byte chunks (for tarfile's stream mode)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self.pending))
        buffer[:n], self.pending = self.pending[:n], self.pending[n:]
        return n


class StagedAttempt:
    """The volumes of one attempt on one node, and the helper container that fills and drains them."""

    def __init__(
        self, client: docker.DockerClient, node: str, node_id: str, spec: ContainerSpec, image: str, prefix: str
    ) -> None:
        self.client = client
        self.node = node
        self.node_id = node_id
        self.spec = spec
        self.image = image
        self.prefix = prefix
        self.plans = plan_volumes(spec, prefix)
        self.labels = {**spec.labels, ATTEMPT_LABEL: prefix}
        self.helper = None

    def fill(self) -> None:
        uid, gid = _user_ids(self.spec.user)
        try:
            for plan in self.plans:
                self.client.volumes.create(plan.name, labels={**self.labels, ROLE_LABEL: "volume"})
            self.helper = self.client.containers.create(
                self.image,
                command=["true"],
                entrypoint=[],
                network_mode="none",
                labels={**self.labels, ROLE_LABEL: "stager"},
                mounts=[DockerMount(p.target, p.name, type="volume") for p in self.plans],
            )
            for plan in self.plans:
                target = PurePosixPath(plan.target)
                self.client.api.put_archive(
                    self.helper.id, str(target.parent), _tar_stream(plan.entries, target.name, uid, gid)
                )
        except (docker.errors.DockerException, OSError) as exc:
            raise EngineError(f"cannot stage the inputs on node {self.node}: {exc}", node=self.node) from exc

    def mounts(self) -> list[DockerMount]:
        return [DockerMount(p.target, p.name, type="volume", read_only=p.read_only, no_copy=True) for p in self.plans]

    def drain(self) -> None:
        """Copy the writable volume back into its host folder: all of it, or nothing new there."""
        for plan in self.plans:
            if plan.drain_to is None:
                continue
            scratch = plan.drain_to.with_name(f"{plan.drain_to.name}.drain")
            try:
                stream, _stat = self.client.api.get_archive(self.helper.id, plan.target.rstrip("/") + "/.")
                scratch.mkdir(parents=True, exist_ok=False)
                with tarfile.open(fileobj=io.BufferedReader(_ChunkReader(iter(stream))), mode="r|") as tar:
                    tar.extractall(scratch, members=_without_top(tar), filter="data")
                for entry in scratch.iterdir():
                    os.replace(entry, plan.drain_to / entry.name)
                scratch.rmdir()
            except (docker.errors.DockerException, OSError, tarfile.TarError) as exc:
                raise EngineError(f"cannot copy the outputs back from node {self.node}: {exc}", node=self.node) from exc

    def cleanup(self) -> None:
        """Remove the helper and the volumes (a volume still in use is retried for a few seconds;
        an unreachable node is left to `remove_labelled`, which finds them by label)."""
        try:
            if self.helper is not None:
                with contextlib.suppress(docker.errors.NotFound):
                    self.helper.remove(force=True)
            for plan in self.plans:
                for _ in range(20):
                    try:
                        self.client.volumes.get(plan.name).remove(force=True)
                        break
                    except docker.errors.NotFound:
                        break
                    except docker.errors.APIError:  # still in use by the task's container
                        time.sleep(0.5)
        except (docker.errors.DockerException, requests.exceptions.RequestException, OSError):
            pass


def _without_top(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Members of a `get_archive` tar without its top folder (`out/x` → `x`)."""
    for member in tar:
        _top, _, rest = member.name.partition("/")
        if not rest or rest == ".":
            continue
        member.name = rest
        if rest.startswith("./"):
            member.name = rest[2:]
        yield member
