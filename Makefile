# The project's contract. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM_CI := npm ci --no-audit --no-fund --loglevel=error
# One target directory for every crate and binding build.
export CARGO_TARGET_DIR ?= $(CURDIR)/target
# Integration tests spawn Node servers and Redis; keep cargo's test threads modest on 2 cores.
export RUST_TEST_THREADS ?= 4

NODE_DIRS := tests/fixtures tests/vectors
NODE_STAMPS := $(addsuffix /node_modules/.installed,$(NODE_DIRS))

# Each binding owns bindings-<lang>/Makefile with `test` (and optionally `lint`) targets.
BINDING_DIRS := $(patsubst %/Makefile,%,$(wildcard bindings-*/Makefile))

.PHONY: help deps test test-rust test-harness test-bindings lint demo bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

deps: $(NODE_STAMPS) ## install what the tests need (system packages, pinned npm packages)
	@scripts/ensure-system-deps.sh

# npm packages are reinstalled only when a lock file changes.
%/node_modules/.installed: %/package-lock.json
	@scripts/ensure-system-deps.sh
	cd $* && $(NPM_CI)
	@touch $@

test: deps test-rust test-harness test-bindings ## run every test suite (installs what is missing first)
	@echo "make test: all suites passed"

test-rust: deps ## the Rust core: unit tests, golden vectors, interop against real servers
	$(CARGO) test --workspace --all-targets

test-harness: deps ## self-test of the interop harness with the official Node emitter
	node --test tests/harness/

test-bindings: deps ## every binding's own suite (bindings-*/Makefile)
	@set -e; for dir in $(BINDING_DIRS); do echo "== $$dir"; $(MAKE) --no-print-directory -C $$dir test; done

lint: ## formatting and clippy, warnings are errors; each binding's own linters
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@set -e; for dir in $(BINDING_DIRS); do $(MAKE) --no-print-directory -C $$dir lint; done

demo: deps ## start Redis and a Socket.IO server, emit from Rust, show a client receiving it
	$(CARGO) run --quiet -p socketio-emitter --example demo

bench: deps bench/peers/node/node_modules/.installed ## throughput, latency, memory vs the peers and redis-benchmark (writes bench/results.md)
	bench/setup.sh
	python3 bench/run.py

clean: ## remove build outputs and installed npm packages
	$(CARGO) clean
	rm -rf $(addsuffix /node_modules,$(NODE_DIRS))
