"""A stage attempt as a swarm service: its name and its spec, built from the runner's ContainerSpec."""

from __future__ import annotations

import re
import secrets

import docker.errors
from docker.types import ContainerSpec as SwarmContainerSpec
from docker.types import EndpointSpec, Placement, Resources, RestartPolicy, ServiceMode, TaskTemplate
from docker.types import Mount as DockerMount

from .base import ContainerSpec, EngineError
from .swarm_api import API_ERRORS, SwarmApi, engine_error
from .swarm_nodes import check_constraints
from .swarm_storage import StagedAttempt

ENGINE_LABEL = "io.reelstage.engine"
NO_NETWORK = "reelstage-none"  # an internal network (no way out): the nearest to `none` a service can have


def service_name(spec: ContainerSpec) -> str:
    base = spec.name or spec.labels.get("io.reelstage.stage") or "task"
    base = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-")[:40] or "task"
    return f"rs-{base}-{secrets.token_hex(4)}"


def gpu_count(spec: ContainerSpec) -> int:
    """GPUs to reserve: Swarm needs a number, so compose's `count: all` (-1) asks for one."""
    total = 0
    for g in spec.gpus:
        total += len(g.device_ids) if g.device_ids else (g.count if g.count > 0 else 1)
    return total


class ServiceFactory:
    """Creates one attempt's service: a one-replica replicated service with restart condition `none`."""

    def __init__(self, swarm: SwarmApi, gpu_kind: str) -> None:
        self.swarm = swarm
        self.gpu_kind = gpu_kind

    def create(self, spec: ContainerSpec, name: str, image: str, staged: StagedAttempt | None) -> str:
        """The new service's id."""
        try:
            check_constraints(spec.placement)
        except ValueError as exc:
            raise EngineError(str(exc)) from exc
        labels = {**spec.labels, ENGINE_LABEL: "swarm"}
        template = self._template(spec, image, staged, labels)
        try:
            created = self.swarm.api.create_service(
                template,
                name=name,
                labels=labels,
                mode=ServiceMode("replicated", 1),
                endpoint_spec=EndpointSpec(mode="dnsrr"),  # no virtual IP: nothing calls a stage
            )
        except API_ERRORS as exc:
            raise engine_error(exc) from exc
        return str(created["ID"])

    def _template(
        self, spec: ContainerSpec, image: str, staged: StagedAttempt | None, labels: dict[str, str]
    ) -> TaskTemplate:
        if staged is not None:
            mounts = staged.mounts()
        else:
            mounts = [DockerMount(m.target, m.source, type="bind", read_only=m.read_only) for m in spec.mounts]
        container = SwarmContainerSpec(
            image,
            command=None,
            args=list(spec.command),
            hostname="{{.Node.Hostname}}",
            env=dict(spec.env),
            workdir=spec.working_dir,
            user=spec.user,
            labels=labels,
            mounts=mounts,
            stop_grace_period=int(max(1.0, spec.grace_s) * 1e9),
            init=True,
        )
        gpus = gpu_count(spec)
        resources = Resources(
            cpu_limit=int(spec.cpu_limit * 1e9) if spec.cpu_limit else None,
            mem_limit=spec.memory_limit_bytes,
            cpu_reservation=int(spec.cpu_reservation * 1e9) if spec.cpu_reservation else None,
            mem_reservation=spec.memory_reservation_bytes,
            generic_resources={self.gpu_kind: gpus} if gpus else None,
        )
        constraints = list(spec.placement)
        if staged is not None:
            constraints.append(f"node.id=={staged.node_id}")
        return TaskTemplate(
            container,
            resources=resources,
            restart_policy=RestartPolicy(condition="none"),
            placement=Placement(constraints=constraints) if constraints else None,
            networks=self._networks(spec),
        )

    def _networks(self, spec: ContainerSpec) -> list[str]:
        if spec.network in ("bridge", "default"):
            return []  # the node's default bridge
        if spec.network != "none":
            return [spec.network]
        driver = self._no_network_driver()
        if spec.gpus and driver == "overlay":
            return []  # engine 20.10 rejects a generic resource on an overlay network (docs/swarm.md)
        return [NO_NETWORK]

    def _no_network_driver(self) -> str:
        """The driver of `reelstage-none`; created as an internal overlay when the cluster has none
        (scripts/local_swarm/membership.py makes one too)."""
        api = self.swarm.api
        try:
            found = api.networks(names=[NO_NETWORK])
            if found:
                return str(found[0].get("Driver"))
            api.create_network(NO_NETWORK, driver="overlay", internal=True, labels={ENGINE_LABEL: "swarm"})
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: created meanwhile
                raise
        return "overlay"
