#!/bin/sh
# Installs the Debian packages incomescore builds and tests with, when any
# is missing. Needs root (or sudo) only when something must be installed.
#
#   scripts/deps.sh           install what is missing (make deps)
#   scripts/deps.sh --check   only say what is missing and exit 1 (make test:
#                             it never installs and needs no network)
set -eu

# clang and its runtime (libFuzzer, sanitizers: a Recommends of clang-14,
# which --no-install-recommends would skip) build the fuzz targets
# (make fuzz-smoke, part of make test). python3-aiosmtpd and openssl: the
# notify tests' local SMTP server (with STARTTLS on a self-signed
# certificate). debootstrap, buildah and podman: make image-test builds the
# container image and runs the server in it without a Docker engine.
# systemd (systemd-analyze verify) and python3-yaml: tests/deploy.sh checks
# deploy/'s units, compose.yaml and the workflows. postgresql: the
# PostgreSQL audit sink's tests and bench run a throwaway cluster
# (tests/servers/pg.sh).
PACKAGES="build-essential pkg-config libjansson-dev libutf8proc-dev libcsv-dev
libcmocka-dev libbson-dev libmongoc-dev libssl-dev libxgboost-dev
liblapacke-dev libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev curl sqlite3 python3
libzstd-dev libpq-dev postgresql
clang libclang-rt-14-dev python3-aiosmtpd openssl debootstrap buildah podman
systemd python3-yaml chromium"
# The browser tests (make browser-test) drive Debian's chromium with npm's
# playwright-core, pinned in tests/browser/package-lock.json and installed
# there by `npm ci`. Any node >= 18 with npm will do; Debian's nodejs and
# npm only when there is none (a node from elsewhere brings its own npm).
BROWSER_DIR=$(cd "$(dirname "$0")/.." && pwd)/tests/browser

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
# node_modules holds the playwright-core the lockfile pins
npm_current() {
    command -v node >/dev/null 2>&1 && (cd "$BROWSER_DIR" && node -e '
        const fs = require("fs");
        const want = JSON.parse(fs.readFileSync("package-lock.json")).packages["node_modules/playwright-core"].version;
        const got = JSON.parse(fs.readFileSync("node_modules/playwright-core/package.json")).version;
        process.exit(want === got ? 0 : 1);' 2>/dev/null)
}
if [ "${1:-}" = --check ]; then
    status=0
    if [ -n "$missing" ]; then
        echo "deps: missing Debian packages:$missing" >&2
        echo "deps: install them with 'make deps' (as root, or with sudo)" >&2
        status=1
    fi
    if ! npm_current; then
        echo "deps: tests/browser/node_modules is missing or older than its lockfile: 'make deps' runs npm ci there" >&2
        status=1
    fi
    exit $status
fi
if [ -z "$missing" ]; then
    npm_current || (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund)
    exit 0
fi

echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
(cd "$BROWSER_DIR" && npm ci --no-audit --no-fund)
