# The project's contract. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM_CI := npm ci --no-audit --no-fund --loglevel=error
# One target directory for every crate and binding build.
export CARGO_TARGET_DIR ?= $(CURDIR)/target
# Integration tests spawn Node servers and Redis; keep cargo's test threads modest on 2 cores.
export RUST_TEST_THREADS ?= 4

NODE_DIRS := tests/fixtures tests/vectors demo
NODE_STAMPS := $(addsuffix /node_modules/.installed,$(NODE_DIRS))

# Each binding owns bindings-<lang>/Makefile with `test` (and optionally `lint`) targets.
BINDING_DIRS := $(patsubst %/Makefile,%,$(wildcard bindings-*/Makefile))
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

.PHONY: help deps test test-rust test-harness test-docs test-bindings test-demo lint lint-demo demo demo-build bench fuzz clean dist dist-check zig zigbuild

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

deps: $(NODE_STAMPS) ## install what the tests need (system packages, pinned npm packages)
	@scripts/ensure-system-deps.sh

# npm packages are reinstalled only when a lock file changes.
%/node_modules/.installed: %/package-lock.json
	@scripts/ensure-system-deps.sh
	cd $* && $(NPM_CI)
	@touch $@

test: deps test-docs test-rust test-harness test-bindings test-demo dist-check ## run every test suite, then dist-check (installs what is missing first)
	@echo "make test: all suites passed"

# Release artifacts (RELEASING.md says how each is published).
DIST := $(CURDIR)/dist
DIST_LANGS := c,python,node,php,go,java

# zig (from PyPI's ziglang) links the prebuilt Python and Node addons against glibc 2.17.
ZIG_VENV := $(CURDIR)/.cache/tools/zig
zig: $(ZIG_VENV)/.installed
$(ZIG_VENV)/.installed: scripts/requirements-zig.txt
	@python3 -c 'import ensurepip, venv' 2>/dev/null || scripts/ensure-system-deps.sh python3-venv-needed:python3-venv
	python3 -m venv $(ZIG_VENV)
	$(ZIG_VENV)/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-zig.txt
	@touch $@

# cargo-zigbuild (pinned) builds the prebuilt native libraries with zig as the linker, against
# glibc 2.17 (`--target x86_64-unknown-linux-gnu.2.17`): bindings-c and bindings-node use it.
ZIGBUILD_VERSION := 0.24.1
zigbuild: zig $(CURDIR)/.cache/tools/bin/cargo-zigbuild
$(CURDIR)/.cache/tools/bin/cargo-zigbuild:
	env -u CARGO_TARGET_DIR $(CARGO) install cargo-zigbuild --version $(ZIGBUILD_VERSION) --locked \
		--root $(CURDIR)/.cache/tools --quiet

dist: deps ## build every artifact we publish into dist/ (release builds)
	rm -rf $(DIST) && mkdir -p $(DIST)/rust
	$(CARGO) package --quiet --allow-dirty -p socketio-emitter -p socketio-emit-cli
	cp $(CARGO_TARGET_DIR)/package/socketio-emitter-$(VERSION).crate \
		$(CARGO_TARGET_DIR)/package/socketio-emit-cli-$(VERSION).crate $(DIST)/rust/
	$(MAKE) --no-print-directory -C bindings-c dist DIST=$(DIST)
	$(MAKE) --no-print-directory -C bindings-python dist DIST=$(DIST)
	$(MAKE) --no-print-directory -C bindings-node dist DIST=$(DIST)
	@ls -l $(DIST)/*

dist-check: dist ## install each artifact of dist/ outside the repository, without Rust, and emit to a real client
	DIST_DIR=$(DIST) DIST_LANGS=$(DIST_LANGS) node --test tests/dist/check.js
	$(MAKE) --no-print-directory -C bindings-python sdist-check DIST=$(DIST)
	$(MAKE) --no-print-directory -C bindings-node source-check DIST=$(DIST)

test-rust: deps ## the Rust core: unit tests, golden vectors, interop against real servers, doc examples
	$(CARGO) test --workspace --all-targets
	$(CARGO) test -p socketio-emitter --doc

test-harness: deps ## self-test of the interop harness with the official Node emitter
	node --test tests/harness/

test-docs: ## every code block of the docs says which test runs it (each suite runs its own)
	node --test tests/docs/

test-bindings: deps ## every binding's own suite (bindings-*/Makefile)
	@set -e; for dir in $(BINDING_DIRS); do echo "== $$dir"; $(MAKE) --no-print-directory -C $$dir test; done

lint: ## formatting and clippy, warnings are errors; each binding's own linters
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@set -e; for dir in $(BINDING_DIRS); do $(MAKE) --no-print-directory -C $$dir lint; done
	@$(MAKE) --no-print-directory lint-demo

# The demo's backends are programs users copy: each passes its language's formatter and checks.
lint-demo:
	$(CARGO) fmt --manifest-path demo/backends/rust/Cargo.toml --check
	$(CARGO) clippy --quiet --manifest-path demo/backends/rust/Cargo.toml -- -D warnings
	@for f in demo/*.js demo/public/*.js demo/backends/*.js demo/test/*.js; do node --check $$f || exit 1; done
	@if [ -x bindings-python/.venv/bin/mypy ]; then bindings-python/.venv/bin/mypy --strict demo/backends/python.py; fi
	@if command -v php >/dev/null; then php -l demo/backends/php/backend.php >/dev/null; fi
	@export PATH=/usr/local/go/bin:$$PATH; if command -v gofmt >/dev/null; then \
		test -z "$$(gofmt -l demo/backends/go)" || { echo "demo/backends/go: run gofmt -w"; exit 1; }; fi

# The demo (demo/README.md). Each backend is built the way `make test` builds its binding, in
# the same places, so neither rebuilds the other's work. PHP, Go and Java join when their
# toolchain is installed; nothing is installed for them here.
DEMO_OUT := $(CARGO_TARGET_DIR)/demo
JAVA_CLASSES := $(CARGO_TARGET_DIR)/bindings-c/java/classes
JNA_VERSION = $(shell sed -n '/<artifactId>jna<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' bindings-c/java/pom.xml)
demo-build: deps
	@$(MAKE) --no-print-directory -C bindings-python build
	@$(MAKE) --no-print-directory -C bindings-node build
	$(CARGO) build --quiet --manifest-path demo/backends/rust/Cargo.toml
	@mkdir -p $(DEMO_OUT) && rm -f $(DEMO_OUT)/backend-go $(DEMO_OUT)/java.args
	@if command -v php >/dev/null || command -v java >/dev/null || command -v go >/dev/null \
		|| [ -x /usr/local/go/bin/go ]; then $(MAKE) --no-print-directory -C bindings-c pc; fi
	@export PATH=/usr/local/go/bin:$$PATH; if command -v go >/dev/null; then \
		cd demo/backends/go && PKG_CONFIG_PATH=$(CARGO_TARGET_DIR)/bindings-c/pkgconfig go build -o $(DEMO_OUT)/backend-go .; fi
	@if command -v mvn >/dev/null && command -v javac >/dev/null; then \
		mvn -B -ntp -f bindings-c/java/pom.xml compile -Dsioe.build.dir=$(CARGO_TARGET_DIR)/bindings-c/java \
			> $(DEMO_OUT)/java-build.log 2>&1 || { cat $(DEMO_OUT)/java-build.log; exit 1; }; \
		echo "-cp $(JAVA_CLASSES):$(HOME)/.m2/repository/net/java/dev/jna/jna/$(JNA_VERSION)/jna-$(JNA_VERSION).jar" \
		> $(DEMO_OUT)/java.args; fi

demo: demo-build ## a web page showing events that Python, Node, Rust (and PHP, Go, Java) backends emit live
	node demo/run.js

# The page in headless Chromium (Debian's), driven by playwright-core: demo/test/.
test-demo: demo-build ## the demo in a real browser: events from each language, images, room join and leave
	@scripts/ensure-system-deps.sh chromium
	node --test demo/test/

bench: deps bench/peers/node/node_modules/.installed ## throughput, latency, memory vs the peers and redis-benchmark (writes bench/results.md)
	bench/setup.sh
	python3 bench/run.py

# Fuzzing (fuzz/README.md): cargo-fuzz on the nightly toolchain, in its own target
# directory; not part of `make test`. New inputs go to target/fuzz/corpus, the committed
# seeds in fuzz/corpus are only read. FUZZ_SANITIZER=address adds ASan (about 3x slower).
# The URL targets (config, c_options) take inputs of at most 512 bytes: see fuzz/README.md.
FUZZ_RUNS ?= 10000000
FUZZ_TARGETS ?= msgpack_encode json_encode c_args config c_options
FUZZ_SANITIZER ?= none
CARGO_FUZZ_VERSION := 0.13.2
CARGO_FUZZ := $(CURDIR)/.cache/tools/bin/cargo-fuzz

$(CARGO_FUZZ):
	@echo "installing cargo-fuzz $(CARGO_FUZZ_VERSION) into $(CURDIR)/.cache/tools"
	env -u CARGO_TARGET_DIR $(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked \
		--root $(CURDIR)/.cache/tools --quiet

fuzz: $(CARGO_FUZZ) ## run each fuzz target FUZZ_RUNS times (default 10M; FUZZ_TARGETS=... to pick; nightly)
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== fuzz $$t: $(FUZZ_RUNS) runs"; \
		mkdir -p $(CURDIR)/target/fuzz/corpus/$$t; \
		seeds=; if [ -d fuzz/corpus/$$t ]; then seeds=fuzz/corpus/$$t; fi; \
		dict=; if [ -f fuzz/dict/$$t.dict ]; then dict=-dict=fuzz/dict/$$t.dict; fi; \
		maxlen=; case $$t in config|c_options) maxlen=-max_len=512;; esac; \
		PATH="$(CURDIR)/.cache/tools/bin:$$PATH" CARGO_TARGET_DIR=$(CURDIR)/target/fuzz \
			nice -n 19 cargo +nightly fuzz run -O -a -s $(FUZZ_SANITIZER) $$t \
			$(CURDIR)/target/fuzz/corpus/$$t $$seeds -- \
			-runs=$(FUZZ_RUNS) $$dict $$maxlen -print_final_stats=1; \
	done

clean: ## remove build outputs and installed npm packages
	$(CARGO) clean
	rm -rf $(addsuffix /node_modules,$(NODE_DIRS))
