#!/bin/sh
# Pick the process this container runs: rasa, web, events or worker.
set -e
case "$1" in
  rasa)
    # `rasa run` whose logs hold no message text or user ids, its API token from RASA_TOKEN
    # (bot/serve.py). 0.0.0.0 of the container: compose puts it on the internal network only.
    exec python -m bot.serve run --enable-api --port 5005 --interface "${RASA_INTERFACE:-0.0.0.0}" \
      --model "$(python -m bot.train --print-path)" \
      --endpoints bot/endpoints.yml --credentials bot/credentials.yml ;;
  web)
    # path only in access logs: the query of GET /webhook holds the verify token
    # INTERNAL_PORT: a second listener for /nlg, /metrics and the probes (webhook/internal.py)
    rm -rf "${PROMETHEUS_MULTIPROC_DIR:-/tmp/metrics}" && mkdir -p "${PROMETHEUS_MULTIPROC_DIR:-/tmp/metrics}"
    exec gunicorn --workers "${WEB_WORKERS:-2}" --threads "${WEB_THREADS:-16}" --bind "0.0.0.0:${WEB_PORT:-8000}" \
      ${INTERNAL_PORT:+--bind "0.0.0.0:${INTERNAL_PORT}"} --config python:webhook.gunicorn_conf \
      --access-logformat '%(m)s %(U)s %(s)s %(M)sms' "webhook:create_app()" ;;
  events)
    # the console's live updates (server-sent events), apart from the webhook's threads
    exec python -m webhook.console.events_server --host 0.0.0.0 --port "${EVENTS_PORT:-8001}" ;;
  worker)
    rm -rf "${PROMETHEUS_MULTIPROC_DIR:-/tmp/metrics}" && mkdir -p "${PROMETHEUS_MULTIPROC_DIR:-/tmp/metrics}"
    exec python -m webhook.worker ;;
  *)
    exec "$@" ;;
esac
