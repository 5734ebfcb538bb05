# tenant-pipeline: every command a user or CI needs. Each target installs what it uses.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STACK ?= dev
# JSON=1: `make plan` and `make demo` print their JSON document on stdout (README: Machine-readable output).
JSON_FLAG := $(if $(filter-out 0,$(JSON)),--json)
PYTHON ?= python3
VENV := .venv
FLINK_VENV := .venv-flink
PY := $(VENV)/bin/python
FLINK_PY := $(FLINK_VENV)/bin/python
FLINK_BUILD := build/flink
FLINK_JAR := $(FLINK_BUILD)/lib/flink-connectors.jar
FLINK_ZIP := $(FLINK_BUILD)/tenant-pipeline-flink.zip
IAM_DIR := local/iam
IAM_EVALUATOR := $(IAM_DIR)/node_modules/.installed

.PHONY: help venv flink-venv iam-evaluator plan demo soak test test-unit test-integration test-flink test-e2e lint fmt clean

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

# The IAM policy evaluator (node): @cloud-copilot/iam-simulate, exactly as local/iam/package-lock.json pins it.
$(IAM_EVALUATOR): $(IAM_DIR)/package.json $(IAM_DIR)/package-lock.json
	npm ci --prefix $(IAM_DIR) --no-audit --no-fund --loglevel=error
	touch $@

iam-evaluator: $(IAM_EVALUATOR) ## the IAM evaluator the isolation matrix uses (node, local/iam/node_modules)

plan: venv ## preview a stack under Pulumi mocks (STACK=dev; JSON=1 for JSON on stdout)
	@$(PY) -m local.plan --stack $(STACK) $(JSON_FLAG)

soak: venv flink-venv iam-evaluator $(FLINK_JAR) ## sustained load with a Flink crash and a Cassandra restart: loss, duplicates, latency, recovery (EVENTS=50000)
	@$(PY) -m local.sandbox.soak --stack $(STACK) --events $(or $(EVENTS),50000)

demo: venv flink-venv iam-evaluator $(FLINK_JAR) ## the whole stack live here (moto, Cassandra, PyFlink), with a report (STACK=dev; JSON=1)
	@$(PY) -m local.sandbox.demo --stack $(STACK) $(JSON_FLAG)

lint: venv ## ruff, mypy, and import-linter (the layout's layers and independence contracts: pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

fmt: venv ## format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-unit: venv ## service-free tests: config, components under mocks, pure runtime logic (seconds)
	$(VENV)/bin/pytest tests/unit

test-integration: venv iam-evaluator ## runtime functions against real local services (moto server, Cassandra), and the IAM matrix
	$(VENV)/bin/pytest tests/integration --ignore=tests/integration/flink

test-flink: flink-venv $(FLINK_JAR) ## pytest in .venv-flink: the PyFlink job on the local JVM (files, moto)
	$(FLINK_VENV)/bin/pytest tests/integration/flink

test-e2e: venv flink-venv iam-evaluator $(FLINK_JAR) ## a shortened `make demo`, end to end, checked
	$(VENV)/bin/pytest tests/e2e

test: lint test-unit test-integration test-flink test-e2e ## everything CI runs

clean: ## remove virtualenvs and build output
	rm -rf $(VENV) $(FLINK_VENV) build .run .pytest_cache .mypy_cache .ruff_cache $(IAM_DIR)/node_modules

# --- ingestion pipeline: the authorizer Lambda's package ------------------------------------------
AUTHORIZER_BUILD := build/authorizer
# Wheels for the Lambda runtime (python3.12 on x86_64), whatever machine builds the package.
LAMBDA_WHEELS := --platform manylinux2014_x86_64 --implementation cp --python-version 3.12 --only-binary=:all:

.PHONY: authorizer-package
authorizer-package: venv ## build/authorizer: the authorizer Lambda (its requirements + functions/authorizer + functions/contracts), as `pulumi up` deploys it
	rm -rf $(AUTHORIZER_BUILD)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(LAMBDA_WHEELS) \
		--target $(AUTHORIZER_BUILD) -r functions/authorizer/requirements.txt
	@# The package keeps its path (handler functions.authorizer.handler.handler), with the shared contracts.
	$(PY) -m functions.authorizer.package $(AUTHORIZER_BUILD)

# --- authorizer benchmark -------------------------------------------------------------------------
.PHONY: bench-authorizer
bench-authorizer: venv ## authorizer vs aws-jwt-verify (npm, bench/node_modules), one core: see bench/RESULTS.md
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	$(PY) -m bench.authorizer

.PHONY: bench-dal
bench-dal: venv ## DAL vs bare driver on a local Cassandra: ops/s and p99 (recorded in bench/RESULTS.md)
	$(PY) -m bench.dal

# --- Flink job (functions/flink): local runs and the Managed Service for Apache Flink package ---

.PHONY: flink-local flink-jars flink-package

flink-local: flink-venv ## run the Flink job on a file: INPUT=<ndjson> OUTPUT=<dir> (writes <dir>/enriched, <dir>/rejected)
	@test -n "$(INPUT)" -a -n "$(OUTPUT)" || { echo "usage: make flink-local INPUT=<file> OUTPUT=<dir>"; exit 2; }
	$(FLINK_PY) -m functions.flink.local "$(INPUT)" "$(OUTPUT)"

$(FLINK_JAR): functions/flink/connectors/pom.xml
	mvn -q -f functions/flink/connectors/pom.xml package
	@touch $@

flink-jars: $(FLINK_JAR) ## the shaded Kinesis/Firehose connector jar (Maven Central), into build/flink/lib

flink-package: $(FLINK_JAR) ## the zip Managed Service for Apache Flink runs: build/flink/tenant-pipeline-flink.zip
	$(PYTHON) -m functions.flink.package $(FLINK_JAR) $(FLINK_ZIP)

.PHONY: bench-synth
bench-synth: venv ## scale benchmark: the program under mocks for 100, 1,000, 5,000 tenants -> bench/RESULTS.md
	$(PY) -m bench.synth
