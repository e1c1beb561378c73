# `make run` serves the app; `make test` runs every test. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
BENCH_STAMP := $(VENV)/.bench-installed
# The accessibility test injects axe-core, a pinned devDependency of the front end, from the npm registry.
AXE := indie_label_svelte/node_modules/axe-core/axe.min.js

.PHONY: run test bench serve chromium clean-cache frontend

run: $(RUNTIME_STAMP)
	$(PY) -m indielabel serve

test: $(DEV_STAMP) chromium $(AXE)
	$(PY) -m pytest

# Production: gunicorn with several worker processes, on 127.0.0.1 unless SERVE_HOST says otherwise (put a
# TLS-terminating proxy in front of it). Needs INDIELABEL_SECRET_KEY, checked before any worker starts.
# No control socket: its default path is one per machine user, so a second server would take it over.
# The access log leaves out query strings (a study link's one-time key is one), as `make run` does.
# The worker reads each request whole, with a deadline, before a thread takes it (indielabel/web/buffered_worker.py).
SERVE_HOST ?= $(or $(INDIELABEL_HOST),127.0.0.1)
SERVE_PORT ?= $(or $(INDIELABEL_PORT),5001)
WORKERS ?= 3
THREADS ?= 4
serve: $(RUNTIME_STAMP)
	$(VENV)/bin/gunicorn --workers $(WORKERS) --threads $(THREADS) \
		--worker-class indielabel.web.buffered_worker.BufferedThreadWorker --bind $(SERVE_HOST):$(SERVE_PORT) --preload \
		--access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"' \
		--no-control-socket 'indielabel.web.production:create_production_app()'

# Benchmarks at the paper's dataset size; writes bench/RESULTS.md (about 10 minutes from a fresh clone).
bench: $(BENCH_STAMP)
	$(PY) -m bench
	$(PY) -m bench.crash_soak --rounds 50

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

$(BENCH_STAMP): requirements.txt requirements-bench.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@ $(RUNTIME_STAMP)

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

$(AXE): indie_label_svelte/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "Installing Debian's npm for the front end's test dependencies"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	cd indie_label_svelte && npm ci --no-audit --no-fund
	touch $@

# The compiled front end (indie_label_svelte/public/) is committed; rebuild it after changing its sources.
frontend:
	cd indie_label_svelte && npm ci --no-audit --no-fund && npm run build

clean-cache:
	rm -rf data/*/cache
