#!/usr/bin/env bash
# scale.sh — owned by tests/bench: the `make bench-scale` driver.
#
# Generates (or reuses) a database of SCALE tickets with `gongdan generate`
# (a year of a big centre), serves a copy of it and measures with wrk every
# request class the UI and scripts make often: lists and searches of every
# kind and role, a deep page, the customer history, queues, reference data,
# one ticket and its flow, and ticket creation at that size. Prints p50/p99
# and req/s per row, whether the answer was partial, then the database and
# WAL sizes (the largest WAL seen during the run) and the server's RSS.
#
# Environment: SCALE (tickets, default 1000000), SCALE_DAYS (365),
# SCALE_SEED (1), SCALE_DIR (where generated databases are kept, default
# build/scale), BENCH_SECONDS (per row, default 5), BENCH_CONNS (wrk
# connections, default 4), BENCH_THREADS (server threads, default 2).
# A database is reused when SCALE, days, seed, the generator and the schema
# are the same as when it was made. SCALE_DB=FILE measures that database
# instead (one `gongdan generate` made earlier: the server migrates it);
# SCALE_COPY=0 runs on the database itself rather than on a copy, for sizes
# the disk cannot hold twice (10 M tickets are about 30 GB) - the run adds
# tickets to it. Last, the browser rows of tests/bench/browser.mjs on the
# same database (SCALE_PAGES, default ticket,list-50,queue,reports;
# SCALE_PAGES= skips them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/bench
BIN=${BUILD:-build}
[[ $BIN == /* ]] || BIN=$ROOT/$BIN
SCALE=${SCALE:-1000000}
DAYS=${SCALE_DAYS:-365}
SEED=${SCALE_SEED:-1}
DIR=${SCALE_DIR:-$ROOT/build/scale}
DURATION=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-4}
THREADS=${BENCH_THREADS:-2}

die() { echo "scale.sh: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk not found; install it with: apt-get install wrk"
[[ -x $BIN/gongdan ]] || die "$BIN/gongdan missing; run make first"
[[ $SCALE =~ ^[1-9][0-9]*$ ]] || die "SCALE must be a positive integer"
mkdir -p "$DIR"

# --- the database -----------------------------------------------------------
key=$(cat "$ROOT/src/cli/generate.c" "$ROOT"/sql/*.sql | sha256sum | cut -c1-16)
GEN=${SCALE_DB:-$DIR/scale-$SCALE-$DAYS-$SEED-$key.db}
GEN_NOTE="reused $GEN"
[[ -z ${SCALE_DB:-} || -f $GEN ]] || die "SCALE_DB: no such file $GEN"
if [[ ! -f $GEN ]]; then
    rm -f "$DIR"/scale-"$SCALE"-"$DAYS"-"$SEED"-*.db* # older generators' databases
    start=$(date +%s.%N)
    "$BIN/gongdan" init --db "$GEN.tmp" --demo-users >/dev/null
    "$BIN/gongdan" generate --db "$GEN.tmp" --tickets "$SCALE" --days "$DAYS" --seed "$SEED" >/dev/null
    mv "$GEN.tmp" "$GEN"
    GEN_NOTE=$(awk -v s="$start" -v e="$(date +%s.%N)" -v n="$SCALE" \
        'BEGIN { printf "generated %d tickets in %.1f s (%.0f tickets/s)", n, e - s, n / (e - s) }')
fi

TMP=$(mktemp -d "${TMPDIR:-/var/tmp}/gongdan-scale.XXXXXX")
SERVER_PID=""
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [[ -n ${WATCH_PID:-} ]] && kill "$WATCH_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the run writes (creates, the SLA sweep): it works on a copy
DB=$GEN
if [[ ${SCALE_COPY:-1} != 0 ]]; then
    cp --reflink=auto "$GEN" "$TMP/scale.db"
    DB=$TMP/scale.db
fi
token() { "$BIN/gongdan" token create --username "$1" --name scale --db "$DB" 2>/dev/null | tail -n 1; }
q() { sqlite3 -readonly "$DB" "$1"; }
DISPATCHER=$(token dispatcher1)
AGENT=$(token "$(q "SELECT u.username FROM users u WHERE u.role = 'agent' ORDER BY (SELECT count(*) FROM tickets t WHERE t.created_by = u.id) DESC LIMIT 1")")
HANDLER=$(token handler_net1)
FREQUENT=$(q "SELECT fault_number FROM tickets GROUP BY fault_number ORDER BY count(*) DESC LIMIT 1")
DEEP=$(q "SELECT id FROM tickets ORDER BY id DESC LIMIT 1 OFFSET 5000")
READ=$(q "SELECT number FROM tickets WHERE state = 'closed' ORDER BY id DESC LIMIT 1 OFFSET 1000")
# reports over the year the data covers (local days, like the server)
TO=$(q "SELECT date(max(created_at), 'unixepoch', 'localtime') FROM tickets")
FROM=$(q "SELECT date('$TO', '-364 days')")
MONTH=$(q "SELECT strftime('%Y-%m', '$TO', 'start of month', '-1 month')")
Y="from=$FROM&to=$TO"

"$BIN/gongdan" serve --db "$DB" --listen 127.0.0.1:0 --www "$ROOT/www" --threads "$THREADS" --quiet \
    >"$TMP/serve.log" 2>"$TMP/serve.err" &
SERVER_PID=$!
for _ in {1..300}; do
    PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$TMP/serve.log")
    [[ -n $PORT ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/serve.err" >&2; die "the server did not start"; }
    sleep 0.1
done
[[ -n $PORT ]] || die "the server did not print its port"

# the largest WAL seen while the rows run
watch_wal() {
    local max=0 size
    while [[ -d $TMP ]]; do
        size=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
        if ((size > max)); then max=$size; echo "$max" >"$TMP/wal.max" 2>/dev/null || return 0; fi
        sleep 0.05
    done
}
watch_wal &
WATCH_PID=$!

cat >"$TMP/new.json" <<'JSON'
{"category":"BILL.SUSPEND","fault_number":"1391{{seq}}","subject":"余额充足仍被停机","customer_name":"一位先生","region":"KM","description":"用户称昨日充值一百元后仍然停机，无法拨打电话，要求立即复机。","submit":true}
JSON

S=$(printf '%s' '停机' | od -An -tx1 | tr ' ' '%' | tr -d '\n' | tr 'a-f' 'A-F')
X=$(printf '%s' '信号' | od -An -tx1 | tr ' ' '%' | tr -d '\n' | tr 'a-f' 'A-F')
ROWS=(
    "list: no filter|$DISPATCHER|/api/v1/tickets"
    "list: state=pending_dispatch|$DISPATCHER|/api/v1/tickets?state=pending_dispatch"
    "list: q=停机 (common word)|$DISPATCHER|/api/v1/tickets?q=$S"
    "list: q=停机&state=closed|$DISPATCHER|/api/v1/tickets?q=$S&state=closed"
    "list: q=停机 信号 (rare pair)|$DISPATCHER|/api/v1/tickets?q=$S%20$X"
    "list: category=VAS (subtree)|$DISPATCHER|/api/v1/tickets?category=VAS"
    "list: category=VAS.MMS.FORCED|$DISPATCHER|/api/v1/tickets?category=VAS.MMS.FORCED"
    "list: region=KM&state=closed|$DISPATCHER|/api/v1/tickets?region=KM&state=closed"
    "list: rare combination|$DISPATCHER|/api/v1/tickets?region=DQ&category=DATA&state=dispatched&overdue=false"
    "list: overdue=true|$DISPATCHER|/api/v1/tickets?overdue=true"
    "list: 100th page (cursor)|$DISPATCHER|/api/v1/tickets?cursor=$DEEP"
    "list: sort=deadline (the queue)|$DISPATCHER|/api/v1/tickets?sort=deadline"
    "list: sort=deadline, dispatched NET|$DISPATCHER|/api/v1/tickets?sort=deadline&state=dispatched&department=NET"
    "list: sort=priority|$DISPATCHER|/api/v1/tickets?sort=priority"
    "list: sort=priority, closed KM|$DISPATCHER|/api/v1/tickets?sort=priority&state=closed&region=KM"
    "list: agent's own|$AGENT|/api/v1/tickets"
    "list: agent q=停机|$AGENT|/api/v1/tickets?q=$S"
    "list: handler's department|$HANDLER|/api/v1/tickets"
    "list: handler to accept|$HANDLER|/api/v1/tickets?state=dispatched&department=NET"
    "history of a caller (历史故障)|$AGENT|/api/v1/tickets?fault_number=$FREQUENT"
    "queues|$DISPATCHER|/api/v1/queues"
    "phrases|$AGENT|/api/v1/phrases?category=NET.SIGNAL&state=draft"
    "categories|$AGENT|/api/v1/categories"
    "ticket read|$DISPATCHER|/api/v1/tickets/$READ"
    "ticket history|$DISPATCHER|/api/v1/tickets/$READ/history"
    "report: by category, a year|$DISPATCHER|/api/v1/reports/complaints?$Y"
    "report: category, 同比|$DISPATCHER|/api/v1/reports/complaints?$Y&compare=last_year"
    "report: by region, 环比|$DISPATCHER|/api/v1/reports/complaints?$Y&group_by=region&compare=previous"
    "report: by department|$DISPATCHER|/api/v1/reports/complaints?$Y&group_by=department"
    "report: by day, a year|$DISPATCHER|/api/v1/reports/complaints?$Y&group_by=day"
    "report: by week, VAS|$DISPATCHER|/api/v1/reports/complaints?$Y&group_by=week&category=VAS"
    "report: region, state=closed|$DISPATCHER|/api/v1/reports/complaints?$Y&group_by=region&state=closed"
    "report: handler, by region|$HANDLER|/api/v1/reports/complaints?$Y&group_by=region"
    "report: agent's own, by month|$AGENT|/api/v1/reports/complaints?$Y&group_by=month"
    "report: kpis, a year|$DISPATCHER|/api/v1/reports/kpis?$Y"
    "report: kpis, handler, 环比|$HANDLER|/api/v1/reports/kpis?$Y&compare=previous"
    "report: kpis, agent|$AGENT|/api/v1/reports/kpis?$Y"
    "report: monthly|$DISPATCHER|/api/v1/reports/monthly?month=$MONTH"
    "report: monthly, csv|$DISPATCHER|/api/v1/reports/monthly?month=$MONTH&format=csv"
    "healthz||/healthz"
)

row() { printf '%-34s %9s %8s %8s %8s %s\n' "$@"; }
echo "gongdan bench-scale: $SCALE tickets over $DAYS days (seed $SEED), threads=$THREADS conns=$CONNS seconds=$DURATION cores=$(nproc)"
row target req/s p50_ms p99_ms errors partial
run() { # name method path header [body]
    local out line
    out=$(BENCH_METHOD=$2 BENCH_HEADER=$4 BENCH_BODY_FILE=${5:-} wrk -t 2 -c "$CONNS" -d "${DURATION}s" \
        -s "$HERE/post.lua" "http://127.0.0.1:$PORT$3" 2>&1) || true
    line=$(grep -m 1 '^BENCH ' <<<"$out") || { echo "$out" >&2; row "$1" - - - wrk-failed -; return; }
    awk -v name="$1" -v partial="$6" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        e = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
        printf "%-34s %9.0f %8.2f %8.2f %8d %s\n", name, v["rps"], v["p50_ms"], v["p99_ms"], e, partial }' <<<"$line"
}
for r in "${ROWS[@]}"; do
    IFS='|' read -r name tok path <<<"$r"
    header=""
    [[ -n $tok ]] && header="Authorization: Bearer $tok"
    partial=$(curl -s ${tok:+-H "$header"} "http://127.0.0.1:$PORT$path" |
        sed -n 's/.*"partial":\(true\|false\).*/\1/p')
    run "$name" GET "$path" "$header" "" "${partial:--}"
done
run "ticket create (submit)" POST /api/v1/tickets "Authorization: Bearer $(token agent1)" "$TMP/new.json" -

rss=$(awk '/^VmHWM|^VmRSS/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$SERVER_PID/status")
kill "$WATCH_PID" 2>/dev/null || true
WATCH_PID=""
wal=$(cat "$TMP/wal.max" 2>/dev/null || echo 0)
echo "note: $GEN_NOTE"
echo "note: database $(du -m "$DB" | cut -f1) MiB; largest WAL during the run $((wal / 1048576)) MiB; WAL now $(( $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) / 1048576 )) MiB"
echo "note: server $rss"

# the browser rows at this size: the pages a centre opens all day
if [[ -n ${SCALE_PAGES-ticket,list-50,queue,reports} ]]; then
    kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    BENCH_DB=$DB BENCH_PAGES=${SCALE_PAGES-ticket,list-50,queue,reports} BENCH_THREADS=$THREADS BUILD=$BIN \
        node "$HERE/browser.mjs"
fi
