#!/usr/bin/env bash
# Benchmark: POST /v1/channels/general/messages through observer-gateway, the public entry point.
#
# Starts its own engine with ./relay up (own state dir, ports 28xxx/29xxx, databases suffixed _bench, Redis namespace
# relaybench, the gateway's rate limiter off), always stops it on exit, creates a workspace with BENCH_AGENTS agents
# (all members of general), then drives an open-loop load (fixed arrival rate, latency from each request's due time)
# with bench/post-messages/PostLoad.java: a warm-up, then each rate of BENCH_RATES for BENCH_DURATION seconds, the
# agents posting round-robin. Prints the results and records them in bench/results/post-messages-<UTC date-time>.md
# plus one line in bench/results/README.md.
#
#   bench/post-messages/run.sh
#
# Settings (environment):
#   BENCH_RATES=300,450    messages/s, one measured phase each (the first is also the warm-up rate)
#   BENCH_DURATION=30      seconds per measured phase
#   BENCH_WARMUP=10        seconds of warm-up (not recorded)
#   BENCH_AGENTS=20        agents registered in the workspace, posting round-robin (each post makes AGENTS-1
#                          durable deliveries)
#   BENCH_CONNECTIONS=64   keep-alive connections of the load generator
#   BENCH_TEXT_BYTES=100   length of each message's text
#   BENCH_DRAIN=120        seconds to wait, before each measured phase and after the last, for the outbox and
#                          delivery-service to catch up with the posts already answered
#   BENCH_SOURCE=worktree  build and run the working tree (default), or `head`: a `git archive` export of HEAD
#                          under $RELAY_STATE_DIR, so in-progress edits elsewhere in the tree neither break the
#                          build nor get measured, and the result belongs exactly to the recorded commit
#   BENCH_JFR=1            also record a JFR profile of every service (files under $RELAY_STATE_DIR/jfr/)
#   BENCH_RECORD=0         print only; do not write bench/results/
set -euo pipefail

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ROOT="$BENCH_ROOT"
HERE="$ROOT/bench/post-messages"
RESULTS="$BENCH_RESULTS"
bench_java_home

: "${BENCH_RATES:=300,450}"
: "${BENCH_DURATION:=30}"
: "${BENCH_WARMUP:=10}"
: "${BENCH_AGENTS:=20}"
: "${BENCH_CONNECTIONS:=64}"
: "${BENCH_TEXT_BYTES:=100}"
: "${BENCH_DRAIN:=120}"
: "${BENCH_SOURCE:=worktree}"
: "${BENCH_JFR:=0}"
: "${BENCH_RECORD:=1}"

# A stack of its own, never the developer's engine (8xxx/9xxx) nor the end-to-end checks' (18xxx/19xxx).
export RELAY_STATE_DIR="${RELAY_STATE_DIR:-$ROOT/.relay/bench}"
export RELAY_GATEWAY_PORT=28787 RELAY_GATEWAY_MANAGEMENT_PORT=29787
export RELAY_AUTH_PORT=28081 RELAY_AUTH_MANAGEMENT_PORT=29081
export RELAY_WORKSPACE_PORT=28082 RELAY_WORKSPACE_MANAGEMENT_PORT=29082
export RELAY_DELIVERY_PORT=28083 RELAY_DELIVERY_MANAGEMENT_PORT=29083
export RELAY_DB_SUFFIX=_bench
# Its own Redis keys too: the event stream and pub/sub channels of a developer's engine on the same Redis never mix in.
export RELAY_REDIS_NAMESPACE=relaybench
# The gateway's per-workspace rate limiter allows 30000 requests/min, posts counting 0.5 (15000 posts/min); 300
# posts/s is 18000/min, so the load would measure the limiter. 0 turns it off; a 429 still counts as an error.
export RELAY_RATE_LIMIT_PER_MINUTE=0
bench_java_opts
export PGPASSWORD="${RELAY_PG_PASSWORD:-}"
PG="${RELAY_PG_HOST:-127.0.0.1}:${RELAY_PG_PORT:-5432}:${RELAY_PG_USER:-postgres}"

bench_select_source

WORK="$(mktemp -d)" # the load kit's classes and the generator's output
bench_stop_on_exit

# The shared load kit (bench/loadkit), compiled for PostLoad.java's class path.
"$JAVA_HOME/bin/javac" -d "$WORK/classes" "$ROOT"/bench/loadkit/*.java

bench_start_stack
if grep -rqs RELAY_RATE_LIMIT_PER_MINUTE "$SRC/observer-gateway/src/main" "$SRC/common/src/main"; then
  limiter="present in the measured build, turned off with \`RELAY_RATE_LIMIT_PER_MINUTE=0\`"
else
  limiter="not in the measured build yet; \`RELAY_RATE_LIMIT_PER_MINUTE=0\` was exported all the same"
fi

started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
loadavg_before="$(cut -d' ' -f1-3 /proc/loadavg)"
busy_before="$(bench_busy_cores 3)" # the stack is up and idle: this is everything else
top_before="$(bench_top_processes 4)"
echo "bench: machine busy before the load: $busy_before of $(nproc) cores (load average $loadavg_before)"
bench_warn_if_busy "$busy_before"
OUT="$WORK/out.txt"

"$JAVA_HOME/bin/java" -cp "$WORK/classes" "$HERE/PostLoad.java" \
  --gateway "http://127.0.0.1:$RELAY_GATEWAY_PORT" --agents "$BENCH_AGENTS" \
  --warmup "$BENCH_WARMUP" --duration "$BENCH_DURATION" --rates "$BENCH_RATES" \
  --connections "$BENCH_CONNECTIONS" --text-bytes "$BENCH_TEXT_BYTES" \
  --pids "$PIDS" --databases "$DATABASES" --pg "$PG" --drain "$BENCH_DRAIN" | tee "$OUT"
loadavg_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- tabulate and record ---------------------------------------------------------------------------------------

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
mapfile -t RESULT_LINES < <(grep '^RESULT ' "$OUT")
[[ ${#RESULT_LINES[@]} -gt 0 ]] || { echo "bench: the load generator produced no result" >&2; exit 1; }

summary=""
other_max=0 # the most cores other work took during a measured phase
table="| target (msg/s) | achieved (msg/s) | 201 ok / sent | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | generator lag p99 ms | send lag p99 ms | deliveries behind at end |
|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
cpu_table="| target (msg/s) | gateway | auth | workspace | delivery | postgres (workspace db / delivery db / rest) | redis | generator | everything else | machine (of $(nproc)) |
|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
for line in "${RESULT_LINES[@]}"; do
  line=" ${line#RESULT }"
  rate="$(field "$line" rate)"
  errors="$(field "$line" errors)"
  by="$(field "$line" errors_by)"
  [[ "$by" == - ]] && errors_cell="$errors" || errors_cell="$errors (${by//,/, })"
  table+=$'\n'"| $rate | $(field "$line" achieved_rate) | $(field "$line" ok) / $(field "$line" requests) | $errors_cell | $(field "$line" p50_ms) | $(field "$line" p90_ms) | $(field "$line" p99_ms) | $(field "$line" p999_ms) | $(field "$line" max_ms) | $(field "$line" gen_lag_p99_ms) | $(field "$line" send_lag_p99_ms) | $(field "$line" backlog_deliveries) |"
  pg_rest="$(awk -v a="$(field "$line" cpu_pg_auth)" -v o="$(field "$line" cpu_pg_other)" 'BEGIN { printf "%.2f", a + o }')"
  cpu_table+=$'\n'"| $rate | $(field "$line" cpu_gateway) | $(field "$line" cpu_auth) | $(field "$line" cpu_workspace) | $(field "$line" cpu_delivery) | $(field "$line" cpu_postgres) ($(field "$line" cpu_pg_workspace) / $(field "$line" cpu_pg_delivery) / $pg_rest) | $(field "$line" cpu_redis) | $(field "$line" cpu_generator) | $(field "$line" cpu_other) | $(field "$line" cpu_machine) |"
  other_max="$(awk -v a="$other_max" -v b="$(field "$line" cpu_other)" 'BEGIN { print (b > a ? b : a) }')"
  summary+="${summary:+; }${rate}/s: p50 $(field "$line" p50_ms) ms, p99 $(field "$line" p99_ms) ms, $(field "$line" achieved_rate) msg/s achieved, ${errors} errors"
done

echo
echo "$table"
echo
echo "$cpu_table"

[[ "$BENCH_RECORD" == 1 ]] || exit 0

rev="$(git -C "$ROOT" rev-parse HEAD)"
source_desc="$(bench_source_desc "$rev" "the services, pom.xml and relay unmodified" common auth-service \
  workspace-service delivery-service observer-gateway pom.xml relay)"
shared="$(bench_shared_note "$busy_before" "$other_max" "$top_before" \
  "phase (the \"everything else\" CPU column, and \"else\" in each phase's 5-second timeline below)")"
mkdir -p "$RESULTS"
file="$RESULTS/post-messages-$stamp.md"
{
  echo "# post-messages: POST /v1/channels/general/messages through the gateway, $started"
  echo
  echo "Open-loop load (fixed arrival rate; latency from each request's due time to its last response byte, so"
  echo "queueing is counted) on observer-gateway's public port, $BENCH_CONNECTIONS keep-alive connections. One workspace, $BENCH_AGENTS agents"
  echo "(all members of \`general\`) posting round-robin \`{\"text\": …}\` of $BENCH_TEXT_BYTES characters with their agent tokens; each post"
  echo "makes $((BENCH_AGENTS - 1)) durable deliveries (one per other member; no agent is connected, so they stay queued)."
  echo "Warm-up ${BENCH_WARMUP} s at the first rate (not recorded), then ${BENCH_DURATION} s per rate; before each measured phase the run waits (up"
  echo "to ${BENCH_DRAIN} s) until the outbox and delivery-service have caught up with the earlier posts. Every answer had to be"
  echo "HTTP 201 with \`\"ok\":true\`; anything else (a 429 included) counts as an error, by status and error code."
  echo
  echo "Rate limiter: the engine ran with \`RELAY_RATE_LIMIT_PER_MINUTE=0\` (the gateway's per-workspace limiter off; at its"
  echo "default, 15000 posts/min, 300 posts/s would be throttled); $limiter."
  echo
  [[ -z "$shared" ]] || { echo "$shared"; echo; }
  echo "$table"
  echo
  echo "CPU during each measured phase, average cores busy (per process; postgres split by the database each backend"
  echo "serves; \"everything else\" is the rest of the machine):"
  echo
  echo "$cpu_table"
  echo
  echo "## Machine and build"
  echo
  echo "- date: $started (UTC)"
  echo "- commit: $rev"
  echo "- measured: $source_desc"
  bench_machine_facts
  bench_stack_facts
  echo "- command: \`BENCH_RATES=$BENCH_RATES BENCH_DURATION=$BENCH_DURATION BENCH_WARMUP=$BENCH_WARMUP BENCH_AGENTS=$BENCH_AGENTS BENCH_CONNECTIONS=$BENCH_CONNECTIONS BENCH_TEXT_BYTES=$BENCH_TEXT_BYTES BENCH_SOURCE=$BENCH_SOURCE bench/post-messages/run.sh\` (exports \`RELAY_RATE_LIMIT_PER_MINUTE=0\`)"
  echo
  echo "## Load generator output"
  echo
  echo '```'
  cat "$OUT"
  echo '```'
} >"$file"

bench_results_index
opts_note="$(bench_index_note "$other_max")"
echo "- $started post-messages @ ${rev:0:12}$opts_note: $BENCH_AGENTS agents, rate limiter off; $summary ([details](post-messages-$stamp.md))" >>"$RESULTS/README.md"
echo "bench: recorded $file"
