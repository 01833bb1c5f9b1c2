# The one entry point: `make run` (the platform with a demo) and `make test` (the tests).
SHELL := /bin/bash
PY := .venv/bin/python
VENV_STAMP := .venv/.installed
# make run and make test are development: the services accept the documented dev token key.
# A real deployment sets RELAIS_ENV to something else and RELAIS_OIDC_* (its identity provider).
export RELAIS_ENV ?= dev

.PHONY: run test up down clean lint fmt scale bench bench-rebuild asyncapi unit integration e2e browser chromium screenshots typecheck report retention chaos fuzz-kafka fuzz-http deploy-check deploy-manifests

# The virtualenv is rebuilt when pyproject.toml changes; pip's cache (~/.cache/pip) makes
# a second fresh clone fast.
$(VENV_STAMP): pyproject.toml
	@command -v python3 >/dev/null || { echo "missing python3 (3.11+): apt-get install -y python3 python3-venv"; exit 1; }
	@test -x $(PY) || python3 -m venv .venv
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $@

up: $(VENV_STAMP)
	@bash deploy/up.sh

down:
	@bash deploy/down.sh

clean: down
	rm -rf .local

run: up
	@$(PY) -m relais_cli.main run

test: up chromium
	@$(PY) -m pytest

unit: $(VENV_STAMP)
	@$(PY) -m pytest tests/unit

integration: up
	@$(PY) -m pytest tests/integration

e2e: up
	@$(PY) -m pytest tests/e2e

# The staff console in a real browser (Debian's Chromium, driven by Playwright).
browser: up chromium
	@$(PY) -m pytest tests/browser

chromium:
	@bash deploy/chromium.sh

# docs/console/*.png: every screen of the console, from the console `make run` serves.
screenshots: $(VENV_STAMP) chromium
	@$(PY) -m tools.screenshots $(ARGS)

# Crash tests: every service killed -9 at every fault point, with 3 seeds, then Kafka and
# PostgreSQL stopped under each service (ARGS="-k routing" for a part). Stops the local stack.
chaos: up
	@$(PY) -m pytest tests/chaos $(ARGS)

# Scale-out (issue 16): two instances of every service with traffic flowing, one of each killed
# -9, a rolling restart, a third added, and (on the 3-node cluster: `RELAIS_BROKERS=3 make up`,
# then `RELAIS_BROKERS=3 make scale`) one broker of three killed; exactly once checked each time.
scale: up
	@$(PY) -m pytest tests/scale $(ARGS)

# Property-based fuzzing of every consumer with hostile Kafka records: make test runs a few
# examples, this many more (RELAIS_FUZZ_KAFKA_EXAMPLES, default 40).
fuzz-kafka: up
	@RELAIS_FUZZ_KAFKA_EXAMPLES=$${RELAIS_FUZZ_KAFKA_EXAMPLES:-40} $(PY) -m pytest tests/e2e/test_record_fuzzing.py

# schemathesis against every service's OpenAPI on the real stack: make test runs 8 examples
# per operation, this many (RELAIS_FUZZ_HTTP_EXAMPLES, default 300).
fuzz-http: up
	@RELAIS_FUZZ_HTTP_EXAMPLES=$${RELAIS_FUZZ_HTTP_EXAMPLES:-300} $(PY) -m pytest tests/e2e/test_http_fuzz.py

lint: $(VENV_STAMP)
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m mypy
	@$(PY) -m tools.check_migrations
	@.venv/bin/lint-imports --no-cache --no-logo
	@$(PY) -m tools.deploy_check

# deploy/k8s and compose.yaml against the Kubernetes, operators' (CRDs) and Compose schemas,
# with kubeconform; the first run downloads them (cached in ~/.cache/relais/deploy-check).
deploy-check: $(VENV_STAMP)
	@$(PY) -m tools.deploy_check

# deploy/k8s/generated and deploy/requirements.lock, from the catalogue and the virtualenv.
deploy-manifests: $(VENV_STAMP)
	@$(PY) -m tools.k8s_manifests
	@$(PY) -m tools.runtime_lock

fmt: $(VENV_STAMP)
	@$(PY) -m ruff format .
	@$(PY) -m ruff check --fix .

report: up
	@$(PY) -m relais_cli.main report

# Erase the members past the retention period (RELAIS_RETENTION_YEARS; docs/security.md): the
# daily job's command (cron), with the proof of each erasure.
retention: $(VENV_STAMP)
	@$(PY) -m relais_cli.main erase --retention --yes

asyncapi: $(VENV_STAMP)
	@$(PY) -m relais_cli.main asyncapi docs/asyncapi.json

# The whole-pipeline harness (baselines, throughput, latency, memory), then the rebuild one.
bench: up
	@$(PY) -m bench.run
	@$(PY) -m bench.rebuild

# Rebuild speed vs the raw aiokafka drain rate, 1M events by default (ARGS="--events 100000").
bench-rebuild: up
	@$(PY) -m bench.rebuild $(ARGS)
