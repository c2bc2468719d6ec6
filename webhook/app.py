"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from webhook import config
from webhook.content.loader import ContentStore


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app: configuration from the environment unless tests pass their own."""
    app = Flask(__name__)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["content_store"] = ContentStore(app.config["RESPONSES_DIR"])

    from webhook import health
    from webhook.nlg import views as nlg

    app.register_blueprint(nlg.bp)
    app.register_blueprint(health.bp)
    app.register_error_handler(HTTPException, _json_error)
    return app


def _json_error(error: HTTPException):  # noqa: ANN202 - a Flask error handler
    return jsonify({"error": error.name, "description": error.description}), error.code
