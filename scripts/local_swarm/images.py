"""Images copied from the host engine into the nodes (each node has its own image store)."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from .shell import run

if TYPE_CHECKING:
    from .node import Node


def load_images(images: list[str], nodes: list[Node]) -> None:
    """Copy images from the host engine into every node that lacks that exact image id."""
    for node in nodes:
        missing = [i for i in images if image_id(None, i) != image_id(node.host, i)]
        if not missing:
            continue
        save = subprocess.Popen(["docker", "save", *missing], stdout=subprocess.PIPE)
        loaded = subprocess.run(
            ["docker", "-H", node.host, "load", "-q"],
            stdin=save.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
        save.stdout.close()
        if save.wait() != 0 or loaded.returncode != 0:
            raise RuntimeError(f"loading {missing} into {node.name} failed: {loaded.stderr.strip()}")


def image_id(host: str | None, image: str) -> str | None:
    """The id of an image on this Docker host (None: the host engine), None when it has none."""
    cmd = ["docker", *(["-H", host] if host else []), "image", "inspect", "--format", "{{.Id}}", image]
    proc = run(*cmd, check=False, quiet=True)
    return proc.stdout.strip() if proc.returncode == 0 else None
