"""A private Docker engine for tests that stop and restart the engine mid-stage.

Other work shares this machine's dockerd, so a test must never restart it. This starts a second
dockerd of our own (its own data root, exec root, pid file and unix socket; no bridge, no iptables,
so the host's networking is untouched), which a test may stop, kill and start at will. It is stopped
by its pid at teardown.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

DOCKERD = shutil.which("dockerd") or "/usr/sbin/dockerd"


class PrivateDockerd:
    """One private dockerd: start(), stop(), kill(), restart(); `host` is its DOCKER_HOST."""

    def __init__(self, root: Path, path_prepend: list[Path] | None = None) -> None:
        self.root = root
        self.path_prepend = path_prepend or []  # e.g. a folder with a stand-in nvidia-container-runtime-hook
        tag = secrets.token_hex(3)
        # unix socket paths are limited to ~108 bytes: keep it short, under /tmp
        self.socket = Path(tempfile.gettempdir()) / f"rs-dockerd-{tag}.sock"
        self.exec_root = Path(tempfile.gettempdir()) / f"rs-exec-{tag}"
        self.pidfile = root / "dockerd.pid"
        self.log = root / "dockerd.log"
        self.namespace = f"reelstage-test-{tag}"
        self.proc: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    def argv(self) -> list[str]:
        # its own network namespace: with --bridge=none, dockerd deletes any interface named docker0 it
        # sees at start-up, which in the root namespace is the HOST engine's bridge (lead's fix)
        return [
            "unshare", "--net", "--",
            DOCKERD,
            "--data-root", str(self.root / "data"),
            "--exec-root", str(self.exec_root),
            "--pidfile", str(self.pidfile),
            "-H", self.host,
            "--bridge=none",
            "--iptables=false",
            "--ip-masq=false",
            "--ip6tables=false",
            "--containerd-namespace", self.namespace,
            "--containerd-plugins-namespace", f"{self.namespace}-plugins",
            "--shutdown-timeout", "3",
        ]  # fmt: skip

    def start(self, timeout: float = 60.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            env = {**os.environ, "PATH": os.pathsep.join([*map(str, self.path_prepend), os.environ.get("PATH", "")])}
            self.proc = subprocess.Popen(
                self.argv(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"private dockerd exited {self.proc.returncode}: {self.tail()}")
            if self.answers():
                return
            time.sleep(0.1)
        raise RuntimeError(f"private dockerd did not answer in {timeout:g} s: {self.tail()}")

    def answers(self) -> bool:
        try:
            client = docker.DockerClient(base_url=self.host, timeout=2)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except Exception:
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        """Stop this dockerd (SIGTERM: a clean shutdown; SIGKILL: a crash) and wait for it to go."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if sig == signal.SIGKILL:  # a crash of the service: its managed containerd goes too (not the shims)
            for pid in _pids_mentioning(str(self.exec_root), program="containerd"):
                with _suppress():
                    os.kill(pid, signal.SIGKILL)
            # what a service manager's clean-up does: else dockerd waits for the pid it recorded
            (self.exec_root / "containerd" / "containerd.pid").unlink(missing_ok=True)
            time.sleep(0.5)

    def restart(self, down_s: float = 0.0, sig: int = signal.SIGTERM) -> None:
        self.stop(sig)
        time.sleep(down_s)
        self.start()

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.host, timeout=120)

    def env(self) -> dict[str, str]:
        return {"DOCKER_HOST": self.host}

    def load_image(self, image: str) -> None:
        """Copy an image from the host's engine into this one (no registry involved)."""
        save = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
        load = subprocess.run(
            ["docker", "load", "-q"],
            stdin=save.stdout,
            capture_output=True,
            text=True,
            env={**os.environ, **self.env()},
        )
        save.stdout.close()
        save.wait()
        if save.returncode or load.returncode:
            raise RuntimeError(f"cannot load {image} into the private dockerd: {load.stderr.strip()}")

    def tail(self, n: int = 5) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def teardown(self) -> None:
        """Stop this dockerd by its pid, and whatever containerd it started (found by its exec root)."""
        with _suppress():
            client = self.client()
            for c in client.containers.list(ignore_removed=True, all=True):
                with _suppress():
                    c.remove(force=True)
            client.close()
        self.stop(signal.SIGTERM)
        for pid in _pids_mentioning(str(self.exec_root)):
            with _suppress():
                os.kill(pid, signal.SIGKILL)
        for mount in _mounts_under(str(self.exec_root), str(self.root)):  # netns, overlays left by a crash
            subprocess.run(["umount", "-l", mount], capture_output=True, check=False)
        shutil.rmtree(self.exec_root, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)
        self.socket.unlink(missing_ok=True)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def _pids_mentioning(text: str, program: str | None = None) -> list[int]:
    """Processes whose command line contains `text` (our own dockerd's containerd and shims), and
    whose program is `program` if given."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and (program is None or Path(cmdline.split(" ", 1)[0]).name == program):
            found.append(int(entry.name))
    return found


def _mounts_under(*prefixes: str) -> list[str]:
    mounts = []
    for line in Path("/proc/mounts").read_text().splitlines():
        target = line.split()[1]
        if any(target == p or target.startswith(p + "/") for p in prefixes):
            mounts.append(target)
    return sorted(mounts, key=len, reverse=True)


def available() -> str | None:
    """Why a private dockerd cannot run here, or None."""
    if not Path(DOCKERD).exists():
        return "dockerd is not installed"
    if os.geteuid() != 0:
        return "a private dockerd needs root"
    return None


@contextlib.contextmanager
def running_dockerd(root: Path, path_prepend: list[Path] | None = None) -> Iterator[PrivateDockerd]:
    """A started private dockerd with the busybox test image loaded (the test skipped where none can
    run); stopped by pid at the end."""
    why = available()
    if why:
        pytest.skip(why)
    daemon = PrivateDockerd(root, path_prepend=path_prepend)
    try:
        daemon.start()
        from harness import TEST_IMAGE

        daemon.load_image(TEST_IMAGE)
        yield daemon
    finally:
        daemon.teardown()


@pytest.fixture(scope="session")
def private_dockerd(tmp_path_factory: pytest.TempPathFactory, busybox_image: str) -> Iterator[PrivateDockerd]:
    """A private dockerd with the busybox test image loaded; stopped by pid at teardown."""
    with running_dockerd(tmp_path_factory.mktemp("dockerd")) as daemon:
        yield daemon
