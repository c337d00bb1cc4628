#!/bin/sh
# tests/s3.sh — the model registry in object storage, against npm's
# s3rver (tests/servers/s3, `make deps` installs it) started here on
# 127.0.0.1 with a free port and a temporary directory, behind a front
# that checks SigV4 signatures as S3 does (start.js says why).
#
#   tests/s3.sh build/incomescore     closes with "s3: N passed, M failed"
#
# Cases: a wrong secret is refused (SignatureDoesNotMatch) without the
# secret in any output; push then pull into an empty registry gives the
# same files (diff -r); a push cut after the version's files (the stand-in
# refuses the PUT of LIVE) leaves the bucket's LIVE as it was; a tampered
# or missing object, or a version without its seal, is refused by pull,
# naming the file; a damaged copy in one's own registry is not replaced;
# a serve cache torn while serve was stopped is pulled again at restart
# (logged, counted, the whole /v1/model compared); `serve
# --registry s3://` takes a promotion in the bucket (bounded wait), and a
# tampered one is refused, logged and counted while the old model keeps
# serving (its whole /v1/model compared); /readyz is not ready only while
# no model was ever loaded; the pipeline pushes what it promotes. No
# output of any command holds the secret.
set -u
BIN=${1:?usage: tests/s3.sh path/to/incomescore}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
S3_DIR=$HERE/servers/s3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-s3-XXXXXX")
S3_PID=""
SERVE_PID=""
cleanup() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
    [ -n "$S3_PID" ] && kill "$S3_PID" 2>/dev/null
    [ -n "$SERVE_PID" ] && wait "$SERVE_PID" 2>/dev/null
    [ -n "$S3_PID" ] && wait "$S3_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$(dirname "$0")/lib/checks.sh"
LOGS=$WORK/logs
mkdir -p "$LOGS"
n=0
# run NAME EXPECTED_EXIT CMD...: stdout and stderr in $OUT and $ERR (kept
# in $LOGS for the final look for the secret).
run() {
    name=$1 want=$2
    shift 2
    n=$((n + 1))
    OUT=$LOGS/$n.out ERR=$LOGS/$n.err
    "$@" >"$OUT" 2>"$ERR" </dev/null
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        ko "$name: exit $got, expected $want"; sed 's/^/    /' "$ERR"; fi
}

[ -d "$S3_DIR/node_modules/s3rver" ] ||
    { echo "s3: tests/servers/s3/node_modules is missing: run 'make deps'"; exit 1; }

# The test's own key pair: the secret is looked for in every output.
BUCKET=models
KEY_ID=AKIDINCOMESCORETEST
SECRET=s3-test-secret-$$-Zq8w
export S3_REFUSE_LIVE="$WORK/refuse-live" S3_REQUEST_LOG="$WORK/s3-requests.log"
export S3_HOLD_MANIFEST="$WORK/hold-manifest"
node "$S3_DIR/start.js" "$WORK/s3data" "$BUCKET" "$KEY_ID" "$SECRET" \
    > "$WORK/s3.out" 2> "$WORK/s3.err" &
S3_PID=$!
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's/^port //p' "$WORK/s3.out")
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "s3: s3rver did not start: $(cat "$WORK/s3.err")"; exit 1; }
export INCOMESCORE_S3_ENDPOINT="http://127.0.0.1:$PORT"
export AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET"
unset AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION
URL_BASE="s3://$BUCKET/team/registry"
OBJ="http://127.0.0.1:$PORT/$BUCKET/team/registry"

# The bucket written by hand (another promoter, or an attacker), with the
# curl tool's own SigV4 signing.
s3_put() { # s3_put OBJECT_PATH FILE
    curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" -u "$KEY_ID:$SECRET" \
        -H "x-amz-content-sha256: $(sha256sum "$2" | cut -c1-64)" \
        -T "$2" "$OBJ/$1" > /dev/null
}
s3_delete() { # s3_delete OBJECT_PATH
    curl -sf -X DELETE --aws-sigv4 "aws:amz:us-east-1:s3" -u "$KEY_ID:$SECRET" \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
        "$OBJ/$1" > /dev/null
}

# Three small models: enough to score, quick to train.
"$BIN" demo-data --count 1000 --seed 5 --as-of 2024-06-30 \
    --out "$WORK/docs.jsonl" 2>/dev/null &&
    "$BIN" etl --source "$WORK/docs.jsonl" --out "$WORK/dataset.csv" \
        --as-of 2024-06-30 2>/dev/null &&
    printf '{"rounds": 10, "max_depth": 3, "eta": 0.3}\n' > "$WORK/params.json" ||
    { echo "s3: cannot make a dataset"; exit 1; }
REG=$WORK/reg
for seed in 1 2 3 4 5 6; do
    "$BIN" train --data "$WORK/dataset.csv" --registry "$REG" --seed $seed \
        --params "$WORK/params.json" > /dev/null 2>&1 ||
        { echo "s3: cannot train"; exit 1; }
done

# --- signatures and credentials -----------------------------------------
run "wrong secret" 1 env AWS_SECRET_ACCESS_KEY=not-$SECRET \
    "$BIN" models push v0001 "$URL_BASE" --registry "$REG"
same "wrong secret: the object and S3's code" "$ERR" \
    "incomescore models push: s3://$BUCKET/team/registry/versions/v0001/bundle.json.sha256: GET answered 403 SignatureDoesNotMatch (The request signature we calculated does not match the signature you provided.)"
run "no secret" 1 env -u AWS_SECRET_ACCESS_KEY \
    "$BIN" models pull live "$URL_BASE" --registry "$WORK/none"
same "no secret: says which variable" "$ERR" \
    "incomescore models pull: no S3 credentials: AWS_SECRET_ACCESS_KEY is not set"
run "no such bucket" 1 "$BIN" models pull live "s3://nobucket/x" --registry "$WORK/none"
same "no such bucket: S3's code" "$ERR" \
    "incomescore models pull: s3://nobucket/x/LIVE: GET answered 404 NoSuchBucket (The specified bucket does not exist)"
[ ! -e "$WORK/none" ] && ok || ko "a failed pull left a registry behind"
run "pull of a version the bucket does not have" 1 \
    "$BIN" models pull v0042 "s3://$BUCKET/team/registry" --registry "$WORK/none"
same "no such version: says so" "$ERR" \
    "incomescore models pull: version v0042 is not in s3://$BUCKET/team/registry: s3://$BUCKET/team/registry/versions/v0042/bundle.json is missing (never pushed, or a push that did not finish)"
[ ! -e "$WORK/none" ] && ok || ko "a failed pull left a registry behind"
run "not an s3 address" 2 "$BIN" models push v0001 "s3://Abc/x" --registry "$REG"
has "not an s3 address: says why" "$ERR" "a bucket name has lower-case letters"

# each command that reaches a bucket names its variables in --help
for cmd in models serve pipeline; do
    for var in INCOMESCORE_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
            AWS_SESSION_TOKEN AWS_REGION; do
        "$BIN" $cmd --help | sed -n '/^environment:$/,$p' > "$WORK/env"
        has "$cmd --help names $var" "$WORK/env" "  $var "
    done
done

# --- push, pull ---------------------------------------------------------
run "push live" 0 "$BIN" models push v0001 "$URL_BASE" --registry "$REG"
same "push live: says so" "$OUT" "v0001 pushed to $URL_BASE (live)"
run "pull live into an empty registry" 0 \
    "$BIN" models pull live "$URL_BASE" --registry "$WORK/copy"
same "pull live: says so" "$OUT" "v0001 pulled from $URL_BASE into $WORK/copy (live)"
# temporary credentials: the token is signed with the rest (the front
# checks every signed header)
run "pull with a session token" 0 env AWS_SESSION_TOKEN=token-$SECRET \
    "$BIN" models pull live "$URL_BASE" --registry "$WORK/tokened"
if diff -r "$REG/versions/v0001" "$WORK/copy/versions/v0001" > "$WORK/diff" 2>&1
then ok; else ko "pulled files differ"; sed 's/^/    /' "$WORK/diff"; fi
same "pulled version is live there" "$WORK/copy/LIVE" "v0001"
run "pull again" 0 "$BIN" models pull v0001 "$URL_BASE" --registry "$WORK/copy"
same "pull again: nothing to do" "$OUT" "v0001 was already there, from $URL_BASE into $WORK/copy"

# another registry's v0001 under the same prefix: refused, nothing written
"$BIN" train --data "$WORK/dataset.csv" --registry "$WORK/other" --seed 9 \
    --params "$WORK/params.json" > /dev/null 2>&1 || ko "cannot train another"
run "push of another registry's v0001" 1 \
    "$BIN" models push v0001 "$URL_BASE" --registry "$WORK/other"
same "another v0001: refused, saying why" "$ERR" \
    "incomescore models push: s3://$BUCKET/team/registry/versions/v0001/bundle.json.sha256 holds another v0001 than $WORK/other/versions/v0001 (their seals differ): version ids belong to one registry; give each registry its own prefix"
run "pull after the refused push" 0 \
    "$BIN" models pull live "$URL_BASE" --registry "$WORK/copy2"
if diff -r "$REG/versions/v0001" "$WORK/copy2/versions/v0001" > "$WORK/diff" 2>&1
then ok; else ko "the refused push changed v0001 in the bucket"; fi

# --- a push cut before LIVE --------------------------------------------
: > "$S3_REFUSE_LIVE"
run "push cut before LIVE" 1 "$BIN" models push v0002 "$URL_BASE" --registry "$REG" --live
same "push cut: says the version is there but not live" "$ERR" \
    "incomescore models push: v0002 was uploaded but not made live: s3://$BUCKET/team/registry/LIVE: PUT answered 500 InternalError (injected by the test)"
rm -f "$S3_REFUSE_LIVE"
curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" -u "$KEY_ID:$SECRET" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "$OBJ/LIVE" > "$WORK/live.txt"
same "push cut: the bucket's LIVE is the old version" "$WORK/live.txt" "v0001"

# --- tampered and missing objects ----------------------------------------
run "push v0003 (not live)" 0 "$BIN" models push v0003 "$URL_BASE" --registry "$REG"
sed 's/"bands"/"bands" /' "$REG/versions/v0003/rules.json" > "$WORK/tampered.json"
s3_put versions/v0003/rules.json "$WORK/tampered.json" && ok || ko "tampering failed"
run "pull of a tampered version" 1 "$BIN" models pull v0003 "$URL_BASE" --registry "$WORK/copy"
has "tampered: names the file" "$ERR" \
    "incomescore models pull: version v0003 from s3://$BUCKET/team/registry/versions/v0003/ is refused: bundle.json: rules.json has changed since training (SHA-256"
[ ! -e "$WORK/copy/versions/v0003" ] && ok || ko "a refused version appeared"
[ -z "$(ls "$WORK/copy/staging")" ] && ok || ko "a refused pull left $(ls "$WORK/copy/staging")"
run "push v0004 (not live)" 0 "$BIN" models push v0004 "$URL_BASE" --registry "$REG"
s3_delete versions/v0004/refdata/itaee.csv && ok || ko "delete failed"
run "pull with a file missing" 1 "$BIN" models pull v0004 "$URL_BASE" --registry "$WORK/copy"
same "missing: names the file" "$ERR" \
    "incomescore models pull: version v0004 is refused: s3://$BUCKET/team/registry/versions/v0004/refdata/itaee.csv is missing"

# a version in the bucket without its seal: refused, naming the seal
run "push v0006 (not live)" 0 "$BIN" models push v0006 "$URL_BASE" --registry "$REG"
s3_delete versions/v0006/bundle.json.sha256 && ok || ko "delete failed"
run "pull of a version without its seal" 1 \
    "$BIN" models pull v0006 "$URL_BASE" --registry "$WORK/copy"
same "no seal: names it" "$ERR" \
    "incomescore models pull: version v0006 is refused: s3://$BUCKET/team/registry/versions/v0006/bundle.json.sha256 is missing (a version in a bucket must be sealed)"
[ ! -e "$WORK/copy/versions/v0006" ] && ok || ko "a version without its seal appeared"
# and a version without a seal is not pushed
cp -r "$REG/versions/v0006" "$WORK/unsealed"
rm "$REG/versions/v0006/bundle.json.sha256"
run "push of a version without its seal" 1 \
    "$BIN" models push v0006 "$URL_BASE" --registry "$REG"
same "push without a seal: refused, naming it" "$ERR" \
    "incomescore models push: v0006 is not pushed: $REG/versions/v0006/bundle.json.sha256 is missing (a version made before seals; a bucket holds only sealed versions)"
cp "$WORK/unsealed/bundle.json.sha256" "$REG/versions/v0006/"

# a damaged copy in a registry of one's own is not replaced from the
# bucket: its seal differs, and that stays "another version"
truncate -s 10 "$WORK/copy2/versions/v0001/bundle.json.sha256"
run "pull over a damaged copy in one's registry" 1 \
    "$BIN" models pull v0001 "$URL_BASE" --registry "$WORK/copy2"
same "damaged own copy: still refused" "$ERR" \
    "incomescore models pull: s3://$BUCKET/team/registry/versions/v0001/bundle.json.sha256 holds another v0001 than $WORK/copy2/versions/v0001 (their seals differ): version ids belong to one registry; give each registry its own prefix"

# --- a push killed in the middle ------------------------------------------
# the stand-in holds the PUT of bundle.json (the files before it are in);
# the push is killed with SIGKILL there
: > "$S3_HOLD_MANIFEST"
"$BIN" models push v0005 "$URL_BASE" --registry "$REG" --live \
    > "$LOGS/killed.out" 2> "$LOGS/killed.err" &
PUSH_PID=$!
for _ in $(seq 150); do
    [ -e "$S3_HOLD_MANIFEST.held" ] && break
    sleep 0.1
done
[ -e "$S3_HOLD_MANIFEST.held" ] && ok || ko "the push never reached bundle.json"
kill -9 "$PUSH_PID" 2>/dev/null
wait "$PUSH_PID" 2>/dev/null
"$HERE/stale_counters.sh" "$PUSH_PID"
rm -f "$S3_HOLD_MANIFEST"
curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" -u "$KEY_ID:$SECRET" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "$OBJ/LIVE" > "$WORK/live.txt"
same "push killed: the bucket's LIVE is the old version" "$WORK/live.txt" "v0001"
run "pull of a version whose push was killed" 1 \
    "$BIN" models pull v0005 "$URL_BASE" --registry "$WORK/copy"
same "push killed: pull refuses it" "$ERR" \
    "incomescore models pull: version v0005 is not in s3://$BUCKET/team/registry: s3://$BUCKET/team/registry/versions/v0005/bundle.json is missing (never pushed, or a push that did not finish)"

# --- serve --registry s3:// ----------------------------------------------
# start_serve ARGS...: `serve --port 0 ARGS`; URL "" when it did not say
# it listens within 10 s.
start_serve() {
    "$BIN" serve --port 0 --audit off "$@" > "$LOGS/serve.out" 2> "$LOGS/serve.err" &
    SERVE_PID=$!
    URL=""
    for _ in $(seq 100); do
        URL=$(sed -n 's/^incomescore serve: listening on \(http:[^ ]*\) .*/\1/p' "$LOGS/serve.err")
        [ -n "$URL" ] && break
        sleep 0.1
    done
}
stop_serve() {
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=""
}
# wait_for NAME CMD...: runs CMD every 0.2 s until it succeeds, 30 s at most.
wait_for() {
    name=$1
    shift
    for _ in $(seq 150); do
        "$@" && { ok; return 0; }
        sleep 0.2
    done
    ko "$name: not within 30 s"
    return 1
}
version_is() { curl -s "$URL/v1/model" | grep -q "^{\"version\":\"$1\""; }
failures_are() {
    curl -s "$URL/metrics" | grep -qx "incomescore_bucket_sync_failures_total $1"
}

# a bucket with nothing live: started, not ready
start_serve --registry "s3://$BUCKET/empty" --cache "$WORK/cache0" --poll 1
[ -n "$URL" ] && ok || ko "serve did not start: $(cat "$LOGS/serve.err")"
same "no LIVE in the bucket: not ready" /dev/stdin \
    "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")" <<EOF
503
EOF
stop_serve

start_serve --registry "$URL_BASE" --cache "$WORK/cache" --poll 1
[ -n "$URL" ] && ok || ko "serve did not start: $(cat "$LOGS/serve.err")"
version_is v0001 && ok || ko "serve from the bucket: not v0001"
run "promote v0002 in the bucket" 0 "$BIN" models push v0002 "$URL_BASE" --registry "$REG" --live
wait_for "the promotion reaches serve" version_is v0002
# an unchanged LIVE is one cheap answer: 304 to If-None-Match
polled_304() { grep -qx "GET /$BUCKET/team/registry/LIVE 304" "$S3_REQUEST_LOG"; }
wait_for "an unchanged LIVE is answered 304" polled_304
curl -s "$URL/v1/model" > "$WORK/model.before"
printf 'v0003\n' > "$WORK/live3"
printf 'v0002\n' > "$WORK/live2"
s3_put LIVE "$WORK/live3" && ok || ko "LIVE by hand failed"
wait_for "the tampered version is counted" failures_are 1
curl -s "$URL/v1/model" > "$WORK/model.after"
if cmp -s "$WORK/model.before" "$WORK/model.after"; then ok; else
    ko "a refused version changed /v1/model"; fi
has "refusal logged" "$LOGS/serve.err" \
    "\"event\": \"bucket_refused\", \"msg\": \"model v0003 from the bucket refused, still serving v0002: version v0003 from s3://$BUCKET/team/registry/versions/v0003/ is refused: bundle.json: rules.json has changed since training (SHA-256"
same "still ready" /dev/stdin \
    "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")" <<EOF
200
EOF
sleep 2 # two more polls: the same reason is not counted again
failures_are 1 && ok || ko "the same refusal was counted again"
[ ! -e "$WORK/cache/versions/v0003" ] && ok || ko "the cache took a refused version"
# LIVE naming the version whose push was killed: refused too
printf 'v0005\n' > "$WORK/live5"
s3_put LIVE "$WORK/live5" && ok || ko "LIVE by hand failed"
wait_for "the half-pushed version is counted" failures_are 2
has "half-pushed: logged" "$LOGS/serve.err" \
    "model v0005 from the bucket refused, still serving v0002: version v0005 is refused: s3://$BUCKET/team/registry/versions/v0005/bundle.json is missing (a push that did not finish?)"
curl -s "$URL/v1/model" > "$WORK/model.after"
if cmp -s "$WORK/model.before" "$WORK/model.after"; then ok; else
    ko "a half-pushed version changed /v1/model"; fi
stop_serve

# a cache from an earlier run serves at once, the bucket away (nothing
# listens on port 9 of the loopback)
INCOMESCORE_S3_ENDPOINT=http://127.0.0.1:9 \
    start_serve --registry "$URL_BASE" --cache "$WORK/cache" --poll 1
version_is v0002 && ok || ko "restart from the cache, bucket away: not v0002"
has "bucket away: logged" "$LOGS/serve.err" "\"event\": \"bucket_unusable\""
stop_serve

# a cache torn by a crash (files fsync'ed late or never): its LIVE names
# v0002, whose model and seal are cut short. The server pulls v0002
# again, serves it, and says so once.
s3_put LIVE "$WORK/live2" && ok || ko "LIVE by hand failed"
truncate -s 100 "$WORK/cache/versions/v0002/model.json"
truncate -s 10 "$WORK/cache/versions/v0002/bundle.json.sha256"
start_serve --registry "$URL_BASE" --cache "$WORK/cache" --poll 1
[ -n "$URL" ] && ok || ko "serve did not start: $(cat "$LOGS/serve.err")"
curl -s "$URL/v1/model" > "$WORK/model.repaired"
if cmp -s "$WORK/model.before" "$WORK/model.repaired"; then ok; else
    ko "the damaged cache: /v1/model is not v0002's"
    sed 's/^/    /' "$WORK/model.repaired"; fi
if diff -r "$REG/versions/v0002" "$WORK/cache/versions/v0002" > "$WORK/diff" 2>&1
then ok; else ko "the cache's v0002 was not pulled again"; fi
has "damaged cache: logged" "$LOGS/serve.err" \
    "\"event\": \"bucket_cache_repaired\", \"msg\": \"the cache's copy of v0002 was damaged and is pulled again from the bucket: $WORK/cache/versions/v0002/bundle.json.sha256: not a SHA-256 of bundle.json\", \"repaired\": \"v0002\""
curl -s "$URL/metrics" | grep -x "incomescore_bucket_cache_repairs_total.*" > "$WORK/repairs"
same "damaged cache: counted once" "$WORK/repairs" "incomescore_bucket_cache_repairs_total 1"
[ -z "$(ls "$WORK/cache/staging")" ] && ok || ko "the repair left $(ls "$WORK/cache/staging")"
stop_serve

# --- the pipeline pushes what it promotes --------------------------------
# json_get FILE EXPR: a value of a JSON file (python3 is a build dependency)
json_get() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
run "pipeline with --push" 0 "$BIN" pipeline --source "$WORK/docs.jsonl" \
    --as-of 2024-06-30 --registry "$WORK/preg" --params "$WORK/params.json" \
    --push "s3://$BUCKET/pipeline"
RUN_JSON=$(ls "$WORK"/preg/runs/*/run.json)
same "pipeline: push recorded in run.json" /dev/stdin \
    "$(json_get "$RUN_JSON" 'd["push"]')" <<EOF
{'url': 's3://$BUCKET/pipeline', 'version': 'v0001', 'status': 'done'}
EOF
run "pipeline: the bucket's live version pulled" 0 \
    "$BIN" models pull live "s3://$BUCKET/pipeline" --registry "$WORK/pcopy"
same "pipeline: pushed live" "$WORK/pcopy/LIVE" "v0001"
run "pipeline with a push that fails" 1 env INCOMESCORE_PIPELINE_PUSH=s3://nobucket/x \
    "$BIN" pipeline --source "$WORK/docs.jsonl" --as-of 2024-06-30 \
    --registry "$WORK/preg2" --params "$WORK/params.json"
RUN_JSON=$(ls "$WORK"/preg2/runs/*/run.json)
has "pipeline: the push stage failed, saying why" "$ERR" \
    "incomescore pipeline: stage push failed: s3://nobucket/x/versions/v0001/"
has "pipeline: how to retry" "$ERR" \
    "(v0001 is live here, not in the bucket; 'incomescore models push v0001 s3://nobucket/x --live' retries;"
same "pipeline: the failed push in run.json" /dev/stdin \
    "$(json_get "$RUN_JSON" '[d["push"]["status"], d["push"]["error"][:31], d["decision"]]' 2>&1)" <<EOF
['failed', 's3://nobucket/x/versions/v0001/', 'first']
EOF
same "pipeline: still promoted here" "$WORK/preg2/LIVE" "v0001"

# --- no output holds the secret -------------------------------------------
if grep -rlF -- "$SECRET" "$LOGS" "$WORK/copy" "$WORK/cache" > "$WORK/leaks"; then
    ko "the secret appears in: $(cat "$WORK/leaks")"; else ok; fi

echo "s3: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
