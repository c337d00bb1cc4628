# tests/servers/cluster.sh — sourced by tests/replicas.sh and
# bench/replicas.sh: incomescore as a lender runs it on many machines,
# on loopback. A PostgreSQL 15 (tests/servers/pg.sh) for the one audit
# trail, npm's s3rver (tests/servers/s3/start.js) for the registry's
# bucket, N `serve` replicas that poll the bucket's LIVE and commit every
# decision to PostgreSQL, and Debian's nginx in front as the load
# balancer.
#
# Needs: BIN (the incomescore binary), WORK (an empty temporary
# directory, removed by the caller), ROOT (the source tree). Sets PG_URL,
# S3 environment, REG_URL, NGINX_PORT, REPLICA_PORT_<i>, REPLICA_PID_<i>.
# cluster_stop stops everything it started (call it from the caller's
# EXIT trap).

. "$ROOT/tests/servers/nginx_conf.sh"
. "$ROOT/tests/lib/serve_load.sh"

CLUSTER_PIDS=""
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

cluster_free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# (every step may fail, a process already gone: nothing here may stop a
# caller's `set -e` EXIT trap half way)
cluster_stop() {
    for p in $CLUSTER_PIDS; do kill "$p" 2>/dev/null || :; done
    for p in $CLUSTER_PIDS; do wait "$p" 2>/dev/null || :; done
    if [ -n "$CLUSTER_PG" ]; then
        "$ROOT/tests/servers/pg.sh" stop "$CLUSTER_PG" >/dev/null 2>&1 || :
        rm -rf "$CLUSTER_PG" || :
        CLUSTER_PG=""
    fi
    CLUSTER_PIDS=""
}

# cluster_start_pg: PG_URL (the password in it: a test may look for it)
# (a directory of its own: the cluster's owner must reach it, and WORK is
# private to the caller)
CLUSTER_PG=""
cluster_start_pg() {
    CLUSTER_PG=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-pg-XXXXXX")
    PG_URL=$("$ROOT/tests/servers/pg.sh" start "$CLUSTER_PG") || return 1
}

# cluster_start_s3 BUCKET: the bucket and the credentials in the
# environment, REG_URL=s3://BUCKET/registry
cluster_start_s3() {
    S3_KEY_ID=AKIDINCOMESCORECLUSTER
    S3_SECRET=cluster-secret-$$
    node "$ROOT/tests/servers/s3/start.js" "$WORK/s3data" "$1" "$S3_KEY_ID" \
        "$S3_SECRET" > "$WORK/s3.out" 2> "$WORK/s3.err" &
    CLUSTER_PIDS="$CLUSTER_PIDS $!"
    s3_port=""
    for _ in $(seq 100); do
        s3_port=$(sed -n 's/^port //p' "$WORK/s3.out")
        [ -n "$s3_port" ] && break
        sleep 0.1
    done
    [ -n "$s3_port" ] || { echo "cluster: s3rver did not start: $(cat "$WORK/s3.err")" >&2; return 1; }
    export INCOMESCORE_S3_ENDPOINT="http://127.0.0.1:$s3_port"
    export AWS_ACCESS_KEY_ID="$S3_KEY_ID" AWS_SECRET_ACCESS_KEY="$S3_SECRET"
    unset AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION
    REG_URL="s3://$1/registry"
}

# cluster_start_replica I: serve replica I (named rI) on a free port,
# its log in $WORK/rI.log; waits until /readyz answers 200
cluster_start_replica() {
    i=$1
    port=$(cluster_free_port)
    "$BIN" serve --port "$port" --registry "$REG_URL" --cache "$WORK/cache$i" \
        --poll 1 --audit postgres --audit-url "$PG_URL" --replica-name "r$i" \
        > "$WORK/r$i.out" 2> "$WORK/r$i.log" &
    pid=$!
    CLUSTER_PIDS="$CLUSTER_PIDS $pid"
    eval "REPLICA_PORT_$i=$port REPLICA_PID_$i=$pid"
    for _ in $(seq 300); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] &&
            return 0
        sleep 0.1
    done
    echo "cluster: replica r$i not ready:" >&2
    tail -5 "$WORK/r$i.log" >&2
    return 1
}

# cluster_start_nginx I...: nginx on NGINX_PORT balancing over the
# replicas named (round robin; a refused connection or an error before
# the request was sent goes to the next replica, as nginx does by
# default: a POST already sent to a replica that dies is not sent again)
cluster_start_nginx() {
    NGINX_PORT=$(cluster_free_port)
    servers=""
    for i in "$@"; do
        eval "port=\$REPLICA_PORT_$i"
        servers="$servers        server 127.0.0.1:$port max_fails=1 fail_timeout=2s;
"
    done
    nginx_conf "$WORK/nginx" "    upstream incomescore {
$servers        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://incomescore;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_next_upstream error timeout;
            proxy_connect_timeout 1s;
        }
    }"
    "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2> "$WORK/nginx/stderr" &
    CLUSTER_PIDS="$CLUSTER_PIDS $!"
    for _ in $(seq 50); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/readyz")" = 200 ] &&
            return 0
        sleep 0.1
    done
    echo "cluster: nginx not answering: $(cat "$WORK/nginx/stderr")" >&2
    return 1
}

# cluster_models N: N small model versions (v0001..) in $WORK/reg,
# quick to train: the shell tests' small model (tests/lib/serve_load.sh),
# then N-1 more on its dataset with other seeds
cluster_models() {
    small_model "$BIN" "$WORK" || return 1
    [ "$1" -gt 1 ] || return 0
    for seed in $(seq 2 "$1"); do
        "$BIN" train --data "$WORK/dataset.csv" --registry "$WORK/reg" --seed "$seed" \
            --params "$WORK/params.json" > /dev/null 2>&1 || return 1
    done
}
