# tenant-pipeline: every command a user or CI needs. Each target installs what it uses.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STACK ?= dev
# JSON=1: `make plan` and `make demo` print their JSON document on stdout (README: Machine-readable output).
JSON_FLAG := $(if $(filter-out 0,$(JSON)),--json)
# Interpreters for the virtualenvs; empty: local/check_tools.py finds them (pythonX.Y on the PATH, then pyenv).
PYTHON ?=
AUTHORIZER_PYTHON ?=
# Any python3 with pip: runs the tool check and installs uv (pip --target: nothing goes into its site-packages).
BOOT_PYTHON ?= python3
CHECK := PYTHON='$(PYTHON)' AUTHORIZER_PYTHON='$(AUTHORIZER_PYTHON)' $(BOOT_PYTHON) -m local.check_tools
VENV := .venv
FLINK_VENV := .venv-flink
AUTHORIZER_VENV := .venv-authorizer
PY := $(VENV)/bin/python
FLINK_PY := $(FLINK_VENV)/bin/python
FLINK_BUILD := build/flink
FLINK_JAR := $(FLINK_BUILD)/lib/flink-connectors.jar
FLINK_ZIP := $(FLINK_BUILD)/tenant-pipeline-flink.zip
IAM_DIR := local/iam
IAM_EVALUATOR := $(IAM_DIR)/node_modules/.installed

# uv installs every virtualenv from its lockfile (see README, "Locked dependencies"). It is pinned and
# installed from PyPI into build/uv, so a fresh machine needs nothing but Python and pip.
UV_VERSION := 0.13.9
UV_DIR := build/uv
UV := $(UV_DIR)/bin/uv
# uv finds no interpreter on its own here: each venv gets the one local/check_tools.py found.
export UV_PYTHON_DOWNLOADS ?= never
VENV_PYTHON_VERSION := 3.11
# The authorizer's Lambda runtime, declared once (functions/contracts/lambda_runtime.py).
LAMBDA_RUNTIME_FILE := functions/contracts/lambda_runtime.py
LAMBDA_PYTHON_VERSION := $(shell sed -nE 's/^LAMBDA_RUNTIME = "python([0-9]+\.[0-9]+)"$$/\1/p' $(LAMBDA_RUNTIME_FILE))
LAMBDA_PLATFORM := $(shell sed -nE 's/^LAMBDA_WHEEL_PLATFORM = "([^"]+)"$$/\1/p' $(LAMBDA_RUNTIME_FILE))
AUTHORIZER_LOCK := functions/authorizer/requirements.lock

.PHONY: help check check-python check-lambda-python check-jvm venv flink-venv authorizer-venv lock \
	iam-evaluator engine plan demo soak migrate offboard test test-unit test-integration test-authorizer test-flink test-e2e lint fmt clean \
	env-plan preview up onboard move offboard-tenant

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

check: ## check the machine before installing: Python 3.11, the Lambda's Python, Java 17/11, Maven
	@$(CHECK) python lambda-python java maven
check-python:
	@$(CHECK) python
check-lambda-python:
	@$(CHECK) lambda-python
check-jvm:
	@$(CHECK) java maven

$(UV):
	@$(BOOT_PYTHON) -m pip --version >/dev/null 2>&1 || \
		{ echo "setup: needs pip for $(BOOT_PYTHON) to install uv; install it or run make BOOT_PYTHON=/path/to/python3"; exit 1; }
	$(BOOT_PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
		--target $(UV_DIR) uv==$(UV_VERSION)

# Each virtualenv is exactly its lockfile (uv pip sync removes anything else); the stamp makes it once
# per lockfile change. .venv then gets the project itself, editable and without dependencies (the lock has them):
# its console script `tenant-pipeline` (pyproject.toml), and the repository's root on its path.
$(VENV)/.installed: requirements-dev.lock pyproject.toml | check-python $(UV)
	@py=$$($(CHECK) --which python) && $(UV) venv --quiet --allow-existing --python "$$py" $(VENV)
	$(UV) pip sync --quiet --python $(VENV)/bin/python requirements-dev.lock
	$(UV) pip install --quiet --python $(VENV)/bin/python --no-deps --editable .
	@touch $@

$(FLINK_VENV)/.installed: requirements-flink.lock | check-python $(UV)
	@py=$$($(CHECK) --which python) && $(UV) venv --quiet --allow-existing --python "$$py" $(FLINK_VENV)
	$(UV) pip sync --quiet --python $(FLINK_VENV)/bin/python requirements-flink.lock
	@touch $@

$(AUTHORIZER_VENV)/.installed: requirements-authorizer.lock | check-lambda-python $(UV)
	@py=$$($(CHECK) --which lambda-python) && $(UV) venv --quiet --allow-existing --python "$$py" $(AUTHORIZER_VENV)
	$(UV) pip sync --quiet --python $(AUTHORIZER_VENV)/bin/python requirements-authorizer.lock
	@touch $@

# The lockfiles, from the requirements files (the direct pins). Run after editing any requirements*.txt;
# tests/unit/setup checks that every pin is in its lock. The Lambda's lock comes first: the venvs that
# run the authorizer's code take its versions.
lock: | $(UV) ## re-resolve the lockfiles from requirements*.txt, keeping other pins (LOCK_FLAGS=--upgrade: newest)
	$(UV) pip compile --quiet $(LOCK_FLAGS) functions/authorizer/requirements.txt --python-version $(LAMBDA_PYTHON_VERSION) \
		--python-platform $(LAMBDA_PLATFORM) --only-binary :all: -o $(AUTHORIZER_LOCK)
	$(UV) pip compile --quiet $(LOCK_FLAGS) requirements-dev.txt -c $(AUTHORIZER_LOCK) --universal --python-version $(VENV_PYTHON_VERSION) \
		-o requirements-dev.lock
	$(UV) pip compile --quiet $(LOCK_FLAGS) requirements-flink.txt --universal --python-version $(VENV_PYTHON_VERSION) -o requirements-flink.lock
	$(UV) pip compile --quiet $(LOCK_FLAGS) requirements-authorizer.txt -c $(AUTHORIZER_LOCK) -c requirements-dev.lock \
		--universal --python-version $(LAMBDA_PYTHON_VERSION) -o requirements-authorizer.lock

venv: $(VENV)/.installed ## the Pulumi program's virtualenv (.venv), with test tools

flink-venv: $(FLINK_VENV)/.installed ## the Flink job's virtualenv (.venv-flink)

# The IAM policy evaluator (node): @cloud-copilot/iam-simulate, exactly as local/iam/package-lock.json pins it.
$(IAM_EVALUATOR): $(IAM_DIR)/package.json $(IAM_DIR)/package-lock.json
	npm ci --prefix $(IAM_DIR) --no-audit --no-fund --loglevel=error
	touch $@

iam-evaluator: $(IAM_EVALUATOR) ## the IAM evaluator the isolation matrix uses (node, local/iam/node_modules)

authorizer-venv: $(AUTHORIZER_VENV)/.installed ## the authorizer's test virtualenv, on its Lambda runtime's Python

plan: venv ## preview a stack under Pulumi mocks (STACK=dev; JSON=1 for JSON on stdout; PREVIOUS=<the tenants deployed last>)
	@$(PY) -m local.plan --stack $(STACK) $(JSON_FLAG) $(if $(PREVIOUS),--previous $(PREVIOUS))

soak: venv flink-venv check-jvm $(FLINK_JAR) ## sustained load with a Flink crash and a Cassandra restart: loss, duplicates, latency, recovery (EVENTS=50000)
	@$(PY) -m local.sandbox.soak --stack $(STACK) --events $(or $(EVENTS),50000)

demo: venv flink-venv check-jvm iam-evaluator $(FLINK_JAR) ## the whole stack live here (moto, Cassandra, PyFlink), with a report (STACK=dev; JSON=1)
	@$(PY) -m local.sandbox.demo --stack $(STACK) $(JSON_FLAG)

engine: venv ## the Pulumi CLI and Python language host, built once from the Go module proxy when no `pulumi` is on the PATH (~6 min)
	@$(PY) -m local.engine.toolchain build
# The lifecycle jobs (issue 12): the stack gives the tenant's record, config path, strategy and bucket
# (local/lifecycle.py); a local Cassandra on CASSANDRA_PORT (default 9042: `python -m local.services.cassandra
# start`). ARGS go to the job, e.g. ARGS="--region us-east-1 --directory s3://<bucket>/tenants/" on AWS (its slices).
LIFECYCLE = test -n "$(TENANT)" || { echo "make $@: give TENANT=<tenant id>"; exit 2; }; \
	$(PY) -m local.lifecycle $@ --stack $(STACK) --tenant $(TENANT) $(if $(CASSANDRA_PORT),--cassandra-port $(CASSANDRA_PORT))
migrate: venv ## migrate TENANT's rows between tiers, by its migration state (STACK=dev TENANT=x; ARGS=job options)
	@$(LIFECYCLE) -- $(ARGS)

offboard: venv ## delete an offboarded TENANT's rows and S3 object versions if its tier's strategy is delete; a receipt in build/receipts (STACK=dev TENANT=x)
	@$(LIFECYCLE) -- $(ARGS)

# --- environments: the platform stack and its tenant cells on the Pulumi engine (README "Deploying an environment") --
# `tenant-pipeline` (orchestrator/, installed into .venv by `make venv`). ENV=dev by default; BACKEND=<url> instead of
# PULUMI_BACKEND_URL or `pulumi login`; PARALLEL=<n> cells at once (default 2).
ENV ?= dev
TENANT_PIPELINE = $(VENV)/bin/tenant-pipeline $(if $(BACKEND),--backend $(BACKEND))
PARALLEL_FLAG = $(if $(PARALLEL),--parallel $(PARALLEL))
NEEDS_TENANT = test -n "$(TENANT)" || { echo "make $@: give TENANT=<tenant id>"; exit 2; }
NEEDS_TIER = test -n "$(TIER)" || { echo "make $@: give TIER=<tier>"; exit 2; }

env-plan: venv ## every stack of an environment under mocks, no cloud account (ENV=dev; JSON=1 for JSON on stdout)
	@$(TENANT_PIPELINE) plan --env $(ENV) $(JSON_FLAG)

preview: venv ## `pulumi preview` of every stack of ENV (the platform and its cells)
	@$(TENANT_PIPELINE) preview --env $(ENV) $(PARALLEL_FLAG)

up: venv ## deploy ENV: the platform, then its cells in parallel; a re-run resumes (ENV=dev PARALLEL=2)
	@$(TENANT_PIPELINE) up --env $(ENV) $(PARALLEL_FLAG)

onboard: venv ## add TENANT on TIER to ENV, in a cell with room, and deploy that cell (ENV=dev TENANT=x TIER=basic)
	@$(NEEDS_TENANT); $(NEEDS_TIER); $(TENANT_PIPELINE) onboard $(TENANT) --tier $(TIER) --env $(ENV)

move: venv ## move TENANT to TIER: between storage models, the migration's steps with the job between them (ARGS=job options)
	@$(NEEDS_TENANT); $(NEEDS_TIER); $(TENANT_PIPELINE) move $(TENANT) --tier $(TIER) --env $(ENV) $(if $(ARGS),-- $(ARGS))

offboard-tenant: venv ## set TENANT's status offboarded in ENV and deploy its cell (its data then: `make offboard`)
	@$(NEEDS_TENANT); $(TENANT_PIPELINE) offboard $(TENANT) --env $(ENV)

lint: venv ## ruff, mypy, and import-linter (the layout's layers and independence contracts: pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

fmt: venv ## format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-unit: venv ## service-free tests: config, components under mocks, pure runtime logic (about 2 minutes on 2 cores)
	$(VENV)/bin/pytest tests/unit --ignore=tests/unit/authorizer

test-integration: venv check-jvm iam-evaluator engine ## runtime functions against real local services (moto server, Cassandra), the IAM matrix, the real engine (make engine)
	$(VENV)/bin/pytest tests/integration --ignore=tests/integration/flink --ignore=tests/integration/authorizer

test-authorizer: authorizer-venv ## the authorizer's tests on its Lambda runtime's Python (.venv-authorizer)
	$(AUTHORIZER_VENV)/bin/pytest tests/unit/authorizer tests/integration/authorizer tests/lambda_runtime

test-flink: flink-venv check-jvm $(FLINK_JAR) ## pytest in .venv-flink: the PyFlink job on the local JVM (files, moto)
	$(FLINK_VENV)/bin/pytest tests/integration/flink

test-e2e: venv flink-venv check-jvm iam-evaluator $(FLINK_JAR) ## a shortened `make demo` and `make soak`, end to end, checked
	$(VENV)/bin/pytest tests/e2e

test: check lint test-unit test-authorizer test-integration test-flink test-e2e ## everything CI runs

clean: ## remove virtualenvs and build output
	rm -rf $(VENV) $(FLINK_VENV) $(AUTHORIZER_VENV) build .run .pytest_cache .mypy_cache .ruff_cache $(IAM_DIR)/node_modules

# --- ingestion pipeline: the authorizer Lambda's package ------------------------------------------
AUTHORIZER_BUILD := build/authorizer
.PHONY: authorizer-package
authorizer-package: venv | $(UV) ## build/authorizer: the authorizer Lambda (its locked requirements + functions/authorizer + functions/contracts), as `pulumi up` deploys it
	rm -rf $(AUTHORIZER_BUILD)
	@# The lock's wheels for the Lambda runtime, whatever machine builds the package.
	$(UV) pip install --quiet --python $(PY) --no-deps --only-binary :all: --python-version $(LAMBDA_PYTHON_VERSION) \
		--python-platform $(LAMBDA_PLATFORM) --target $(AUTHORIZER_BUILD) -r $(AUTHORIZER_LOCK)
	@# The package keeps its path (handler functions.authorizer.handler.handler), with the shared contracts.
	$(PY) -m functions.authorizer.package $(AUTHORIZER_BUILD)

# --- authorizer benchmark -------------------------------------------------------------------------
.PHONY: bench-authorizer
bench-authorizer: venv ## authorizer vs aws-jwt-verify (npm, bench/node_modules), one core: see bench/RESULTS.md
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	$(PY) -m bench.authorizer

.PHONY: bench-dal
bench-dal: venv check-jvm ## DAL vs bare driver on a local Cassandra: ops/s and p99 (recorded in bench/RESULTS.md)
	$(PY) -m bench.dal

.PHONY: bench-migration
bench-migration: venv check-jvm ## migration job throughput (rows/s) pool -> silo, quiet vs the tenant writing (bench/RESULTS.md)
	$(PY) -m bench.migration

# --- Flink job (functions/flink): local runs and the Managed Service for Apache Flink package ---

.PHONY: flink-local flink-jars flink-package

flink-local: flink-venv $(FLINK_JAR) ## run the Flink job on a file: INPUT=<ndjson> OUTPUT=<dir> (writes <dir>/enriched, <dir>/rejected)
	@test -n "$(INPUT)" -a -n "$(OUTPUT)" || { echo "usage: make flink-local INPUT=<file> OUTPUT=<dir>"; exit 2; }
	$(FLINK_PY) -m functions.flink.local "$(INPUT)" "$(OUTPUT)"

# The jar holds the connectors and the SQL path's Java function (functions/flink/connectors/src).
FLINK_JAVA_SOURCES := $(shell find functions/flink/connectors/src -name '*.java')

$(FLINK_JAR): functions/flink/connectors/pom.xml $(FLINK_JAVA_SOURCES) | check-jvm
	mvn -q -f functions/flink/connectors/pom.xml package
	@touch $@

flink-jars: $(FLINK_JAR) ## the job's jar: Kinesis/Firehose connectors (Maven Central) and its Java function, into build/flink/lib

flink-package: $(FLINK_JAR) ## the zip Managed Service for Apache Flink runs: build/flink/tenant-pipeline-flink.zip
	$(BOOT_PYTHON) -m functions.flink.package $(FLINK_JAR) $(FLINK_ZIP)

.PHONY: bench-engine
bench-engine: venv engine ## one stack vs a platform plus cells on the real Pulumi CLI (a stand-in program), 250-2,000 tenants, onboarding at 10,000, ~2 h -> bench/RESULTS.md
	nice $(PY) -m bench.engine --split

.PHONY: bench-synth
bench-synth: venv ## scale benchmark: the program under mocks for 100, 1,000, 10,000 tenants, and the 10,000-tenant quota table -> bench/RESULTS.md
	$(PY) -m bench.synth --repeats 1
