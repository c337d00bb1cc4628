#!/bin/sh
# scripts/image-test.sh — `make image-test`: builds the container image
# from the Dockerfile and runs the API server inside it, without a Docker
# engine (none runs on our CI machines):
#
#   1. the base: `debootstrap --variant=minbase bookworm` into a cache
#      directory (reused when present), trimmed as bookworm-slim is, then
#      `podman import` as localhost/debian:bookworm-slim (no image
#      registry needs to be reachable; Debian's mirror does);
#   2. `buildah bud --isolation chroot --format docker` of the Dockerfile;
#   3. `buildah from` the image, and in it (`buildah run --isolation
#      chroot`, which shares the host's network): the user (uid 10001) and
#      no compiler or -dev package (runtime libraries only); a small demo registry
#      made by the image's own binary (demo-data → etl → train), then
#      `incomescore serve` on a free loopback port given as $PORT;
#   4. /readyz answers 200, the image's HEALTHCHECK command passes in the
#      image, and one POST /v1/prediction answers 200 with
#      exactly what `incomescore predict` says in the same image for the
#      same request; every field of it is checked;
#   5. the image's size is reported; the container is removed (the image
#      and the base stay, so that a second run reuses the build's cache).
#
# Root only (debootstrap and buildah's chroot isolation need it): as
# another user it prints a SKIP line and exits 0. Prints "image-test: N
# passed, M failed" and the times of each step.
#
#   IMAGE_CACHE   where the debootstrap root filesystem is kept
#                 (default /var/cache/incomescore-image)
#   DEBIAN_MIRROR (default http://deb.debian.org/debian)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
    echo "image-test: SKIP: needs root (debootstrap, buildah --isolation chroot)"
    exit 0
fi
for tool in debootstrap buildah podman curl; do
    command -v $tool >/dev/null 2>&1 || {
        echo "image-test: $tool is missing: run 'make deps'" >&2
        exit 1
    }
done
CACHE=${IMAGE_CACHE:-/var/cache/incomescore-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=localhost/debian:bookworm-slim
IMAGE=localhost/incomescore:image-test
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-image-XXXXXX")
CONTAINER=""
SERVE_PID=""
passed=0
failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }
now() { date +%s; }
T0=$(now)
step_start=$T0
step() { # step NAME: prints the time the previous step took
    t=$(now)
    echo "image-test: $1 ($((t - step_start)) s)"
    step_start=$t
}

# The server's processes: whatever runs with the container's root as its
# root (buildah run's child survives buildah when buildah is killed).
container_pids() {
    [ -n "${MOUNT:-}" ] || return 0
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$MOUNT" ] && echo "${p#/proc/}"
    done
}
cleanup() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
    for p in $(container_pids); do kill "$p" 2>/dev/null; done
    [ -n "$SERVE_PID" ] && wait "$SERVE_PID" 2>/dev/null
    if [ -n "$CONTAINER" ]; then
        buildah umount "$CONTAINER" >/dev/null 2>&1
        buildah rm "$CONTAINER" >/dev/null 2>&1
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- 1. the base image ---------------------------------------------------
if ! podman image exists "$BASE"; then
    if [ ! -d "$CACHE/rootfs" ]; then
        mkdir -p "$CACHE"
        rm -rf "$CACHE/rootfs.tmp"
        debootstrap --variant=minbase bookworm "$CACHE/rootfs.tmp" "$MIRROR" \
            >"$WORK/debootstrap.log" 2>&1 || {
            tail -20 "$WORK/debootstrap.log"
            echo "image-test: debootstrap failed"
            exit 1
        }
        mv "$CACHE/rootfs.tmp" "$CACHE/rootfs"
    fi
    # What bookworm-slim leaves out, here and in what apt installs later:
    # docs, man pages, translations; and the .debs debootstrap kept.
    mkdir -p "$CACHE/rootfs/etc/dpkg/dpkg.cfg.d"
    printf '%s\n' 'path-exclude /usr/share/doc/*' \
        'path-include /usr/share/doc/*/copyright' \
        'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
        'path-exclude /usr/share/locale/*' \
        >"$CACHE/rootfs/etc/dpkg/dpkg.cfg.d/slim"
    printf 'APT::Install-Recommends "false";\n' \
        >"$CACHE/rootfs/etc/apt/apt.conf.d/90slim"
    tar -C "$CACHE/rootfs" --exclude='./var/cache/apt/archives/*.deb' \
        --exclude='./var/lib/apt/lists/*' --exclude='./usr/share/man/*' \
        --exclude='./usr/share/info/*' --exclude='./usr/share/locale/*' \
        -c . | podman import - "$BASE" >/dev/null || {
        echo "image-test: podman import failed"
        exit 1
    }
fi
step "base $BASE ready"

# ---- 2. the build ----------------------------------------------------------
if buildah bud --isolation chroot --format docker --layers \
        --build-arg BASE="$BASE" -t "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1; then
    ok
else
    tail -30 "$WORK/build.log"
    ko "buildah bud failed"
    echo "image-test: $passed passed, $failed failed"
    exit 1
fi
step "image $IMAGE built"
SIZE=$(podman image inspect --format '{{.Size}}' "$IMAGE")

# ---- 3. a container with a demo registry ---------------------------------
CONTAINER=$(buildah from "$IMAGE") || { echo "image-test: buildah from failed"; exit 1; }
MOUNT=$(buildah mount "$CONTAINER")
# what the image promises: the user, the home, the entrypoint, PORT
config=$(buildah inspect --format '{{.Docker.Config.User}} {{.Docker.Config.Entrypoint}} {{.Docker.Config.Cmd}} {{.Docker.Config.Healthcheck.Test}}' "$CONTAINER")
if [ "$config" = 'incomescore [incomescore] [serve --host 0.0.0.0] [CMD-SHELL curl -fsS "http://127.0.0.1:${PORT}/readyz" >/dev/null || exit 1]' ]; then
    ok
else
    ko "image config: $config"
fi
in_image() { buildah run --isolation chroot "$CONTAINER" -- "$@"; }
# not root, and runtime libraries only: no compiler, no -dev package
uid=$(in_image id -u 2>&1)
[ "$uid" = 10001 ] && ok || ko "the image runs as uid '$uid', not 10001"
# (gcc-12-base is libgcc's runtime, not a compiler)
dev=$(in_image sh -c 'command -v cc gcc make; dpkg-query -W -f "\${Package}\n" | grep -x -e ".*-dev" -e "gcc" -e "gcc-[0-9]*" -e "cpp" -e "cpp-[0-9]*" -e "make"; exit 0' 2>&1)
[ -z "$dev" ] && ok || ko "build tools in the runtime image: $(echo $dev)"
AS_OF=2024-06-30
if in_image sh -c "incomescore demo-data --count 2000 --seed 7 --as-of $AS_OF --out /tmp/docs.jsonl &&
        incomescore etl --source /tmp/docs.jsonl --out /tmp/dataset.csv --as-of $AS_OF &&
        incomescore train --data /tmp/dataset.csv" >"$WORK/train.log" 2>&1; then
    ok
else
    tail -20 "$WORK/train.log"
    ko "demo registry in the image"
fi
# the registry is where INCOMESCORE_HOME says, owned by the image's user
owner=$(in_image stat -c %U /var/lib/incomescore/registry 2>&1)
[ "$owner" = incomescore ] && ok || ko "registry owner: $owner"
step "demo registry trained in the image"

# ---- 4. the server ---------------------------------------------------------
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# --host 127.0.0.1: the chroot shares the host's network, and tests listen
# on loopback only; the port comes from $PORT, as on Cloud Run.
buildah run --isolation chroot --env PORT="$PORT" "$CONTAINER" -- \
    incomescore serve --host 127.0.0.1 --audit stdout \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
URL=http://127.0.0.1:$PORT
ready=""
for _ in $(seq 100); do
    ready=$(curl -sS -m 2 "$URL/readyz" 2>/dev/null) && break
    ready=""
    sleep 0.2
done
if [ "$ready" = '{"status": "ready", "model_version": "v0001"}' ]; then ok; else
    ko "/readyz: '$ready'"; tail -5 "$WORK/serve.err"; fi
step "server ready in the image on $URL"
# the image's own HEALTHCHECK command, run in the image
if buildah run --isolation chroot --env PORT="$PORT" "$CONTAINER" -- sh -c \
        'curl -fsS "http://127.0.0.1:${PORT}/readyz" >/dev/null || exit 1' \
        >"$WORK/health.out" 2>&1; then ok; else
    ko "the HEALTHCHECK command failed: $(cat "$WORK/health.out")"; fi

REQUEST='{"ingreso": 45000, "antiguedad_laboral_meses": 50, "tiempo_desempleado": 0, "trabajos_ultimos_5": 1, "semanasCotizadas": 1000, "edad": 32, "crecimiento_ingreso": 265.38, "lugar_actual": 18}'
status=$(curl -sS -m 5 -o "$WORK/answer.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' -d "$REQUEST" "$URL/v1/prediction")
[ "$status" = 200 ] && ok || ko "POST /v1/prediction: HTTP $status"
echo "$REQUEST" | in_image incomescore predict >"$WORK/predict.json" 2>"$WORK/predict.err"
# predict ends each answer with a newline, the API's body does not
printf '\n' >>"$WORK/answer.json"
if cmp -s "$WORK/answer.json" "$WORK/predict.json"; then ok; else
    ko "the API's answer differs from predict's:"
    cat "$WORK/answer.json" "$WORK/predict.json"; echo
fi
# every field: the score on the scale, a segment, the version, a band, and
# reasons with a code and a text
/usr/bin/python3 - "$WORK/answer.json" <<'EOF' && ok || ko "answer fields: $(cat "$WORK/answer.json")"
import json, sys
a = json.load(open(sys.argv[1]))
assert list(a) == ["scoring", "cluster", "model_version", "band", "reasons"], list(a)
assert isinstance(a["scoring"], float) and 300 <= a["scoring"] <= 850, a["scoring"]
assert a["cluster"] in ("A", "B", "C", "D"), a["cluster"]
assert a["model_version"] == "v0001", a["model_version"]
assert isinstance(a["band"], str) and a["band"], a["band"]
assert a["reasons"] and all(list(r) == ["code", "text"] for r in a["reasons"]), a["reasons"]
EOF
# the decision went to the audit log (stdout) before it was answered
grep -q '"model_version":"v0001"' "$WORK/serve.out" && ok || ko "no audit line on stdout"
step "prediction answered in the image"

kill "$SERVE_PID" 2>/dev/null
for p in $(container_pids); do kill "$p" 2>/dev/null; done
wait "$SERVE_PID" 2>/dev/null
SERVE_PID=""

echo "image-test: image $IMAGE: $((SIZE / 1000000)) MB ($SIZE bytes)"
echo "image-test: total $(( $(now) - T0 )) s"
echo "image-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
