"""A container's peak memory and CPU time, from the engine's stats stream (one sample a second)."""

from __future__ import annotations

import contextlib
import socket
import threading

import docker


class StatsSampler:
    """Follows `/containers/<id>/stats` while the container runs. What it reports is what the last
    sample saw: a stage shorter than a second may report nothing (None), the last second is missed."""

    def __init__(self, api: docker.APIClient, container_id: str, delay_s: float = 0.5) -> None:
        """Sampling starts after `delay_s`: the engine samples once a second anyway, and a container that
        ends sooner costs no stats request at all."""
        self.api = api
        self.container_id = container_id
        self.delay_s = delay_s
        self._stop = threading.Event()
        self.peak_memory_bytes: int | None = None
        self.cpu_ns: int | None = None
        self.response = None
        self.lock = threading.Lock()
        self.stopped = False
        self.thread = threading.Thread(target=self._follow, daemon=True)
        self.thread.start()

    def _follow(self) -> None:
        if self._stop.wait(self.delay_s):
            return
        with contextlib.suppress(Exception):
            url = self.api._url("/containers/{0}/stats", self.container_id)
            response = self.api._get(url, params={"stream": True}, stream=True)
            with self.lock:
                if self.stopped:
                    response.close()
                    return
                self.response = response
            for sample in self.api._stream_helper(response, decode=True):
                self._take(sample)

    def _take(self, sample: dict) -> None:
        memory = sample.get("memory_stats") or {}
        used = memory.get("max_usage") or memory.get("usage")  # max_usage: cgroup v1's own peak
        if used:
            self.peak_memory_bytes = max(self.peak_memory_bytes or 0, int(used))
        total = ((sample.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage")
        if total:
            self.cpu_ns = max(self.cpu_ns or 0, int(total))

    def stop(self) -> tuple[int | None, float | None]:
        """Stop following; (peak memory in bytes, CPU seconds), None where no sample came."""
        self._stop.set()
        with self.lock:
            self.stopped = True
            if self.response is not None:
                with contextlib.suppress(Exception):
                    raw = self.api._get_raw_response_socket(self.response)
                    getattr(raw, "_sock", raw).shutdown(socket.SHUT_RDWR)
        self.thread.join(timeout=2)
        return self.peak_memory_bytes, (self.cpu_ns / 1e9 if self.cpu_ns else None)
