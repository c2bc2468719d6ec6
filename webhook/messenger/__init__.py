"""Facebook Messenger: the webhook, its events, signatures and the Send API."""
