# tests/lib/serve_load.sh — sourced (not run) by the shell tests that load
# a real `serve` with decisions and then compare what was answered with
# what the audit log holds (tests/audit_crash.sh, tests/audit_pg.sh).
#
#   . "$(dirname "$0")/lib/serve_load.sh"
#   small_model BIN DIR          a model trained into DIR/reg (quick, 1000
#                                demo documents); non-zero on failure
#   serve_url ERRFILE            waits (10 s at most) for serve's
#                                "listening on" line in ERRFILE and prints
#                                its URL; empty when it never came
#   request_body FILE            the §7 request the loads send
#   load_client K URL BODY OUT ROUNDS PER_ROUND [STOPFILE]
#                                rounds of PER_ROUND requests on four
#                                parallel keep-alive connections, request
#                                i of round j with X-Request-Id cK-j-i;
#                                one "CODE ID" line an answer appended to
#                                OUT. Ends after ROUNDS rounds, when curl
#                                fails (the server is gone) or when
#                                STOPFILE exists. OUT's .cfg sibling holds
#                                curl's round.

small_model() {
    "$1" demo-data --count 1000 --seed 5 --as-of 2024-06-30 \
        --out "$2/docs.jsonl" 2>/dev/null &&
        "$1" etl --source "$2/docs.jsonl" --out "$2/dataset.csv" \
            --as-of 2024-06-30 2>/dev/null &&
        printf '{"rounds": 10, "max_depth": 3, "eta": 0.3}\n' > "$2/params.json" &&
        "$1" train --data "$2/dataset.csv" --registry "$2/reg" \
            --params "$2/params.json" > /dev/null 2>&1
}

serve_url() {
    for _ in $(seq 100); do
        url=$(sed -n 's/^incomescore serve: listening on \(http:[^ ]*\) .*/\1/p' "$1")
        [ -n "$url" ] && break
        sleep 0.1
    done
    printf '%s' "$url"
}

request_body() {
    printf '%s' '{"ingreso": 45000, "antiguedad_laboral_meses": 50, "tiempo_desempleado": 0, "trabajos_ultimos_5": 1, "semanasCotizadas": 1000, "edad": 32, "crecimiento_ingreso": 265.38, "lugar_actual": 18}' > "$1"
}

load_client() {
    j=0
    while [ "$j" -lt "$5" ] && { [ -z "${7:-}" ] || [ ! -e "$7" ]; }; do
        awk -v url="$2/v1/prediction" -v body="$3" -v id="c$1-$j" \
            -v n="$6" 'BEGIN {
            for (i = 0; i < n; i++) {
                if (i) print "next"
                printf "url = \"%s\"\n", url
                print "header = \"Content-Type: application/json\""
                printf "header = \"X-Request-Id: %s-%d\"\n", id, i
                printf "data-binary = \"@%s\"\n", body
                print "output = \"/dev/null\""
                print "write-out = \"%{http_code} %header{x-request-id}\\n\""
            }
        }' > "$4.cfg"
        curl -s --parallel --parallel-max 4 --max-time 20 -K "$4.cfg" \
            >> "$4" 2>/dev/null || break
        j=$((j + 1))
    done
}
