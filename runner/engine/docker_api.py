"""The few read-only Engine API calls a resume needs, over the local unix socket, without the Docker SDK.

Importing the SDK (requests, urllib3, docker.api) costs more than everything else a full resume
does. Ping, image ids, containers by label and `info` are plain GETs returning JSON, so they go
through http.client here; the SDK is loaded only when a container must be created, stopped or
removed. A DOCKER_HOST that is not a unix socket (tcp, ssh) uses the SDK for everything.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import urllib.parse

from .base import EngineError

DEFAULT_SOCKET = "/var/run/docker.sock"


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class LocalDockerAPI:
    """GET requests to a local engine; one connection, reused."""

    def __init__(self, socket_path: str, timeout_s: float = 30.0) -> None:
        self.socket_path = socket_path
        self.timeout_s = timeout_s
        self._conn: _UnixConnection | None = None

    @classmethod
    def from_env(cls) -> LocalDockerAPI | None:
        host = os.environ.get("DOCKER_HOST", "")
        if not host:
            return cls(DEFAULT_SOCKET)
        if host.startswith("unix://"):
            return cls(host[len("unix://") :])
        return None

    def get(self, path: str, query: dict | None = None) -> tuple[int, object]:
        url = path + ("?" + urllib.parse.urlencode(query) if query else "")
        for fresh in (False, True):  # a kept-alive connection the engine closed: reconnect once
            if self._conn is None or fresh:
                self.close()
                self._conn = _UnixConnection(self.socket_path, self.timeout_s)
            try:
                self._conn.request("GET", url)
                response = self._conn.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if fresh:
                    raise EngineError(f"cannot talk to the Docker engine at {self.socket_path}: {exc}") from exc
        try:
            data = json.loads(body) if body and body[:1] in (b"{", b"[") else body.decode(errors="replace")
        except ValueError:
            data = body.decode(errors="replace")
        if response.status >= 500:
            message = data.get("message") if isinstance(data, dict) else data
            raise EngineError(f"Docker engine error: {response.status} {message}")
        return response.status, data

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def ping(self) -> None:
        status, _ = self.get("/_ping")
        if status != 200:
            raise EngineError(f"the Docker engine answered {status} to a ping")

    def image_id(self, image: str) -> str | None:
        status, data = self.get(f"/images/{urllib.parse.quote(image, safe='/:@')}/json")
        if status == 404:
            return None
        if status != 200 or not isinstance(data, dict):
            raise EngineError(f"Docker engine error: {status} inspecting image {image}")
        return str(data["Id"])

    def container_ids(self, labels: dict[str, str]) -> list[str]:
        filters = json.dumps({"label": [f"{k}={v}" for k, v in labels.items()]})
        status, data = self.get("/containers/json", {"all": "1", "filters": filters})
        if status != 200 or not isinstance(data, list):
            raise EngineError(f"Docker engine error: {status} listing containers")
        return [str(c["Id"]) for c in data]

    def info(self) -> dict:
        status, data = self.get("/info")
        return data if status == 200 and isinstance(data, dict) else {}
