# One image for the Rasa server, the web app and the worker; the model is trained at build time.
#   docker build -t helpline .
#   docker run helpline rasa | web | worker      (see docker-compose.yml)
# Production needs APP_ENV=production and the FB_* secrets (docs/operations.md).
FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1

# Tesseract with Khmer: the worker reads screenshots for the scam check (decision 53).
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-khm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY pyproject.toml ./
COPY bot ./bot
COPY nlu_data ./nlu_data
COPY stories ./stories
COPY responses ./responses
COPY webhook ./webhook
RUN python -m bot.train && useradd --create-home helpline && chown -R helpline /app \
    && mkdir -p /evidence && chown helpline /evidence
USER helpline

COPY docker/entrypoint.sh /entrypoint.sh
ENTRYPOINT ["/entrypoint.sh"]
CMD ["web"]
