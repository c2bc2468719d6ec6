"""Gunicorn settings shared by `make run`, the tests and the image (`--config python:...`)."""

from webhook import metrics


def child_exit(server, worker) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """A web worker process ended: its Prometheus files stop counting as live."""
    metrics.mark_process_dead(worker.pid)
