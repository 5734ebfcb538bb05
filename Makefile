# tenant-pipeline: every command a user or CI needs. Each target installs what it uses.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STACK ?= dev
PYTHON ?= python3
VENV := .venv
FLINK_VENV := .venv-flink
PY := $(VENV)/bin/python
FLINK_PY := $(FLINK_VENV)/bin/python

.PHONY: help venv flink-venv plan test test-py test-flink lint fmt clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt functions/authorizer/requirements.txt functions/dal/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(FLINK_VENV)/.installed: requirements-flink.txt
	$(PYTHON) -m venv $(FLINK_VENV)
	$(FLINK_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-flink.txt
	touch $@

venv: $(VENV)/.installed ## the Pulumi program's virtualenv (.venv), with test tools

flink-venv: $(FLINK_VENV)/.installed ## the Flink job's virtualenv (.venv-flink)

plan: venv ## preview a stack under Pulumi mocks (STACK=dev)
	@$(PY) -m offline.plan --stack $(STACK)

lint: venv ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

fmt: venv ## format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-py: venv ## pytest in .venv: config, components (mocks), runtime functions (moto, Cassandra)
	$(VENV)/bin/pytest --ignore=tests/flink

test-flink: flink-venv ## pytest in .venv-flink: the PyFlink job on the local JVM
	$(FLINK_VENV)/bin/pytest tests/flink

test: lint test-py test-flink ## everything CI runs

clean: ## remove virtualenvs and build output
	rm -rf $(VENV) $(FLINK_VENV) build .run .pytest_cache .mypy_cache .ruff_cache

.PHONY: bench-synth
bench-synth: venv ## scale benchmark: the program under mocks for 100, 1,000, 5,000 tenants -> bench/RESULTS.md
	$(PY) -m bench.synth
