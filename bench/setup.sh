#!/usr/bin/env bash
# Installs and builds what `make bench` measures, skipping what is already up to date:
# system tools, the Python peer (bench/.venv), the Rust runner, and each binding that exists.
# A binding that fails to build is reported and left out (bench/run.py marks it "not
# available"); only the Rust runner and the peers are required.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/bench"
OUT="$BENCH/out"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$OUT"

say() { echo "[bench setup] $*" >&2; }
warn() { echo "[bench setup] WARNING: $*" >&2; }
# True when stamp $1 is missing or older than any file under the other arguments.
stale() {
  local stamp="$1"; shift
  [ -e "$stamp" ] || return 0
  [ -n "$(find "$@" -newer "$stamp" -type f -not -path '*/node_modules/*' -not -path '*/__pycache__/*' 2>/dev/null | head -1)" ]
}

set -e
"$ROOT/scripts/ensure-system-deps.sh" /usr/bin/time:time redis-benchmark:redis-tools python3:python3
python3 -c 'import ensurepip' 2>/dev/null || "$ROOT/scripts/ensure-system-deps.sh" /nonexistent:python3-venv

# The Python peer, pinned, in a private venv (PyPI).
if [ ! -x "$BENCH/.venv/bin/python" ]; then
  say "creating bench/.venv"
  python3 -m venv "$BENCH/.venv"
fi
if stale "$BENCH/.venv/.peers" "$BENCH/peers/python/requirements.txt"; then
  say "installing the Python peer (bench/peers/python/requirements.txt)"
  "$BENCH/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$BENCH/peers/python/requirements.txt"
  touch "$BENCH/.venv/.peers"
fi

# The Rust runner (always: cargo is quick when nothing changed).
say "building sio-bench (release)"
cargo build --quiet --release -p socketio-emitter-bench
set +e

# Python binding: pip builds it with maturin (release) into the bench venv.
if [ -f "$ROOT/bindings-python/pyproject.toml" ]; then
  if stale "$BENCH/.venv/.binding" "$ROOT/bindings-python/src" "$ROOT/bindings-python/python" \
      "$ROOT/bindings-python/Cargo.toml" "$ROOT/core/src"; then
    say "installing bindings-python into bench/.venv (release build)"
    if "$BENCH/.venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps \
        "$ROOT/bindings-python"; then
      touch "$BENCH/.venv/.binding"
    else
      warn "bindings-python did not build; its rows will say not available"
    fi
  fi
fi

# Node binding: a release build of the addon, copied with the package's JS files into
# bench/out/node-pkg, so that a debug build in bindings-node/ (development) is never measured.
rm -rf "$OUT/node-pkg"
if [ -f "$ROOT/bindings-node/Cargo.toml" ] && [ -f "$ROOT/bindings-node/package.json" ]; then
  say "building bindings-node (release)"
  if cargo build --quiet --release --lib -p socketio-emitter-node; then
    mkdir -p "$OUT/node-pkg"
    cp "$ROOT"/bindings-node/*.js "$ROOT/bindings-node/package.json" "$OUT/node-pkg/"
    cp "$CARGO_TARGET_DIR/release/libsocketio_emitter_node.so" "$OUT/node-pkg/socketio-emitter.node"
  else
    warn "bindings-node did not build; its rows will say not available"
  fi
fi

# C library (release) and the C runner; Go, PHP and Java wrappers over it (with the same
# system packages as bindings-c's own suites).
if [ -f "$ROOT/bindings-c/Cargo.toml" ] && [ -f "$ROOT/bindings-c/include/socketio_emitter.h" ]; then
  "$ROOT/scripts/ensure-system-deps.sh" pkg-config php:php-cli go:golang-go javac:default-jdk-headless \
    /usr/share/java/jna.jar:libjna-java || warn "could not install the wrappers' system packages"
  say "building bindings-c (release) and the C runner"
  rm -f "$OUT/c_runner"
  if cargo build --quiet --release -p socketio-emitter-c \
      && cc -O2 -std=c11 -Wall -Wextra -I"$ROOT/bindings-c/include" -o "$OUT/c_runner" \
         "$BENCH/runners/c/bench.c" -L"$CARGO_TARGET_DIR/release" -lsocketio_emitter \
         -Wl,-rpath,"$CARGO_TARGET_DIR/release"; then
    :
  else
    warn "the C runner did not build; its rows will say not available"
  fi
  LIB="$CARGO_TARGET_DIR/release"
  if [ -f "$LIB/libsocketio_emitter.so" ]; then
    # PHP: FFI needs only the library (bench.php gets it through SOCKETIO_EMITTER_LIB).
    rm -f "$OUT/php.ok"
    if [ -f "$ROOT/bindings-c/php/autoload.php" ] && command -v php >/dev/null; then
      php -r 'exit(extension_loaded("ffi") ? 0 : 1);' && touch "$OUT/php.ok" || warn "PHP has no FFI extension"
    fi
    # Go: cgo through a pkg-config file that points at the release library.
    rm -f "$OUT/go_runner"
    if [ -f "$ROOT/bindings-c/go/go.mod" ] && command -v go >/dev/null; then
      mkdir -p "$OUT/pkgconfig"
      sed -e "s|@LIBDIR@|$LIB|; s|@INCLUDEDIR@|$ROOT/bindings-c/include|; s|@VERSION@|0.1.0|" \
        "$ROOT/bindings-c/socketio_emitter.pc.in" > "$OUT/pkgconfig/socketio_emitter.pc"
      (cd "$BENCH/runners/go" && PKG_CONFIG_PATH="$OUT/pkgconfig" GOFLAGS=-mod=mod go build -o "$OUT/go_runner" .) \
        || warn "the Go runner did not build"
    fi
    # Java: the wrapper's sources and the runner, compiled together against Debian's JNA.
    rm -rf "$OUT/java"
    JNA_JAR="${JNA_JAR:-/usr/share/java/jna.jar}"
    if [ -d "$ROOT/bindings-c/java/src/main" ] && command -v javac >/dev/null && [ -f "$JNA_JAR" ]; then
      mkdir -p "$OUT/java/classes"
      if javac -nowarn -d "$OUT/java/classes" -cp "$JNA_JAR" \
          $(find "$ROOT/bindings-c/java/src/main" -name '*.java') "$BENCH/runners/java/BenchRunner.java"; then
        echo "$OUT/java/classes:$JNA_JAR" > "$OUT/java/classpath.txt"
      else
        warn "the Java runner did not build"
      fi
    fi
  fi
fi
exit 0
