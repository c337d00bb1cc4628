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
# (tests/servers/pg.sh). nginx-light and wrk: tests/replicas.sh puts nginx
# in front of three servers as the load balancer and loads it with wrk
# (the benches use both too).
PACKAGES="build-essential pkg-config libjansson-dev libutf8proc-dev libcsv-dev
libcmocka-dev libbson-dev libmongoc-dev libssl-dev libxgboost-dev
liblapacke-dev libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev curl sqlite3 python3
libzstd-dev libpq-dev postgresql nginx-light wrk
clang libclang-rt-14-dev python3-aiosmtpd openssl debootstrap buildah podman
systemd python3-yaml chromium"
# npm packages the tests use, each folder pinned by its own
# package-lock.json and installed there by `npm ci`: tests/browser
# (playwright-core driving Debian's chromium, make browser-test),
# tests/k8s (kubernetes-models: deploy/k8s/ checked against the
# Kubernetes API schemas by tests/deploy.sh), tests/servers/s3 (s3rver,
# the bucket tests/s3.sh starts). Any node >= 18 with npm will
# do; Debian's nodejs and npm only when there is none (a node from
# elsewhere brings its own npm).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NPM_DIRS=$(cd "$ROOT" && find tests -name package-lock.json -not -path "*/node_modules/*" | sed "s|/package-lock.json$||" | sort)

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
# npm_current DIR: DIR/node_modules holds every package its lockfile
# pins, at the pinned version
npm_current() {
    command -v node >/dev/null 2>&1 && (cd "$ROOT/$1" && node -e '
        const fs = require("fs");
        const lock = JSON.parse(fs.readFileSync("package-lock.json")).packages;
        for (const [path, p] of Object.entries(lock)) {
            if (!path.startsWith("node_modules/") || p.optional) continue;
            const got = JSON.parse(fs.readFileSync(path + "/package.json")).version;
            if (got !== p.version) process.exit(1);
        }' 2>/dev/null)
}
npm_install_stale() {
    for d in $NPM_DIRS; do
        npm_current "$d" || (cd "$ROOT/$d" && npm ci --no-audit --no-fund)
    done
}
if [ "${1:-}" = --check ]; then
    status=0
    if [ -n "$missing" ]; then
        echo "deps: missing Debian packages:$missing" >&2
        echo "deps: install them with 'make deps' (as root, or with sudo)" >&2
        status=1
    fi
    for d in $NPM_DIRS; do
        if ! npm_current "$d"; then
            echo "deps: $d/node_modules is missing or differs from its lockfile: 'make deps' runs npm ci there" >&2
            status=1
        fi
    done
    exit $status
fi
if [ -z "$missing" ]; then
    npm_install_stale
    exit 0
fi

echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
npm_install_stale
