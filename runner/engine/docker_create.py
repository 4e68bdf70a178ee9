"""A ContainerSpec as the Docker SDK's `containers.create` arguments, under a name chosen in advance."""

from __future__ import annotations

import secrets

from docker.types import DeviceRequest
from docker.types import Mount as DockerMount

from .base import ContainerSpec


def new_container_name() -> str:
    return f"reelstage-{secrets.token_hex(8)}"


def create_kwargs(spec: ContainerSpec, name: str) -> dict:
    """The SDK's `containers.create` arguments for a spec (least privilege unless the spec says otherwise)."""
    kwargs: dict = {
        "image": spec.image,
        "command": list(spec.command),
        "name": name,
        "mounts": [
            DockerMount(target=m.target, source=m.source, type="bind", read_only=m.read_only) for m in spec.mounts
        ],
        "environment": dict(spec.env),
        "labels": dict(spec.labels),
        "init": True,
        "detach": True,
        "network_mode": spec.network,
        "stdin_open": False,
        "tty": False,
        "cap_drop": list(spec.cap_drop) or None,
        "cap_add": list(spec.cap_add) or None,
        "security_opt": list(spec.security_opt) or None,
    }
    if spec.pids_limit:
        kwargs["pids_limit"] = spec.pids_limit
    if spec.cpu_limit:
        kwargs["nano_cpus"] = int(spec.cpu_limit * 1e9)
    if spec.memory_limit_bytes:
        kwargs["mem_limit"] = spec.memory_limit_bytes
        kwargs["memswap_limit"] = spec.memory_limit_bytes  # no swap beyond the limit: OOM, not thrashing
    if spec.user:
        kwargs["user"] = spec.user
    if spec.working_dir:
        kwargs["working_dir"] = spec.working_dir
    if spec.gpus:
        kwargs["device_requests"] = [
            DeviceRequest(
                driver=g.driver,
                count=g.count if not g.device_ids else None,
                device_ids=list(g.device_ids) or None,
                capabilities=[list(g.capabilities)],
            )
            for g in spec.gpus
        ]
    return kwargs
