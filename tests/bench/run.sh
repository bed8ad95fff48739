#!/usr/bin/env bash
# run.sh — owned by tests/bench: the `make bench` driver.
#
# Starts build/gongdan on a fresh temp database and, per row of ROWS below,
# a "floor" that answers the same request as cheaply as possible (for HTTP
# rows: build/floor_http, a bare libmicrohttpd server with gongdan's
# threading that replies with fixed bytes).  Each side is driven by wrk at
# 1, 16 and 128 connections (loopback only) and one table is printed:
#
#   target        row name            conns        wrk connections
#   req/s p50_ms p99_ms               gongdan throughput / latency
#   floor_req/s floor_p50_ms floor_p99_ms   the same for the floor
#   ratio         gongdan req/s as a % of the floor's (100% = free)
#   errors        gongdan connect+read+write+timeout errors and non-2xx/3xx
#                 answers; anything non-zero means the row is not valid
#
# After the table, one line from tests/bench/bulk.mjs: a bulk dispatch of
# 200 tickets (POST /api/v1/tickets/actions/dispatch), its time and the
# commits it took (must be 1; BENCH_BULK_TICKETS, BENCH_BULK_ROUNDS).
#
# Environment: BENCH_THREADS (server threads, default 2), BENCH_SECONDS
# (per wrk run, default 4), BENCH_CONNS (default "1 16 128"), BUILD (build
# dir, default build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/bench
BIN=${BUILD:-build}
[[ $BIN == /* ]] || BIN=$ROOT/$BIN
THREADS=${BENCH_THREADS:-2}
DURATION=${BENCH_SECONDS:-4}
CONNS=${BENCH_CONNS:-1 16 128}

die() { echo "run.sh: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk not found; install it with: apt-get install wrk"
for b in gongdan floor_http; do
    [[ -x $BIN/$b ]] || die "$BIN/$b missing; build it with: make bench"
done
[[ $THREADS =~ ^[1-9][0-9]*$ && $DURATION =~ ^[1-9][0-9]*$ ]] ||
    die "BENCH_THREADS and BENCH_SECONDS must be positive integers"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gongdan-bench.XXXXXX")
PIDS=()
stop() { # pid: SIGTERM, wait up to 5 s, then SIGKILL
    kill "$1" 2>/dev/null || return 0
    for _ in {1..50}; do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
    local p
    for p in "${PIDS[@]}"; do stop "$p"; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '{"status":"ok"}' >"$TMP/healthz.json"

# One row per benchmarked request:
#   name|method|path|body-file|floor-kind[|request-body-file|request-header]
# body-file   bytes the floor answers (and gongdan should answer too)
# floor-kind  http:CONTENT-TYPE  build/floor_http serving body-file
#             cmd:COMMAND        run (bash -c, cwd = repo root) once per
#                                conns level with BENCH_CONCURRENCY,
#                                BENCH_SECONDS, BENCH_TMP set; its last
#                                stdout line must be "ops/s p50_ms p99_ms"
#             none               no floor
# request-body-file / request-header (optional) switch wrk to post.lua;
# ${VAR} in the header is replaced by the environment variable VAR, e.g.
#   "create|POST|/api/tickets|$TMP/ticket.json|http:application/json|$TMP/new.json|Authorization: Bearer \${BENCH_TOKEN}"

start_server() { # log cmd...: run cmd in background, set PORT from its output
    local log=$1 pid
    shift
    "$@" >"$log" 2>"$log.err" &
    pid=$!
    PIDS+=("$pid")
    SERVER_PID=$pid
    for _ in {1..100}; do
        PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$log" | head -n 1)
        [[ -n $PORT ]] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log" "$log.err" >&2
    die "'$*' did not print 'listening on http://127.0.0.1:PORT'"
}

expand_env() { # replace ${VAR} by $VAR
    local s=$1 out="" re='\$\{([A-Za-z_][A-Za-z0-9_]*)\}' n
    while [[ $s =~ $re ]]; do
        out+=${s%%"${BASH_REMATCH[0]}"*}
        n=${BASH_REMATCH[1]}
        out+=${!n-}
        s=${s#*"${BASH_REMATCH[0]}"}
    done
    printf '%s' "$out$s"
}

# run_wrk port method path req-body req-header conns
#   prints "rps p50_ms p99_ms errors detail" (detail: c/r/w/s/t counts)
run_wrk() {
    local port=$1 method=$2 path=$3 body=$4 header=$5 conns=$6 out line
    local script=$HERE/report.lua
    [[ $method != GET || -n $body || -n $header ]] && script=$HERE/post.lua
    if ! out=$(BENCH_METHOD=$method BENCH_BODY_FILE=$body BENCH_HEADER=$header \
        wrk -t "$((conns < 2 ? conns : 2))" -c "$conns" -d "${DURATION}s" \
            -s "$script" "http://127.0.0.1:$port$path" 2>&1) ||
        ! line=$(grep -m 1 '^BENCH ' <<<"$out"); then
        echo "wrk failed against 127.0.0.1:$port$path:" >&2
        echo "$out" >&2
        echo "- - - wrk-failed -"
        return
    fi
    awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           e = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
           printf "%s %s %s %d connect=%d,read=%d,write=%d,status=%d,timeout=%d\n",
               v["rps"], v["p50_ms"], v["p99_ms"], e,
               v["connect"], v["read"], v["write"], v["status"], v["timeout"] }' <<<"$line"
}

# run_cmd_floor command conns: prints "ops/s p50_ms p99_ms" or "- - -"
run_cmd_floor() {
    local out
    out=$(cd "$ROOT" && BENCH_CONCURRENCY=$2 BENCH_SECONDS=$DURATION BENCH_TMP=$TMP \
        bash -c "$1" | awk '$1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ && $3 ~ /^[0-9.]+$/ {
            l = $1 " " $2 " " $3 } END { print l }') || true
    if [[ -n $out ]]; then echo "$out"; else
        echo "floor '$1' printed no 'ops/s p50 p99' line" >&2
        echo "- - -"
    fi
}

# sanity check: one request with curl; warn if not 2xx or bytes differ
check_row() { # port method path body-file req-body req-header
    command -v curl >/dev/null || return 0
    local code args=(-s -o "$TMP/resp" -w '%{http_code}' -X "$2")
    # the body as wrk's post.lua sends it: {{seq}} becomes a number
    [[ -n $5 ]] && sed 's/{{seq}}/0000001/g' "$5" >"$TMP/check-body" &&
        args+=(--data-binary "@$TMP/check-body" -H 'Content-Type: application/json')
    [[ -n $6 ]] && args+=(-H "$6")
    code=$(curl "${args[@]}" "http://127.0.0.1:$1$3") || code=000
    if [[ $code != 2* ]]; then
        NOTES+=("$name: gongdan answered HTTP $code to $2 $3")
        FAILED=1
    elif [[ $2 == GET ]] && ! cmp -s "$TMP/resp" "$4"; then
        NOTES+=("$name: gongdan's body differs from $(basename "$4") (floor bytes)")
    fi
}

"$BIN/gongdan" init --db "$TMP/bench.db" --demo >"$TMP/init.log" 2>&1 ||
    { cat "$TMP/init.log" >&2; die "gongdan init failed"; }
BENCH_TOKEN=$("$BIN/gongdan" token create --username agent1 --name bench --db "$TMP/bench.db" 2>/dev/null | tail -n 1)
export BENCH_TOKEN
start_server "$TMP/gongdan.log" "$BIN/gongdan" serve --db "$TMP/bench.db" \
    --listen 127.0.0.1:0 --www "$ROOT/www" --threads "$THREADS"
GONGDAN_PORT=$PORT GONGDAN_PID=$SERVER_PID

# the ticket rows: a create body (a VAS complaint without extra fields, the
# same row floor_sqlite inserts; {{seq}} varies the fault number as real
# customers do) and one stored ticket to read back
cat >"$TMP/new.json" <<'JSON'
{"category":"VAS.MMS.FORCED","fault_number":"1381{{seq}}","subject":"用户反映手机被强行定制彩信业务","customer_name":"一位先生","region":"KM","contact_number":"13812345678","description":"用户称未定制移动多媒体邮箱却被扣费，要求退费并取消。"}
JSON
sed 's/{{seq}}/0000000/' "$TMP/new.json" | curl -s -o "$TMP/created.json" -H "Authorization: Bearer $BENCH_TOKEN" \
    -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$GONGDAN_PORT/api/v1/tickets"
READ_NUMBER=$(sed -n 's/.*"number":"\(TS[0-9]*\)".*/\1/p' "$TMP/created.json")
curl -s -o "$TMP/ticket.json" -H "Authorization: Bearer $BENCH_TOKEN" \
    "http://127.0.0.1:$GONGDAN_PORT/api/v1/tickets/$READ_NUMBER"

ROWS=(
    "healthz|GET|/healthz|$TMP/healthz.json|http:application/json"
    "index.html|GET|/index.html|$ROOT/www/index.html|http:text/html"
    "ticket-read|GET|/api/v1/tickets/$READ_NUMBER|$TMP/ticket.json|http:application/json||Authorization: Bearer \${BENCH_TOKEN}"
    "ticket-create|POST|/api/v1/tickets|$TMP/healthz.json|cmd:$BIN/floor_sqlite $TMP/floor.db|$TMP/new.json|Authorization: Bearer \${BENCH_TOKEN}"
)
# The create floor inserts the same row into the same tickets table (its
# indexes and full-text trigger) of a database made by gongdan init, one
# transaction each; the bare commit into an index-less table is shown too.
"$BIN/gongdan" init --db "$TMP/floor.db" --demo-users >/dev/null 2>&1 || die "gongdan init (floor) failed"
read -r bare_ops bare_p50 bare_p99 < <(BENCH_SECONDS=$DURATION BENCH_TMP=$TMP "$BIN/floor_sqlite" | tail -n 1)
NOTES_PRE="bare commit (same columns, no index, no full-text): ${bare_ops} inserts/s, p50 ${bare_p50} ms, p99 ${bare_p99} ms"

gongdan_died() { # true (and notes why) if the gongdan server is gone
    local rc=0
    kill -0 "$GONGDAN_PID" 2>/dev/null && return 1
    wait "$GONGDAN_PID" || rc=$?
    NOTES+=("gongdan exited during the run (status $rc); last stderr lines:")
    mapfile -t -O "${#NOTES[@]}" NOTES < <(tail -n 5 "$TMP/gongdan.log.err")
    FAILED=1
}

NOTES=()   # printed under the table
FAILED=0   # set when gongdan had errors: make bench then fails
table_row() { printf '%-12s %5s %10s %8s %8s %11s %12s %12s %6s %6s\n' "$@"; }
echo "gongdan bench: threads=$THREADS seconds=$DURATION cores=$(nproc) $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
table_row target conns req/s p50_ms p99_ms floor_req/s floor_p50_ms floor_p99_ms ratio errors

for row in "${ROWS[@]}"; do
    IFS='|' read -r name method path body_file floor req_body req_header <<<"$row"
    req_header=$(expand_env "${req_header:-}")
    req_body=${req_body:-}
    if [[ ! -f $body_file || ( -n $req_body && ! -f $req_body ) ]]; then
        NOTES+=("$name: skipped, missing $body_file ${req_body}")
        continue
    fi
    check_row "$GONGDAN_PORT" "$method" "$path" "$body_file" "$req_body" "$req_header"
    floor_pid=""
    if [[ $floor == http:* ]]; then
        start_server "$TMP/floor.log" "$BIN/floor_http" --port 0 --threads "$THREADS" \
            --body-file "$body_file" --content-type "${floor#http:}"
        floor_pid=$SERVER_PID floor_port=$PORT
    fi
    for c in $CONNS; do
        read -r rps p50 p99 errs detail < <(run_wrk "$GONGDAN_PORT" "$method" "$path" \
            "$req_body" "$req_header" "$c")
        case $floor in
            http:*) read -r frps fp50 fp99 ferrs fdetail < <(run_wrk "$floor_port" "$method" \
                        "$path" "$req_body" "$req_header" "$c")
                    [[ $ferrs == 0 ]] || NOTES+=("$name@$c: FLOOR errors $ferrs ($fdetail)") ;;
            cmd:*)  read -r frps fp50 fp99 < <(run_cmd_floor "${floor#cmd:}" "$c") ;;
            *)      frps=- fp50=- fp99=- ;;
        esac
        ratio=$(awk -v r="$rps" -v f="$frps" -v e="$errs" 'BEGIN {
            if (e != 0) print "ERR"
            else if (r ~ /^[0-9.]+$/ && f ~ /^[0-9.]+$/ && f > 0)
                printf(100 * r / f < 10 ? "%.1f%%" : "%.0f%%", 100 * r / f)
            else print "-" }')
        [[ $errs == 0 ]] || { NOTES+=("$name@$c: gongdan errors $errs ($detail)"); FAILED=1; }
        table_row "$name" "$c" "$rps" "$p50" "$p99" "$frps" "$fp50" "$fp99" "$ratio" "$errs"
        if gongdan_died; then break 2; fi
    done
    if [[ -n $floor_pid ]]; then
        stop "$floor_pid"
        PIDS=("${PIDS[0]}") # only gongdan left
    fi
done

# bulk dispatch of 200 tickets (tests/bench/bulk.mjs): the time of the one
# request and the commits it took, on the database the rows above filled
if kill -0 "$GONGDAN_PID" 2>/dev/null; then
    DISPATCH_TOKEN=$("$BIN/gongdan" token create --username dispatcher1 --name bench-bulk --db "$TMP/bench.db" \
        2>/dev/null | tail -n 1)
    echo "bulk: tickets p50_ms max_ms commits(per round) done"
    if ! node "$HERE/bulk.mjs" "http://127.0.0.1:$GONGDAN_PORT" "$BENCH_TOKEN" "$DISPATCH_TOKEN"; then
        NOTES+=("bulk-dispatch: not every round was all done in exactly one commit")
        FAILED=1
    fi
fi

echo "note: ${NOTES_PRE:-}"
for n in "${NOTES[@]}"; do echo "note: $n"; done
exit "$FAILED"
