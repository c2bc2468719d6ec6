# Two commands do everything on a fresh clone: `make run` and `make test`.
# Each target sets up what it needs (virtualenv, pinned packages, trained model) and says so.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
# make run and the tests are development: say so (unset APP_ENV means production, decisions 33)
export APP_ENV ?= development
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::UserWarning:pkg_resources

# Rasa 3.6 needs Python 3.10: python3.10 on PATH if it really runs, else pyenv's 3.10.
PYTHON310 := $(shell \
  if python3.10 -c 'import sys' >/dev/null 2>&1; then command -v python3.10; \
  elif command -v pyenv >/dev/null 2>&1 && p=$$(pyenv prefix 3.10 2>/dev/null) && [ -x "$$p/bin/python3.10" ]; then echo "$$p/bin/python3.10"; \
  fi)

RASA_DATA := nlu_data $(wildcard stories/*.yml)

.PHONY: help run chat account test test-unit test-integration test-stories train lint content-check validate bench clean venv test-browser browser-deps ocr-deps test-stack audit lock content-export content-import prometheus-deps test-alerts test-deploy i18n-extract i18n-update i18n-compile i18n-check

help:
	@echo "make run            start Redis, the web app and Rasa (trains first if needed)"
	@echo "make test           every check and test (lint, content, data, unit, integration, stories)"
	@echo "make chat           talk to the running assistant from this terminal"
	@echo "make account NAME=x ROLE=moderator   create a console account (with make run up)"
	@echo "make train          train the model only if its inputs changed"
	@echo "make content-export | content-import [DIR=responses]   answers between the editor and YAML"
	@echo "make lint | content-check | validate | bench | clean"
	@echo "make audit          pinned packages against known advisories; make lock: rehash the locks"
	@echo "make i18n-extract | i18n-update | i18n-compile | i18n-check   the console's Khmer catalogue"

# The lock is installed as it is (--no-deps): exactly its files, checked against their hashes.
# Packages Rasa requires that nothing here imports are left out (security/removed-packages.txt)
# and uninstalled from a .venv made before they were.
# pip, setuptools and wheel go first, from the lock, so the three sdists in it (docopt,
# mattermostwrapper, randomname) are built with them (--no-build-isolation) and not with build
# tools pip would fetch unpinned. BUILD_TOOLS is a sed range: their pins and hash lines.
BUILD_TOOLS := /^\(pip\|setuptools\|wheel\)==/,/[^\\]$$/p
REMOVED_PACKAGES := $(shell sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*\) .*/\1/p' security/removed-packages.txt)
$(STAMP): requirements.lock tests/s3-requirements.lock pyproject.toml security/removed-packages.txt
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "Python 3.10 is needed (Rasa 3.6 refuses newer). Install it, e.g.:"; \
	  echo "  apt-get install python3.10 python3.10-venv   or   pyenv install 3.10"; exit 1; fi
	@echo "==> creating $(VENV) with $(PYTHON310) and installing pinned packages (first time: ~2 min)"
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	@sed -n '$(BUILD_TOOLS)' requirements.lock > $(VENV)/build-tools.lock
	@$(PY) -m pip install --quiet --require-hashes --no-deps -r $(VENV)/build-tools.lock 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@$(PY) -m pip install --quiet --require-hashes --no-deps --no-build-isolation -r requirements.lock 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@# test-only: moto's S3 server for the S3 evidence store's tests (docs/decisions.md 75)
	@$(PY) -m pip install --quiet --require-hashes --no-deps -r tests/s3-requirements.lock 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@$(PY) -m pip uninstall --quiet --yes $(REMOVED_PACKAGES) 2>&1 | grep -vE "^WARNING: (Location|Skipping)" || true
	@touch $(STAMP)

venv: $(STAMP)

train: $(STAMP)
	@echo "==> model (trains only when training data, rules, domain, config or components changed)"
	@$(PY) -m bot.train

run: train ocr-deps i18n-compile
	@echo "==> starting the whole stack (Ctrl-C stops it)"
	@$(PY) -m webhook.devstack

chat: $(STAMP)
	@REDIS_URL=$${REDIS_URL:-$$(cat .data/redis-url 2>/dev/null)} $(PY) -m webhook.chat

# make account NAME=sokha ROLE=moderator   (asks for a password; needs `make run` up)
# Admins (or TOTP=1) then add their authenticator app: a key and QR code, then a code to confirm.
# A lost phone: make account-totp-reset NAME=sokha
account: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make account NAME=sokha ROLE=moderator|editor|admin [TOTP=1]"; exit 2; }
	@REDIS_URL=$${REDIS_URL:-$$(cat .data/redis-url 2>/dev/null)} $(PY) -m webhook.console.accounts \
	  create "$(NAME)" --role "$(or $(ROLE),moderator)" --name "$(or $(DISPLAY),$(NAME))"
	@if [ "$(ROLE)" = admin ] || [ -n "$(TOTP)" ]; then \
	  REDIS_URL=$${REDIS_URL:-$$(cat .data/redis-url 2>/dev/null)} $(PY) -m webhook.console.accounts totp-enrol "$(NAME)"; fi

.PHONY: account-totp-reset
account-totp-reset: $(STAMP)
	@REDIS_URL=$${REDIS_URL:-$$(cat .data/redis-url 2>/dev/null)} $(PY) -m webhook.console.accounts totp-reset "$(NAME)"

# Examples staff assigned in the console (Insights > Unanswered) into nlu_data/<language>/
# studio_examples.yml; needs `make run` up (or REDIS_URL). Then review, `make validate`, `make train`.
.PHONY: nlu-export
nlu-export: $(STAMP)
	@REDIS_URL=$${REDIS_URL:-$$(cat .data/redis-url 2>/dev/null)} $(PY) -m webhook.insights.nlu_export

lint: $(STAMP)
	@echo "==> ruff"
	@$(VENV)/bin/ruff check .

# pip-audit needs packaging>=23 and Rasa 3.6 requires packaging<21: it gets its own virtualenv.
AUDIT_VENV := .build/audit-venv
$(AUDIT_VENV)/.installed: security/audit-requirements.lock | $(STAMP)
	@echo "==> installing pip-audit into $(AUDIT_VENV) (apart from .venv: it needs a newer packaging)"
	@test -x $(AUDIT_VENV)/bin/python || $(PY) -m venv $(AUDIT_VENV)
	@$(AUDIT_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r security/audit-requirements.lock 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@touch $@

# Where PyPI's vulnerability service cannot be reached (this build machine's package mirror
# does not serve it), the audit says loudly that it did not run and make test goes on;
# AUDIT_IF_UNREACHABLE=fail makes that an error (use it where the service is reachable).
AUDIT_IF_UNREACHABLE ?= warn
# Offline first: the PyPA advisory database snapshot in ../shared/advisory-db (ADVISORY_DB to
# point elsewhere), which is always checked and whose date is printed; an unexcepted finding fails.
audit: $(AUDIT_VENV)/.installed
	@echo "==> known advisories over the locks, offline snapshot and pip-audit online (exceptions: security/audit-exceptions.txt)"
	@AUDIT_IF_UNREACHABLE=$(AUDIT_IF_UNREACHABLE) $(AUDIT_VENV)/bin/python security/audit.py

# Rewrites the hashes of every pin in both locks from the package index (security/lock.py).
lock: $(AUDIT_VENV)/.installed
	@echo "==> hashing every pinned file from the package index into the locks"
	@$(AUDIT_VENV)/bin/python -m security.lock requirements.lock security/audit-requirements.lock \
	  deploy/kubernetes/validate-requirements.lock tests/s3-requirements.lock

# The content store (what staff edit in the console) to and from YAML files; needs `make run` up
# (or REDIS_URL). DIR defaults to responses/, so `git diff responses/` shows what staff changed.
content-export: $(STAMP)
	@echo "==> writing the published answers and settings to $(or $(DIR),responses/)"
	@REDIS_URL=$${REDIS_URL:-$$(cat .data/redis-url 2>/dev/null)} $(PY) -m webhook.content.transfer \
	  export --to "$(or $(DIR),responses)"

content-import: $(STAMP)
	@echo "==> publishing what differs in $(or $(DIR),responses/) (checked first; a version per change)"
	@REDIS_URL=$${REDIS_URL:-$$(cat .data/redis-url 2>/dev/null)} $(PY) -m webhook.content.transfer \
	  import --from "$(or $(DIR),responses)" --author "$${AUTHOR:-$${USER:-staff}}" --comment "$(COMMENT)"

content-check: $(STAMP)
	@echo "==> checking answers in responses/ (both languages, Messenger limits, placeholders)"
	@$(PY) -m webhook.content.check

validate: $(STAMP)
	@echo "==> rasa data validate --fail-on-warnings"
	@$(PY) -m bot.domain_sync
	@$(PY) -m rasa data validate --fail-on-warnings --config bot/config.yml \
	  --domain bot/domain --data $(RASA_DATA) 2>&1 | grep -vE "^(WARNING: Location|.*MovedIn20Warning|  Base: Declarative)" ; test $${PIPESTATUS[0]} -eq 0

# The console's translations (decision 74): strings in webhook/console, insights and referrals
# (babel.cfg) -> messages.pot -> km/LC_MESSAGES/messages.po (in git, translated by hand) -> .mo
# (compiled here, never committed; the app also compiles a missing or stale .mo when it starts).
I18N_DIR := webhook/console/translations
PYBABEL := $(VENV)/bin/pybabel
i18n-extract: $(STAMP)
	@$(PYBABEL) -q extract -F babel.cfg -k lazy_gettext -k _l -k NotAllowed -k WindowClosed --add-location=file -w 100 \
	  --project="Helpline console" --copyright-holder="Helpline contributors" -o $(I18N_DIR)/messages.pot .

i18n-update: i18n-extract
	@$(PYBABEL) -q update -w 100 -i $(I18N_DIR)/messages.pot -d $(I18N_DIR) -l km

i18n-compile: $(STAMP)
	@$(PYBABEL) -q compile -d $(I18N_DIR)

i18n-check: $(STAMP)
	@echo "==> every console string has a Khmer translation"
	@$(PY) -m webhook.console.i18n_check km

test-unit: $(STAMP) i18n-compile
	@echo "==> unit tests"
	@$(PY) -m pytest tests/unit -q

test-integration: train ocr-deps
	@echo "==> integration tests (real Redis, real Rasa server with the trained model)"
	@$(PY) -m pytest tests/integration -q

test-stories: train
	@echo "==> test conversations, NLU and dialogue (rasa test core --e2e --fail-on-prediction-errors)"
	@$(PY) -m rasa test core --model "$$($(PY) -m bot.train --print-path)" --stories stories/tests \
	  --e2e --fail-on-prediction-errors --out .build/story-results --no-plot 2>&1 | tail -n 25; test $${PIPESTATUS[0]} -eq 0

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here)
# and need a Khmer font to draw Khmer.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/khmeros/KhmerOS.ttf ]; then \
	  echo "==> installing Chromium and a Khmer font for the browser tests (apt-get install chromium fonts-khmeros)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-khmeros; fi

# The scam check reads screenshots with Tesseract (Khmer and English), from Debian's packages.
ocr-deps:
	@if ! command -v tesseract >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx khm; then \
	  echo "==> installing Tesseract with Khmer for the scam check (apt-get install tesseract-ocr tesseract-ocr-khm)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-khm; fi

test-browser: train browser-deps ocr-deps i18n-compile
	@echo "==> browser tests (the Messenger simulator in headless Chromium, against the real stack)"
	@$(PY) -m pytest tests/browser -q

test-stack: train browser-deps ocr-deps i18n-compile
	@echo "==> integration and browser tests, one running stack (real Redis, Rasa, workers, Chromium)"
	@$(PY) -m pytest tests/integration tests/browser -q

# Prometheus' promtool checks the alert rules and runs their unit tests (Debian's package).
prometheus-deps:
	@if ! command -v promtool >/dev/null 2>&1; then \
	  echo "==> installing Prometheus (promtool) for the alert-rule tests (apt-get install prometheus)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq prometheus; fi

test-alerts: prometheus-deps
	@echo "==> promtool check rules and test rules (deploy/prometheus)"
	@promtool check rules deploy/prometheus/alerts.yml
	@cd deploy/prometheus && promtool test rules alerts_test.yml

# The Kubernetes manifests, rendered by `kubectl kustomize` and checked against the schema of
# the Kubernetes version deploy/kubernetes/validate.py names (kubernetes-validate needs a newer
# jsonschema than Rasa allows: its own virtualenv).
K8S_VENV := .build/k8s-venv
$(K8S_VENV)/.installed: deploy/kubernetes/validate-requirements.lock | $(STAMP)
	@echo "==> installing kubernetes-validate into $(K8S_VENV)"
	@test -x $(K8S_VENV)/bin/python || $(PY) -m venv $(K8S_VENV)
	@$(K8S_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r deploy/kubernetes/validate-requirements.lock 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@touch $@

test-deploy: $(K8S_VENV)/.installed
	@echo "==> Kubernetes manifests (kustomize build + kubernetes-validate, offline)"
	@$(K8S_VENV)/bin/python deploy/kubernetes/validate.py

test: lint i18n-check audit content-check validate test-alerts test-deploy test-unit test-stack test-stories
	@echo "==> all tests passed"

bench: train browser-deps ocr-deps
	@echo "==> benchmarks (cross-validation, held-out evaluation, latency, memory); see docs/benchmarks.md"
	@$(PY) -m tests.bench.run

clean:
	rm -rf .build .pytest_cache .ruff_cache
