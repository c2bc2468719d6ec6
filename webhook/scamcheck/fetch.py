"""The scam check's fetcher lives in webhook.attachments.fetch (shared with the evidence store)."""

from webhook.attachments.fetch import (  # noqa: F401 (re-exported for the scam check's callers)
    FACEBOOK_CDN,
    MAX_BYTES,
    TIMEOUT_S,
    FetchRefused,
    allowed_hosts,
    fetch,
    host_allowed,
)
