"""Security probes run against a running stack (`python -m tests.security.probe URL`)."""
