"""The Graph API stand-in's attachment host: pictures the simulator "sends" are served here, as
Facebook's CDN serves the attachments of real messages (the scam check fetches and reads them).

`POST /_standin/attachments` (the raw file as body, its Content-Type) answers {"url": …};
`GET /_standin/attachments/<id>` serves it. Only the last MAX_KEPT files are kept, in memory.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from typing import Any

from flask import Flask, Response, jsonify, request

MAX_KEPT = 50
MAX_BYTES = 20 * 1024 * 1024  # larger than the scam check accepts, so its limit can be tested


def add_attachment_routes(app: Flask) -> None:
    """Register the upload and download routes on the stand-in's app."""
    files: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
    lock = threading.Lock()

    @app.post("/_standin/attachments")
    def upload() -> Any:
        data = request.get_data(cache=False)
        if not data or len(data) > MAX_BYTES:
            return jsonify({"error": f"send 1 byte to {MAX_BYTES} bytes"}), 400
        key = uuid.uuid4().hex
        with lock:
            files[key] = (data, request.content_type or "application/octet-stream")
            while len(files) > MAX_KEPT:
                files.popitem(last=False)
        return jsonify({"url": f"{request.host_url}_standin/attachments/{key}"}), 201

    @app.get("/_standin/attachments/<key>")
    def download(key: str) -> Any:
        with lock:
            found = files.get(key)
        if found is None:
            return jsonify({"error": "no such attachment"}), 404
        return Response(found[0], mimetype=found[1])
