"""The container one stage attempt runs in: mounts, user, network, GPUs, limits and hardening."""

from __future__ import annotations

import os
from pathlib import Path

from runner.engine import ContainerSpec, GpuRequest, Mount
from runner.pipeline.config import (
    CONTAINER_CHECKPOINT,
    CONTAINER_FILES,
    CONTAINER_OUT,
    CONTAINER_WORKDIR,
    InputNames,
    StageSpec,
)
from runner.run.context import MovieContext
from runner.run.resources import Grant
from runner.run.workdir import open_checkpoint


def container_spec(ctx: MovieContext, stage: StageSpec, grant: Grant, staging: Path, resume_key: str) -> ContainerSpec:
    """Work folder read-only, a fresh staging folder as /out, the input read-only when the stage reads
    it, its checkpoint folder while its resume key holds; runs as the invoking user without network."""
    service = ctx.prep.pipeline.services[stage.service]
    mounts = [Mount(str(ctx.workdir), CONTAINER_WORKDIR, True), Mount(str(staging), CONTAINER_OUT, False)]
    if stage.uses_input:
        mounts.append(Mount(str(ctx.input.resolve()), InputNames(ctx.input.name).container_path, True))
    if stage.uses_checkpoint:
        folder = open_checkpoint(ctx.workdir, stage.dirname, resume_key)
        mounts.append(Mount(str(folder), CONTAINER_CHECKPOINT, False))
    for key in stage.uses_files:
        host = ctx.prep.pipeline.files[key]
        if host.is_file():
            mounts.append(Mount(str(host), f"{CONTAINER_FILES}/{key}", True))
    for m in service.mounts:  # compose creates missing bind sources; so do we
        if not Path(m.source).exists():
            Path(m.source).mkdir(parents=True, exist_ok=True)
    mounts.extend(service.mounts)
    gpus: tuple[GpuRequest, ...] = ()
    if ctx.prep.gpu_used(stage):
        gpus = service.gpus
        if grant.gpu_ids:  # the scheduler's devices: never two stages on one GPU
            first = service.gpus[0]
            gpus = (GpuRequest(first.driver, -1, grant.gpu_ids, first.capabilities),)
    return ContainerSpec(
        image=service.image,
        command=stage.command,
        mounts=tuple(mounts),
        env={"HOME": "/tmp", **service.env},
        user=f"{os.getuid()}:{os.getgid()}",
        network=service.network_mode or "none",
        gpus=gpus,
        labels=ctx.labels(stage.name),
        timeout_s=stage.timeout_s,
        grace_s=stage.grace_s,
        cpu_limit=service.resources.cpu_limit,
        memory_limit_bytes=service.resources.memory_limit_bytes,
        cpu_reservation=service.resources.cpu_reservation,
        memory_reservation_bytes=service.resources.memory_reservation_bytes,
        placement=service.placement,  # a cluster places the task itself (constraints, reservations, GPUs)
        **service.hardening(),
    )
