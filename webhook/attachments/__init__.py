"""Messenger attachments: fetched from Facebook's CDN with limits (scam check and evidence)."""
