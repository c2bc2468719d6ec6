"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from webhook import config, proxies, services
from webhook.evidence import blobs as evidence_blobs
from webhook.inbox import Inbox
from webhook.redis_connect import connect

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app: configuration from the environment unless tests pass their own."""
    app = Flask(__name__)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    app.config["APP_ENV"] = config.app_env(app.config)  # unknown values stop the start here
    generated = config.ensure_secrets(app.config)
    if generated:
        log.warning("development mode: generated local secrets for %s", ", ".join(generated))
    evidence_blobs.from_environment()  # a wrong EVIDENCE_URL stops the start here
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_WEBHOOK_BYTES"]
    networks = proxies.parse(str(app.config.get("TRUSTED_PROXIES") or ""))
    if networks:  # behind a reverse proxy: believe it (only it) about the client's address
        app.wsgi_app = proxies.TrustedProxyFix(app.wsgi_app, networks)
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
    from webhook.console import (
        audit,
        auth,
        editor,
        events,
        evidence,
        i18n,
        moderation,
        scam_alerts,
        signin_steps,
    )
    from webhook.insights import views as insights
    from webhook.messenger import views as messenger
    from webhook.nlg import views as nlg
    from webhook.referrals import views as referrals
    from webhook.routing import views as routing

    app.register_blueprint(nlg.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(internal.bp)
    app.register_blueprint(messenger.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(signin_steps.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(insights.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(referrals.bp)
    app.register_blueprint(scam_alerts.bp)
    app.register_blueprint(routing.bp)
    app.register_blueprint(i18n.bp)
    auth.init_app(app)
    i18n.init_app(app)
    if config.is_development(app.config):
        from webhook.simulator import views as simulator

        app.register_blueprint(simulator.bp)


def _json_error(error: HTTPException):  # noqa: ANN202 - a Flask error handler
    return jsonify({"error": error.name, "description": error.description}), error.code
