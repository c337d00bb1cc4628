#!/bin/sh
# tests/deploy.sh — what deploy/, compose.yaml and .github/workflows/
# promise, checked as far as this machine can: the systemd units pass
# `systemd-analyze verify` (the binary path pointed at the build's), the
# timer is daily and persistent, the cron line is well-formed, the YAML
# files parse and wire the services as README says, and the example
# environment file is settings `incomescore notify --check` accepts, and
# deploy/k8s/ is valid for the Kubernetes API and passes only flags the
# binary knows.
#
#   tests/deploy.sh build/incomescore
#
# Prints one line per failed check and closes with
# "deploy: N passed, M failed".
set -u
BIN=${1:?usage: tests/deploy.sh path/to/incomescore}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-deploy-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib/checks.sh"
has_line() { # has_line NAME FILE LINE: FILE holds exactly this line
    if grep -qxF -- "$3" "$2"; then ok; else ko "$1: no line '$3' in $2"; fi
}

# ---- systemd -----------------------------------------------------------
UNITS="incomescore-pipeline.service incomescore-pipeline.timer incomescore-serve.service"
for u in $UNITS; do
    sed "s|/usr/local/bin/incomescore|$BIN|" "$ROOT/deploy/$u" >"$WORK/$u"
done
if command -v systemd-analyze >/dev/null 2>&1; then
    (cd "$WORK" && systemd-analyze verify $UNITS) >"$WORK/verify.out" 2>&1
    if [ $? -eq 0 ] && [ ! -s "$WORK/verify.out" ]; then ok; else
        ko "systemd-analyze verify:"; sed 's/^/    /' "$WORK/verify.out"; fi
    # and it does catch a bad unit: an hour that does not exist
    sed 's/^OnCalendar=.*/OnCalendar=*-*-* 25:00:00/' "$WORK/incomescore-pipeline.timer" \
        >"$WORK/bad.timer"
    mv "$WORK/bad.timer" "$WORK/incomescore-pipeline.timer"
    if (cd "$WORK" && systemd-analyze verify incomescore-pipeline.timer) >/dev/null 2>&1; then
        ko "systemd-analyze verify passed a timer at 25:00"; else ok; fi
else
    echo "deploy: SKIP systemd-analyze verify: systemd-analyze is not installed"
fi
T=$ROOT/deploy/incomescore-pipeline.timer
S=$ROOT/deploy/incomescore-pipeline.service
has_line "timer daily" "$T" "OnCalendar=*-*-* 03:00:00"
has_line "timer persistent" "$T" "Persistent=true"
has_line "timer starts the pipeline" "$T" "Unit=incomescore-pipeline.service"
has_line "pipeline not root" "$S" "User=incomescore"
has_line "pipeline env file" "$S" "EnvironmentFile=/etc/incomescore/incomescore.env"
has_line "pipeline runs once" "$S" "Type=oneshot"
has_line "pipeline command" "$S" "ExecStart=/usr/local/bin/incomescore pipeline"
has_line "serve not root" "$ROOT/deploy/incomescore-serve.service" "User=incomescore"
has_line "serve reload is SIGHUP" "$ROOT/deploy/incomescore-serve.service" 'ExecReload=/bin/kill -HUP $MAINPID'

# ---- cron --------------------------------------------------------------
grep -v '^#' "$ROOT/deploy/crontab" | grep -v '^$' >"$WORK/cron"
if [ "$(wc -l <"$WORK/cron")" -eq 1 ]; then ok; else ko "crontab: not one entry"; fi
read -r min hour dom mon dow user cmd <"$WORK/cron"
[ "$min $hour $dom $mon $dow $user" = "0 3 * * * incomescore" ] && ok ||
    ko "crontab schedule/user: '$min $hour $dom $mon $dow $user'"
if sh -n -c "$cmd" 2>"$WORK/sh.err"; then ok; else ko "crontab command: $(cat "$WORK/sh.err")"; fi
case $cmd in *"/usr/local/bin/incomescore pipeline"*) ok ;;
    *) ko "crontab does not run incomescore pipeline" ;; esac

# ---- the example settings --------------------------------------------
# The lines cron would source, given to notify --check: all accepted.
if (set -a; . "$ROOT/deploy/incomescore.env.example"; "$BIN" notify --check) \
        >"$WORK/check.out" 2>&1; then ok; else
    ko "incomescore.env.example refused:"; sed 's/^/    /' "$WORK/check.out"; fi

# ---- YAML: compose and the workflows ---------------------------------
PY=/usr/bin/python3
if "$PY" -c 'import yaml' 2>/dev/null; then
    "$PY" - "$ROOT" >"$WORK/yaml.out" 2>&1 <<'PYEOF'
import sys, yaml
root = sys.argv[1]
def load(p):
    with open(root + "/" + p) as f:
        return yaml.safe_load(f)
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
c = load("compose.yaml")
s = c["services"]
want(sorted(s) == ["api", "mongodb", "pipeline"], "compose services")
want(s["api"]["ports"] == ["8000:8000"], "api on 8000")
want(s["api"]["volumes"] == ["home:/var/lib/incomescore"], "api volume")
want(s["pipeline"]["volumes"] == ["home:/var/lib/incomescore"], "pipeline shares the registry volume")
want("incomescore pipeline" in s["pipeline"]["command"][0], "pipeline command")
want(s["mongodb"]["profiles"] == ["mongodb"], "mongodb under a profile")
want("profiles" not in s["api"] and "profiles" not in s["pipeline"], "api and pipeline always on")
ci = load(".github/workflows/ci.yml")
want("push" in ci[True], "ci on push")  # YAML 1.1 reads the key on: as True
want([st.get("run") for st in ci["jobs"]["test"]["steps"]][-1] == ".ci/run", "ci runs .ci/run")
d = load(".github/workflows/daily-pipeline.yml")
want(d[True]["schedule"] == [{"cron": "0 3 * * *"}], "daily schedule")
steps = d["jobs"]["pipeline"]["steps"]
uses = [st.get("uses", "") for st in steps]
want(any(u.startswith("actions/cache/restore") for u in uses), "registry restored")
want(any(u.startswith("actions/cache/save") for u in uses), "registry saved")
want(any(st.get("with", {}).get("path") == "var/registry" for st in steps), "the registry is cached")
want(any(st.get("run") == "build/incomescore pipeline" for st in steps), "runs the pipeline")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF
    if [ $? -eq 0 ]; then ok; else ko "YAML:"; sed 's/^/    /' "$WORK/yaml.out"; fi
else
    echo "deploy: SKIP the YAML checks: $PY has no yaml module (python3-yaml)"
fi

# ---- Kubernetes: deploy/k8s/ -------------------------------------------
# Validated against the API schemas and checked for what README promises
# (tests/k8s/check.mjs; its npm packages come from `make deps`).
if node "$ROOT/tests/k8s/check.mjs" "$ROOT" "$BIN" >"$WORK/k8s.out" 2>&1; then ok; else
    ko "deploy/k8s:"; sed 's/^/    /' "$WORK/k8s.out"; fi

echo "deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
