"""The Graph API stand-in's attachment host: pictures the simulator "sends" are served here, as
Facebook's CDN serves the attachments of real messages (the scam check fetches and reads them).

`POST /_standin/attachments` (the raw file as body, its Content-Type) answers {"url": …};
`GET /_standin/attachments/<id>` serves it (`?slow_s=N`: dripped over N seconds, as a slow
CDN would). Only the last MAX_KEPT files are kept, in memory.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

from flask import Flask, Response, jsonify, request

MAX_KEPT = 50
MAX_BYTES = 30 * 1024 * 1024  # larger than the scam check and evidence accept, to test limits


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
        slow_s = min(float(request.args.get("slow_s", 0) or 0), 60.0)
        if slow_s:
            return Response(_drip(found[0], slow_s), mimetype=found[1])
        return Response(found[0], mimetype=found[1])


def _drip(data: bytes, seconds: float, parts: int = 20) -> Any:
    step = max(1, len(data) // parts)
    for start in range(0, len(data), step):
        time.sleep(seconds / parts)
        yield data[start:start + step]
