#!/usr/bin/env bash
# Installs the system packages the tests need, only when they are missing, so that
# `make test` works on a fresh Debian machine and costs nothing on a prepared one.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# redis-cli makes the Redis Cluster the interop tests start (redis-cli --cluster create).
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
for pkg in "$@"; do
  case "$pkg" in
    *:*) cmd=${pkg%%:*}; deb=${pkg#*:} ;;  # "php:php-cli" = install php-cli when `php` is missing
    *) cmd=$pkg; deb=$pkg ;;
  esac
  # A name with a slash is a file the package provides (e.g. /usr/share/java/jna.jar); any
  # other name is a command. Never test a bare name as a path: `php` is also a folder here.
  case "$cmd" in
    */*) [ -e "$cmd" ] || missing+=("$deb") ;;
    *) command -v "$cmd" >/dev/null 2>&1 || missing+=("$deb") ;;
  esac
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
