#!/bin/sh
# Pick the process this container runs: rasa, web or worker.
set -e
case "$1" in
  rasa)
    exec python -m rasa run --enable-api --port 5005 --interface 0.0.0.0 \
      --model "$(python -m bot.train --print-path)" \
      --endpoints bot/endpoints.yml --credentials bot/credentials.yml ;;
  web)
    exec gunicorn --workers "${WEB_WORKERS:-2}" --threads 4 --bind "0.0.0.0:${WEB_PORT:-8000}" \
      "webhook:create_app()" ;;
  worker)
    exec python -m webhook.worker ;;
  *)
    exec "$@" ;;
esac
