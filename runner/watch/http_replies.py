"""How the read-only HTTP API answers: JSON, bytes or a streamed file, every error as JSON."""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
import stat
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path

_MIME = mimetypes.MimeTypes()
_MIME.add_type("application/x-subrip", ".srt")
_MIME.add_type("text/plain", ".log")
_MIME.add_type("application/x-ndjson", ".jsonl")


class ApiError(Exception):
    """Answered as {"error": message} with an HTTP status."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def mime(name: str) -> str:
    kind = _MIME.guess_type(name, strict=False)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


class ReadOnlyHandler(BaseHTTPRequestHandler):
    """GET/HEAD go to `_dispatch` (the subclass's routes); any other method is refused, as JSON."""

    protocol_version = "HTTP/1.1"
    server_version = "reelstage"
    _head = False

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def _dispatch(self, head: bool) -> None:
        raise NotImplementedError

    def _refuse_method(self) -> None:
        self._send_json(
            {"error": f"{self.command} is not allowed: this API is read-only (GET, HEAD)"},
            HTTPStatus.METHOD_NOT_ALLOWED,
            extra={"Allow": "GET, HEAD"},
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Quiet about each request (the dashboard polls every 2 s); errors are still logged."""

    def _headers(self, status: HTTPStatus, content_type: str, length: int, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _send_bytes(
        self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK, extra: dict | None = None
    ) -> None:
        self._headers(status, content_type, len(body), extra)
        if not self._head:
            self.wfile.write(body)

    def _send_json(self, data: object, status: HTTPStatus = HTTPStatus.OK, extra: dict | None = None) -> None:
        body = json.dumps(data, ensure_ascii=False, indent=1).encode()
        self._send_bytes(body, "application/json; charset=utf-8", status, extra)

    def _send_file(self, path: Path) -> None:
        """Stream a regular file (never a directory, FIFO or device)."""
        try:
            fh = open(path, "rb")  # noqa: SIM115 (closed below, after streaming)
        except OSError as exc:
            raise ApiError(HTTPStatus.NOT_FOUND, f"cannot open {path.name}: {exc.strerror}") from exc
        with fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ApiError(HTTPStatus.NOT_FOUND, f"{path.name} is not a file")
            self._headers(
                HTTPStatus.OK,
                mime(path.name),
                info.st_size,
                {
                    "Last-Modified": formatdate(info.st_mtime, usegmt=True),
                    "Content-Security-Policy": "sandbox",
                },
            )
            if not self._head:
                shutil.copyfileobj(fh, self.wfile, 256 * 1024)
