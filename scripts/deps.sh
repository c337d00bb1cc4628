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
# deploy/'s units, compose.yaml and the workflows.
PACKAGES="build-essential pkg-config libjansson-dev libutf8proc-dev libcsv-dev
libcmocka-dev libbson-dev libmongoc-dev libssl-dev libxgboost-dev
liblapacke-dev libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev curl sqlite3 python3
libzstd-dev
clang libclang-rt-14-dev python3-aiosmtpd openssl debootstrap buildah podman
systemd python3-yaml"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "${1:-}" = --check ]; then
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: install them with 'make deps' (as root, or with sudo)" >&2
    exit 1
fi

echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
