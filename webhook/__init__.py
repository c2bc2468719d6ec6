"""The web app (Messenger webhook, NLG endpoint, health) and, later, the worker and console."""

from webhook.app import create_app

__all__ = ["create_app"]
