# One image for the Rasa server, the web app and the worker; the model is trained at build time.
#   PYTHON_DIGEST=sha256:<64 hex> docker/build.sh          (or docker build --build-arg ...)
#   docker run helpline rasa | web | worker                (see docker-compose.yml)
# Production needs the FB_* secrets, SECRET_KEY and RASA_TOKEN (docs/operations.md); the image
# runs with APP_ENV=production unless told otherwise.
#
# The base image is pinned by digest, and there is no default: read the digest of the
# python:3.10-slim you reviewed (`docker buildx imagetools inspect python:3.10-slim`) and pass
# it as PYTHON_DIGEST. Without it the FROM below is "python:3.10-slim@", which Docker refuses
# ("invalid reference format"); docker/build.sh says why before Docker does (decisions 32).
ARG PYTHON_DIGEST
ARG PYTHON_IMAGE=python:3.10-slim

# --- build: packages into /opt/venv (test tools left out), the model trained -------------------
FROM ${PYTHON_IMAGE}@${PYTHON_DIGEST} AS build
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.lock docker/dev-only.txt docker/runtime-lock.sh ./
# Exactly the lock's files less the test tools, hash-checked; build tools first (see the
# Makefile's BUILD_TOOLS).
RUN sh runtime-lock.sh requirements.lock dev-only.txt > runtime.lock \
 && sed -n '/^\(pip\|setuptools\|wheel\)==/,/[^\\]$/p' runtime.lock > build-tools.lock \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r build-tools.lock \
 && /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps --no-build-isolation \
      -r runtime.lock
COPY pyproject.toml ./
COPY bot ./bot
COPY nlu_data ./nlu_data
COPY stories ./stories
COPY responses ./responses
COPY webhook ./webhook
# the console's Khmer catalogue (decision 74): .mo files are built here, never kept in git
RUN /opt/venv/bin/pybabel -q compile -d webhook/console/translations
RUN /opt/venv/bin/python -m bot.train

# --- runtime: root owns the code, the packages and the model; the service user writes none ------
FROM ${PYTHON_IMAGE}@${PYTHON_DIGEST} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app PATH=/opt/venv/bin:$PATH \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    APP_ENV=production HOME=/home/helpline
# Tesseract with Khmer: the worker reads screenshots for the scam check (decision 53).
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-khm \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /app/pyproject.toml ./
COPY --from=build /app/bot ./bot
COPY --from=build /app/nlu_data ./nlu_data
COPY --from=build /app/stories ./stories
COPY --from=build /app/responses ./responses
COPY --from=build /app/webhook ./webhook
COPY --from=build /app/models ./models
COPY docker/entrypoint.sh /entrypoint.sh
# the test tools must not be importable here; then root owns everything and nothing is writable
RUN for tool in pytest _pytest hypothesis playwright ruff; do \
      if python -c "import $tool" 2>/dev/null; then echo "$tool is in the image" >&2; exit 1; fi; \
    done
RUN chown -R root:root /app /opt/venv /entrypoint.sh \
 && chmod -R a-w,a+rX /app /opt/venv \
 && chmod 0555 /entrypoint.sh \
 && useradd --create-home --home-dir /home/helpline --shell /usr/sbin/nologin helpline \
 && mkdir -p /evidence && chown helpline /evidence   # EVIDENCE_DIR's volume (docker-compose.yml)
USER helpline
ENTRYPOINT ["/entrypoint.sh"]
CMD ["web"]
