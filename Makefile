# Phase 18 kit. A fresh machine needs only two commands:
#   make phase   set-up, then the whole phase run headless (labs in order, report written)
#   make test    set-up, then every test (Java unit tests, Python interop, notebooks on the JJava kernel)
# Set-up is idempotent: a second run only redoes what changed.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
# Python 3.11 when there is one by that name, else the default python3.
BASE_PYTHON ?= $(shell command -v python3.11 || command -v python3)
# The JVMs that Maven starts (tests, PIT, JMH) get the same threads and BLAS kernels as bin/minitrain:
# portable mode unless MINITRAIN_BLAS=native (bin/blas-env says what each means).
BLAS_ENV := $(shell $(ROOT)/bin/blas-env || echo BLAS-ENV-REFUSED)
ifneq ($(filter BLAS-ENV-REFUSED,$(BLAS_ENV)),)
$(error bin/blas-env refused the settings (its message is above))
endif
$(foreach setting,$(BLAS_ENV),$(eval export $(setting)))
# kernel.json keeps the settings it was installed with: when they change (another MINITRAIN_BLAS), this
# file changes and the kernel is installed again.
BLAS_STAMP := $(ROOT)/build/blas-env
$(shell mkdir -p $(ROOT)/build && { printf '%s\n' $(BLAS_ENV) | cmp -s - $(BLAS_STAMP) \
  || printf '%s\n' $(BLAS_ENV) > $(BLAS_STAMP); })
MVN := mvn -B -q -ntp -f $(ROOT)/lib/pom.xml
JAR := $(ROOT)/lib/target/jars/minitrain.jar
LIB_SOURCES := $(shell find $(ROOT)/lib/src/main $(ROOT)/lib/pom.xml -type f 2>/dev/null)

.PHONY: setup venv kernel lib browser hub hub-proxy test test-java test-python mutation bench bench-ops fuzz phase lab \
	mlflow lock clean help
.DEFAULT_GOAL := help

help:
	@echo "make phase   set-up + the whole phase run headless (writes PHASE_18_REPORT.md)"
	@echo "make test    set-up + every test"
	@echo "make lab     set-up + JupyterLab on 127.0.0.1 with the Java kernel"

setup: venv kernel lib

# --- Python: .venv from environment.yml's pins, their dependencies fixed by requirements.lock ---------
venv: $(VENV)/.kit-ready
$(VENV)/.kit-ready: environment.yml requirements.lock bin/pins
	@bin/pins --check-lock requirements.lock
	@echo "setup: building .venv from environment.yml's pins (first time: a few minutes)"
	@test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check -c requirements.lock $$(bin/pins)
	@$(PY) bin/pins --check-installed
	@touch $@

# --- The JJava kernel, installed inside .venv (never in the user's home) -----------------------------
kernel: $(VENV)/.kernel-ready
$(VENV)/.kernel-ready: $(VENV)/.kit-ready bin/kernel bin/blas-env $(BLAS_STAMP)
	@$(PY) bin/kernel install
	@touch $@

# --- The Java library: jar + dependency jars in lib/target/jars/ ----------------------------------
lib: $(JAR)
$(JAR): $(LIB_SOURCES)
	@echo "setup: building the library (mvn package)"
	@$(MVN) package -DskipTests
	@touch $@

# --- The browser test's tools: Debian's Chromium and a pinned playwright-core (no browser download) ------
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)
browser: $(ROOT)/tests/browser/node_modules/.kit-ready
$(ROOT)/tests/browser/node_modules/.kit-ready: tests/browser/package.json tests/browser/package-lock.json
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "setup: installing Debian's chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "setup: the browser test needs Chromium: install it, or set CHROMIUM=/path/to/chromium" >&2; exit 1; fi; \
	fi
	@cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --- Tests ---------------------------------------------------------------------------------------------
test: setup browser hub-proxy test-java test-python

test-java:
	@mvn -B -ntp -f $(ROOT)/lib/pom.xml verify

test-python: setup browser hub-proxy
	@KIT_SMOKE=1 CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q --durations=12 $(ROOT)/tests

# Mutation testing of the training loop's pieces (PIT); report in lib/target/pit-reports/index.html.
mutation: setup
	@mvn -B -ntp -f $(ROOT)/lib/pom.xml test-compile org.pitest:pitest-maven:mutationCoverage

# --- Benchmarks (not part of make test: timings are reported, never asserted) --------------------------
# One line per configuration: ms per step, tokens/s, GFLOP/s, ops, allocation and peak memory.
bench: setup
	@bin/minitrain bench

# JMH micro-benchmarks of the hot operations (forward + backward), for judging one kernel change alone.
bench-ops: setup
	@$(MVN) test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$(ROOT)/build/bench.classpath
	@java -Djava.awt.headless=true -cp "$(ROOT)/lib/target/test-classes:$(ROOT)/lib/target/classes:$$(cat $(ROOT)/build/bench.classpath)" \
	  org.openjdk.jmh.Main minitrain.bench $(JMH_ARGS)

# The readers' fuzzers at length (mvn verify runs them briefly): FUZZ_TRIES mutated files per property;
# each prints its number of executions. A failure names the seed file and the mutations that broke it.
FUZZ_TRIES ?= 200000
fuzz:
	@mvn -B -ntp -f $(ROOT)/lib/pom.xml test -Dtest='*FuzzTest' -Dfuzz.tries=$(FUZZ_TRIES)

# --- The phase run ---------------------------------------------------------------------------------------
# The labs run as their worked solutions where a lab is generated from one (the phase's model is trained by
# lab 01's worked loop). The labs log to MLflow: a local server is started for the run (unless MLFLOW_TRACKING_URI points to
# one) and stopped when the run ends, whatever happens. The report is written while the server is still up,
# so its MLflow item is checked against the live run; it exits non-zero if any item is unticked.
phase: setup
	@bin/minitrain baseline
	@started=""; if [ -z "$${MLFLOW_TRACKING_URI:-}" ]; then bin/mlflow-server start >/dev/null && started=1; fi; \
	 trap '[ -n "$$started" ] && bin/mlflow-server stop' EXIT; \
	 $(PY) bin/notebooks phase --out experiments/notebooks; \
	 bin/minitrain report

# --- Interactive ----------------------------------------------------------------------------------------
# JupyterLab prints its URL with the token; one Ctrl-C stops it and its kernels (no confirmation prompt).
lab: setup
	@started=""; if [ -z "$${MLFLOW_TRACKING_URI:-}" ]; then echo "MLflow: $$(bin/mlflow-server start)" && started=1; fi; \
	 trap '[ -n "$$started" ] && bin/mlflow-server stop' EXIT; \
	 $(VENV)/bin/jupyter lab --ip 127.0.0.1 --no-browser --notebook-dir $(ROOT)/notebooks \
	  --ServerApp.answer_yes=True $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# The local MLflow server alone, for browsing earlier runs; stop it with: bin/mlflow-server stop
mlflow: setup
	@echo "MLflow UI: $$(bin/mlflow-server start)  (stop: bin/mlflow-server stop)"

# --- A class: JupyterHub from the kit's environment (README: Teaching a class) ---------------------------
# Learners log in with their account on the class's MLflow server ($MLFLOW_TRACKING_URI); KIT_HUB_DIR (default
# hub-state/) keeps the hub's database, secrets and each learner's copy of the kit. Ctrl-C stops it and the learners'
# servers. KIT_HUB_IP=0.0.0.0 opens it to the class's network (default: 127.0.0.1), KIT_HUB_PORT (default 8000).
hub-proxy: $(ROOT)/hub/node_modules/.kit-ready
$(ROOT)/hub/node_modules/.kit-ready: hub/package.json hub/package-lock.json
	@cd hub && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

hub: setup hub-proxy
	@if [ -z "$${MLFLOW_TRACKING_URI:-}" ]; then \
	  echo "make hub: set MLFLOW_TRACKING_URI to the class's MLflow server (bin/mlflow-server start --auth)" >&2; \
	  exit 1; fi
	@mkdir -p "$${KIT_HUB_DIR:-$(ROOT)/hub-state}"
	@cd "$${KIT_HUB_DIR:-$(ROOT)/hub-state}" && $(VENV)/bin/jupyterhub -f $(ROOT)/hub/jupyterhub_config.py

# --- Maintenance ----------------------------------------------------------------------------------------
# Re-resolve every Python dependency from environment.yml's pins and write the lock anew.
lock:
	@rm -rf $(ROOT)/build/lockenv && $(BASE_PYTHON) -m venv $(ROOT)/build/lockenv
	@$(ROOT)/build/lockenv/bin/pip install -q $$(bin/pins)
	@{ echo "# Every Python package of .venv, pinned (pip freeze of a venv built from environment.yml's pins)."; \
	   echo "# Regenerate with: make lock"; \
	   $(ROOT)/build/lockenv/bin/pip freeze --exclude-editable | sort -f; } > requirements.lock
	@bin/pins --check-lock requirements.lock && echo "requirements.lock written"

clean:
	rm -rf $(ROOT)/lib/target $(ROOT)/build
