"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from webhook import config, services
from webhook.inbox import Inbox
from webhook.redis_connect import connect

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app: configuration from the environment unless tests pass their own."""
    app = Flask(__name__)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    generated = config.ensure_secrets(app.config)
    if generated:
        log.warning("development mode: generated local secrets for %s", ", ".join(generated))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_WEBHOOK_BYTES"]
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:  # behind a reverse proxy: the client's address for login rate limits
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    _init_extensions(app)
    _register_blueprints(app)
    app.register_error_handler(HTTPException, _json_error)
    return app


def _init_extensions(app: Flask) -> None:
    client = connect(app.config["REDIS_URL"]) if app.config["REDIS_URL"] else None
    content = services.content(app.config, client)
    app.extensions["content_store"] = content
    app.extensions["redis"] = client
    app.extensions["inbox"] = Inbox(client, app.config["INBOX_SHARDS"]) if client else None
    app.extensions["handoffs"] = services.handoffs(app.config, client, content) \
        if client else None


def _register_blueprints(app: Flask) -> None:
    from webhook import health, internal
    from webhook.console import audit, auth, editor, evidence, moderation, scam_alerts
    from webhook.insights import views as insights
    from webhook.messenger import views as messenger
    from webhook.nlg import views as nlg

    app.register_blueprint(nlg.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(internal.bp)
    app.register_blueprint(messenger.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(insights.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(scam_alerts.bp)
    auth.init_app(app)
    if not config.is_production(app.config):
        from webhook.simulator import views as simulator

        app.register_blueprint(simulator.bp)


def _json_error(error: HTTPException):  # noqa: ANN202 - a Flask error handler
    return jsonify({"error": error.name, "description": error.description}), error.code
