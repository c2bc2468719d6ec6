"""A local stand-in for Facebook's Graph API: the only one the project allows.

Use it wherever the code would call graph.facebook.com in development and tests (point
`GRAPH_API_URL` at it). It answers the calls this project makes the way Graph does (Send API,
sender actions, Messenger Profile API, thread control), records each request for inspection,
and can be told to fail the next calls with Meta's error JSON or to answer slowly.

The access token is never stored or logged: a record says only whether one was present
(`has_token`, from the `Authorization: Bearer` header as Graph accepts it, or the query), whether
an `appsecret_proof` came with it (JSON body or query) and, when the stand-in knows the app
secret, whether the proof matched (`proof_valid`). `token_in_url` and `proof_in_url` say when a
caller put them in the query string, where logs keep them (issue 10, finding 12). History is
bounded (`history_limit`).

- In-process: `with GraphStandIn(app_secret=...) as graph: ... graph.url ...`.
- Over HTTP (the simulator page): `GET /_standin/requests?since=SEQ&recipient=PSID`,
  `POST /_standin/faults`, `DELETE /_standin/faults`, `POST /_standin/reset`.
- Standalone (`make run`): `python -m webhook.simulator.graph_standin --port 8001`.

A fault applies to any Graph route; one with a `recipient` only to calls for that recipient.
"""

from __future__ import annotations

import argparse
import copy
import hmac
import itertools
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from webhook.messenger.signature import appsecret_proof
from webhook.simulator.attachments import add_attachment_routes

HISTORY_LIMIT = 10_000
SECRET_ARGS = ("access_token", "appsecret_proof")
SENDER_ACTIONS = ("typing_on", "typing_off", "mark_seen")
MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
PROFILE_FIELDS = ("get_started", "greeting", "persistent_menu", "ice_breakers",
                  "whitelisted_domains", "account_linking_url", "commands")
TEXT_MAX, GREETING_MAX = 2000, 160
ERROR_MESSAGES = {
    1: "An unknown error occurred",
    2: "Service temporarily unavailable",
    4: "(#4) Application request limit reached",
    10: "(#10) This message is sent outside of allowed window.",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    100: "(#100) Invalid parameter",
    190: "Invalid OAuth access token.",
    551: "(#551) This person isn't available right now.",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}
THREAD_CONTROL = "any(pass_thread_control, take_thread_control, release_thread_control)"


class GraphError(Exception):
    """A Graph API error answer: Meta's error JSON with an HTTP status (400 unless said)."""

    def __init__(self, code: int, message: str = "", http_status: int = 400,
                 subcode: int | None = None) -> None:
        super().__init__(message or ERROR_MESSAGES.get(code, f"(#{code}) Error"))
        self.code, self.http_status, self.subcode = code, http_status, subcode

    def body(self) -> dict[str, Any]:
        """Meta's error JSON."""
        error: dict[str, Any] = {"message": str(self), "type": "OAuthException",
                                 "code": self.code, "fbtrace_id": f"A{secrets.token_hex(8)}"}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}


@dataclass
class Fault:
    """The next `times` matching calls answer an error (or, with `code` None, just slowly)."""

    code: int | None
    http_status: int = 400
    times: int = 1
    recipient: str | None = None
    subcode: int | None = None
    delay: float = 0.0

    def matches(self, recipient: str | None) -> bool:
        """True for a call to this fault's recipient, or any call when it names none."""
        return self.recipient is None or self.recipient == recipient


class _State:
    """What the stand-in remembers: request history, queued faults and the Page's profile."""

    def __init__(self, app_secret: str | None, history_limit: int) -> None:
        self.app_secret = app_secret
        self.lock = threading.Lock()
        self.history: deque[dict[str, Any]] = deque(maxlen=history_limit)
        self.faults: list[Fault] = []
        self.profile: dict[str, Any] = {}
        self.seq = 0
        self.message_ids = itertools.count(1)

    def record(self, recipient: str | None) -> dict[str, Any]:
        """Add the current request to the history (without its secrets) and return the entry."""
        body = request.get_json(silent=True)
        token, proof = _token(), _proof(body)
        entry = {
            "method": request.method, "path": request.path, "time": time.time(),
            "args": {k: v for k, v in request.args.items() if k not in SECRET_ARGS},
            "has_token": bool(token), "has_proof": bool(proof),
            "token_in_url": "access_token" in request.args,
            "proof_in_url": "appsecret_proof" in request.args,
            "proof_valid": self._proof_valid(token, proof), "recipient": recipient,
            "json": _without_secrets(body), "status": None, "error_code": None,
        }
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.history.append(entry)
        return entry

    def finish(self, entry: dict[str, Any], status: int, error_code: int | None) -> None:
        """Note how a recorded request was answered."""
        with self.lock:
            entry["status"], entry["error_code"] = status, error_code

    def _proof_valid(self, token: str | None, proof: str | None) -> bool | None:
        if not self.app_secret:
            return None
        if not token or not proof:
            return False
        return hmac.compare_digest(appsecret_proof(token, self.app_secret), proof)

    def take_fault(self, recipient: str | None) -> Fault | None:
        """The first queued fault for this call, counted down (and dropped when used up)."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(recipient):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def requests(self, since: int = 0, recipient: str | None = None,
                 path_contains: str | None = None) -> list[dict[str, Any]]:
        """Copies of the recorded requests after `since`, optionally filtered."""
        with self.lock:
            found = [e for e in self.history if e["seq"] > since
                     and (recipient is None or e["recipient"] == recipient)
                     and (path_contains is None or path_contains in e["path"])]
            return copy.deepcopy(found)

    def reset(self) -> None:
        """Forget history, faults and profile (sequence numbers keep counting up)."""
        with self.lock:
            self.history.clear()
            self.faults.clear()
            self.profile.clear()


def _token() -> str | None:
    """The access token: the Authorization header (Bearer or OAuth), else the query."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return request.args.get("access_token")


def _proof(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("appsecret_proof"), str):
        return body["appsecret_proof"]
    return request.args.get("appsecret_proof")


def _without_secrets(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in SECRET_ARGS}
    return body


def _recipient(body: Any) -> str | None:
    recipient = body.get("recipient") if isinstance(body, dict) else None
    value = recipient.get("id") if isinstance(recipient, dict) else None
    return str(value) if value else None


def _graph_call(state: _State, handler: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """Record the call, apply a queued fault, else run the handler; answer as Graph does."""
    body = _without_secrets(request.get_json(silent=True) or {})
    recipient = _recipient(body)
    entry = state.record(recipient)
    try:
        fault = state.take_fault(recipient)
        if fault:
            time.sleep(fault.delay)
            if fault.code is not None:
                raise GraphError(fault.code, http_status=fault.http_status, subcode=fault.subcode)
        reply, status, code = handler(body if isinstance(body, dict) else {}), 200, None
    except GraphError as exc:
        reply, status, code = exc.body(), exc.http_status, exc.code
    state.finish(entry, status, code)
    return jsonify(reply), status


def _send(state: _State, body: dict[str, Any]) -> dict[str, Any]:
    recipient = _recipient(body)
    if not recipient:
        raise GraphError(100, "(#100) The parameter recipient is required")
    if "sender_action" in body:
        if "message" in body or body["sender_action"] not in SENDER_ACTIONS:
            raise GraphError(100, "(#100) sender_action must be typing_on, typing_off or "
                                  "mark_seen, without a message")
        return {"recipient_id": recipient}
    _check_message(body)
    return {"recipient_id": recipient, "message_id": f"m_{next(state.message_ids)}"}


def _check_message(body: dict[str, Any]) -> None:
    message = body.get("message")
    if not isinstance(message, dict) or not message:
        raise GraphError(100, "(#100) The parameter message is required")
    if body.get("messaging_type", "RESPONSE") not in MESSAGING_TYPES:
        raise GraphError(100, "(#100) Param messaging_type is not valid")
    if body.get("messaging_type") == "MESSAGE_TAG" and not body.get("tag"):
        raise GraphError(100, "(#100) The parameter tag is required for MESSAGE_TAG")
    if len(str(message.get("text", ""))) > TEXT_MAX:
        raise GraphError(100, f"(#100) Length of param message[text] must be less than or "
                              f"equal to {TEXT_MAX}")


def _thread_control(action: str, body: dict[str, Any]) -> dict[str, Any]:
    if not _recipient(body):
        raise GraphError(100, "(#100) The parameter recipient is required")
    if action == "pass_thread_control" and not body.get("target_app_id"):
        raise GraphError(100, "(#100) The parameter target_app_id is required")
    return {"success": True}


def _set_profile(state: _State, body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - set(PROFILE_FIELDS))
    if unknown or not body:
        raise GraphError(100, f"(#100) Requires one of the params: {', '.join(PROFILE_FIELDS)}")
    if "persistent_menu" in body and "get_started" not in {*body, *state.profile}:
        raise GraphError(100, "(#100) You must set a Get Started button if you also wish to "
                              "use persistent menu.")
    greetings = body.get("greeting") or []
    if not isinstance(greetings, list) or not all(isinstance(g, dict) for g in greetings):
        raise GraphError(100, "(#100) greeting must be a list of {locale, text} objects")
    for greeting in greetings:
        if len(str(greeting.get("text", ""))) > GREETING_MAX:
            raise GraphError(100, f"(#100) greeting text must be at most {GREETING_MAX} "
                                  "characters")
    with state.lock:
        state.profile.update(copy.deepcopy(body))
    return {"result": "success"}


def _get_profile(state: _State) -> dict[str, Any]:
    fields = [f for f in request.args.get("fields", "").split(",") if f]
    if not fields:
        raise GraphError(100, "(#100) The parameter fields is required")
    with state.lock:
        found = {f: copy.deepcopy(state.profile[f]) for f in fields if f in state.profile}
    return {"data": [found] if found else []}


def _delete_profile(state: _State, body: dict[str, Any]) -> dict[str, Any]:
    fields = body.get("fields")
    if not isinstance(fields, list) or not fields:
        raise GraphError(100, "(#100) The parameter fields is required")
    with state.lock:
        for field in fields:
            state.profile.pop(field, None)
    return {"result": "success"}


def _profile(state: _State, body: dict[str, Any]) -> dict[str, Any]:
    if request.method == "GET":
        return _get_profile(state)
    if request.method == "DELETE":
        return _delete_profile(state, body)
    return _set_profile(state, body)


def _fault_from(data: Any) -> Fault:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    fault = Fault(code=None if data.get("code") is None else int(data["code"]),
                  http_status=int(data.get("http_status") or 400),
                  times=int(data.get("times") or 1), recipient=data.get("recipient") or None,
                  subcode=None if data.get("subcode") is None else int(data["subcode"]),
                  delay=float(data.get("delay") or 0.0))
    if fault.code is None and fault.delay <= 0:
        raise ValueError("a fault needs a code, a delay or both")
    return fault


def _add_control_routes(app: Flask, state: _State) -> None:
    @app.get("/_standin/requests")
    def list_requests() -> Any:
        since = request.args.get("since", "0")
        if not since.isdigit():
            return jsonify({"error": "since must be a sequence number"}), 400
        found = state.requests(int(since), request.args.get("recipient"),
                               request.args.get("path"))
        return jsonify({"requests": found, "last_seq": state.seq})

    @app.post("/_standin/faults")
    def add_fault() -> Any:
        try:
            fault = _fault_from(request.get_json(silent=True))
        except (TypeError, ValueError) as exc:
            return jsonify({"error": str(exc)}), 400
        with state.lock:
            state.faults.append(fault)
            return jsonify({"faults": len(state.faults)}), 201

    @app.delete("/_standin/faults")
    def clear_faults() -> Any:
        with state.lock:
            state.faults.clear()
        return jsonify({"faults": 0})

    @app.post("/_standin/reset")
    def reset() -> Any:
        state.reset()
        return jsonify({"reset": True})


def create_app(state: _State) -> Flask:
    """The stand-in's Flask app: Graph routes for any version, and the control API."""
    app = Flask(__name__)

    add_attachment_routes(app)

    @app.post("/<version>/<node>/messages")
    def messages(version: str, node: str) -> Any:
        return _graph_call(state, lambda body: _send(state, body))

    @app.route("/<version>/<node>/messenger_profile", methods=["GET", "POST", "DELETE"])
    def messenger_profile(version: str, node: str) -> Any:
        return _graph_call(state, lambda body: _profile(state, body))

    @app.post(f"/<version>/<node>/<{THREAD_CONTROL}:action>")
    def thread_control(version: str, node: str, action: str) -> Any:
        return _graph_call(state, lambda body: _thread_control(action, body))

    @app.errorhandler(404)
    def unknown_path(error: Exception) -> Any:
        return jsonify(GraphError(2500, "Unknown path components").body()), 400

    _add_control_routes(app, state)
    return app


class _RedactingHandler(WSGIRequestHandler):
    """Logs Graph calls without their query string (it carries the access token), and not
    the control API at all (the simulator page polls it)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Werkzeug's access log line, with the path only."""
        full = self.path
        path = full.split("?", 1)[0]
        if path.startswith("/_standin/"):
            return
        self.path = path
        try:
            super().log_request(code, size)
        finally:
            self.path = full


class GraphStandIn:
    """The stand-in served from a background thread on `host:port` (0 picks a free port)."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", app_secret: str | None = None,
                 history_limit: int = HISTORY_LIMIT) -> None:
        self.host, self._port = host, port
        self._state = _State(app_secret, history_limit)
        self.app = create_app(self._state)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> GraphStandIn:
        """Listen and serve in a daemon thread; returns self. Starting twice is harmless."""
        if self._server is None:
            self._server = make_server(self.host, self._port, self.app, threaded=True,
                                       request_handler=_RedactingHandler)
            self._port = self._server.server_port
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name="graph-standin", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (requests still being answered are dropped)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    @property
    def port(self) -> int:
        """The port it listens on (the real one once started)."""
        return self._port

    @property
    def url(self) -> str:
        """Base URL to use as GRAPH_API_URL, e.g. `http://127.0.0.1:8001`."""
        return f"http://{self.host}:{self._port}"

    def __enter__(self) -> GraphStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def requests_for(self, recipient: str | None = None, path_contains: str | None = None,
                     since: int = 0) -> list[dict[str, Any]]:
        """Recorded requests (copies), oldest first, optionally for one recipient or path."""
        return self._state.requests(since, recipient, path_contains)

    def add_fault(self, code: int, http_status: int = 400, times: int = 1,
                  recipient: str | None = None, subcode: int | None = None,
                  delay: float = 0.0) -> None:
        """Answer the next `times` matching calls with Graph error `code` (after `delay` s)."""
        with self._state.lock:
            self._state.faults.append(Fault(code, http_status, times, recipient, subcode, delay))

    def add_delay(self, seconds: float, times: int = 1, recipient: str | None = None) -> None:
        """Answer the next `times` matching calls normally, but only after `seconds`."""
        with self._state.lock:
            self._state.faults.append(Fault(None, 200, times, recipient, None, seconds))

    def profile(self) -> dict[str, Any]:
        """A copy of the Messenger Profile fields set so far."""
        with self._state.lock:
            return copy.deepcopy(self._state.profile)

    def reset(self) -> None:
        """Forget recorded requests, queued faults and the profile."""
        self._state.reset()

    def wait(self) -> None:
        """Block until the server stops (or the process is interrupted)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=1)


def main(argv: list[str] | None = None) -> None:
    """Serve the stand-in until interrupted, checking proofs with the configured app secret."""
    from webhook.config import ensure_secrets, from_environment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--history", type=int, default=HISTORY_LIMIT)
    args = parser.parse_args(argv)
    config = from_environment()
    ensure_secrets(config)
    graph = GraphStandIn(args.port, args.host, config["FB_APP_SECRET"], args.history).start()
    print(f"Graph API stand-in listening on {graph.url}", flush=True)
    try:
        graph.wait()
    except KeyboardInterrupt:
        pass
    finally:
        graph.stop()


if __name__ == "__main__":
    main()
