"""The worker's pipeline: from a queued event to answers sent through the Send API."""
