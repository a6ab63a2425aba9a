# Two commands do everything on a fresh machine (README): `make run` and `make test`.
# uv is bootstrapped with pip (pinned); everything else comes from uv.lock.
SHELL := /bin/bash
UV_VERSION := 0.13.9
PYTHON ?= python3
# `python -m uv` finds uv wherever pip put it (user site or the interpreter's own).
UV := $(PYTHON) -m uv
export UV_LINK_MODE := copy
# One Dagster home for `make run` and `make ui`, so the UI shows the command line's runs
# (only for those two: tests make their own instances).
run ui dagster-home: export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: bootstrap setup run test lint format ui clean browser-deps dagster-home deploy-deps deploy-up deploy-down deploy-status

bootstrap:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"

setup: bootstrap
	$(UV) sync --locked --quiet

## run: set up, then materialize every year partition found in data/raw into the warehouse
run: setup dagster-home
	$(UV) run gipr run data/raw

## test: set up, lint (ruff, the import-linter layer contracts in pyproject.toml), then the whole suite
test: setup lint browser-deps deploy-deps
	$(UV) run pytest -q -p no:cacheprovider

# Headless Chromium and a CJK font for the annual report's browser test: apt-get, only when
# missing, quiet; never fails the build (the test then skips and says why).
browser-deps:
	@.ci/browser-deps

# Postgres and Redis for the shared deployment and its test: apt-get, only when missing, quiet;
# never fails the build (the deployment test then skips and says why).
deploy-deps:
	@.ci/deploy-deps

## deploy-up: the shared deployment on this machine (docs/deploy.md): Postgres, Redis, N Celery
## workers, dagster-daemon and dagster-webserver on 127.0.0.1, state under data/deploy
DEPLOY_STATE ?= data/deploy
WORKERS ?= 2
RAW ?= data/raw
deploy-up: setup deploy-deps
	$(UV) run python -m gipr_pipeline.cli.deploy up --state $(DEPLOY_STATE) --raw $(RAW) --workers $(WORKERS)

deploy-down:
	$(UV) run python -m gipr_pipeline.cli.deploy down --state $(DEPLOY_STATE)

deploy-status:
	$(UV) run python -m gipr_pipeline.cli.deploy status --state $(DEPLOY_STATE)

lint: setup
	$(UV) run ruff check gipr_pipeline gipr_pipeline_tests
	$(UV) run ruff format --check gipr_pipeline gipr_pipeline_tests
	$(UV) run lint-imports --no-logo --no-cache

format: setup
	$(UV) run ruff check --fix gipr_pipeline gipr_pipeline_tests
	$(UV) run ruff format gipr_pipeline gipr_pipeline_tests

# The instance settings (dagster.yaml: telemetry and the UI's first-visit pop-up off) in the
# shared Dagster home; refreshed on every run so a change to the file takes effect.
dagster-home:
	@mkdir -p "$(DAGSTER_HOME)" && cp dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

## ui: the Dagster UI with every asset, check, schedule and sensor
ui: setup dagster-home
	$(UV) run dagster dev -w workspace.yaml

clean:
	rm -rf .venv data/warehouse data/docs .dagster_home
