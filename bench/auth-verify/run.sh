#!/usr/bin/env bash
# Benchmark: uncached token verification at auth-service's internal API (POST /internal/credentials/verify).
#
# Starts its own engine with ./relay up (own state dir, ports 28xxx/29xxx, databases suffixed _bench), always stops it
# on exit, mints agent tokens, then drives an open-loop load (fixed arrival rate, latency from each request's due
# time) with bench/auth-verify/VerifyLoad.java: a warm-up, then each rate of BENCH_RATES for BENCH_DURATION seconds.
# Prints the results and records them in bench/results/auth-verify-<UTC date-time>.md plus one line in
# bench/results/README.md.
#
#   bench/auth-verify/run.sh
#
# Settings (environment):
#   BENCH_RATES=500,1000   requests/s, one measured phase each (the first is also the warm-up rate)
#   BENCH_DURATION=30      seconds per measured phase
#   BENCH_WARMUP=30        seconds of warm-up (not recorded)
#   BENCH_TOKENS=1000      agent tokens minted and cycled over
#   BENCH_CONNECTIONS=32   keep-alive connections of the load generator
#   BENCH_PAUSE=0          seconds of idle before each measured phase (0: the load runs on from the warm-up, the
#                          rate steps without a gap; after an idle gap the first second answers more slowly)
#   BENCH_SOURCE=worktree  build and run the working tree (default), or `head`: a `git archive` export of HEAD
#                          under $RELAY_STATE_DIR, so in-progress edits elsewhere in the tree neither break the
#                          build nor get measured, and the result belongs exactly to the recorded commit
#   BENCH_JFR=1            also record a JFR profile of every service (files under $RELAY_STATE_DIR/jfr/)
#   BENCH_RECORD=0         print only; do not write bench/results/
set -euo pipefail

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ROOT="$BENCH_ROOT"
HERE="$ROOT/bench/auth-verify"
RESULTS="$BENCH_RESULTS"
bench_java_home

: "${BENCH_RATES:=500,1000}"
: "${BENCH_DURATION:=30}"
: "${BENCH_WARMUP:=30}"
: "${BENCH_TOKENS:=1000}"
: "${BENCH_CONNECTIONS:=32}"
: "${BENCH_PAUSE:=0}"
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
bench_java_opts

bench_select_source

cleanup() {
  echo "bench: stopping the bench stack"
  "$SRC/relay" down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench: starting the bench stack from $SRC (state $RELAY_STATE_DIR, auth-service on :$RELAY_AUTH_PORT)"
"$SRC/relay" up
AUTH_PID="$(cat "$RELAY_STATE_DIR/pids/auth-service.pid")"

started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
loadavg_before="$(cut -d' ' -f1-3 /proc/loadavg)"
busy_before="$(bench_busy_cores 3)" # the stack is up and idle: this is everything else
echo "bench: machine busy before the load: $busy_before of $(nproc) cores (load average $loadavg_before)"
bench_warn_if_busy "$busy_before"
OUT="$(mktemp)"
trap 'rm -f "$OUT"; cleanup' EXIT

"$JAVA_HOME/bin/java" "$HERE/VerifyLoad.java" \
  --auth "http://127.0.0.1:$RELAY_AUTH_PORT" \
  --secrets "$RELAY_STATE_DIR/secrets/services.env" \
  --tokens "$BENCH_TOKENS" --warmup "$BENCH_WARMUP" --duration "$BENCH_DURATION" \
  --rates "$BENCH_RATES" --connections "$BENCH_CONNECTIONS" --pause "$BENCH_PAUSE" --server-pid "$AUTH_PID" | tee "$OUT"
loadavg_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- judge against the target and record ---------------------------------------------------------------------------

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
mapfile -t RESULT_LINES < <(grep '^RESULT ' "$OUT")
[[ ${#RESULT_LINES[@]} -gt 0 ]] || { echo "bench: the load generator produced no result" >&2; exit 1; }

verdict="no 500 req/s phase"
summary=""
table="| target rate (req/s) | achieved (req/s) | verified / sent | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | auth-service CPU (cores) | postgres CPU | generator CPU | machine busy (of $(nproc)) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for line in "${RESULT_LINES[@]}"; do
  line=" ${line#RESULT }"
  rate="$(field "$line" rate)"
  p99="$(field "$line" p99_ms)"
  errors="$(field "$line" errors)"
  table+=$'\n'"| $rate | $(field "$line" achieved_rate) | $(field "$line" verified) / $(field "$line" requests) | $errors | $(field "$line" p50_ms) | $(field "$line" p90_ms) | $p99 | $(field "$line" p999_ms) | $(field "$line" max_ms) | $(field "$line" cpu_auth) | $(field "$line" cpu_postgres) | $(field "$line" cpu_generator) | $(field "$line" cpu_machine) |"
  summary+="${summary:+; }${rate}/s p99 ${p99} ms, ${errors} errors"
  if [[ "$rate" == 500 ]]; then
    if [[ "$errors" == 0 ]] && awk -v p="$p99" 'BEGIN { exit !(p + 0 <= 3.0) }'; then
      verdict="met (p99 ${p99} ms <= 3 ms, no errors)"
    else
      verdict="MISSED (p99 ${p99} ms, ${errors} errors; target p99 <= 3 ms with no errors)"
    fi
  fi
done

echo
echo "$table"
echo
echo "bench: target (uncached verify p99 <= 3 ms at 500 req/s): $verdict"

[[ "$BENCH_RECORD" == 1 ]] || exit 0

rev="$(git -C "$ROOT" rev-parse HEAD)"
source_desc="$(bench_source_desc "$rev" "common/, auth-service/, pom.xml and relay unmodified" common auth-service \
  pom.xml relay)"
mkdir -p "$RESULTS"
file="$RESULTS/auth-verify-$stamp.md"
{
  echo "# auth-verify: uncached POST /internal/credentials/verify, $started"
  echo
  echo "Target (issue 3): uncached verify p99 at most 3 ms at 500 requests/s. **Result: $verdict.**"
  echo
  echo "Open-loop load (fixed arrival rate; latency from each request's due time to its last response byte, so"
  echo "queueing is counted), $BENCH_CONNECTIONS keep-alive connections, cycling over $BENCH_TOKENS freshly minted agent tokens"
  echo "(body \`{\"token\":…,\"kinds\":[\"agent_token\"],\"remote_host\":\"127.0.0.1\"}\`, caller \`observer-gateway\`)."
  echo "Warm-up ${BENCH_WARMUP} s at the first rate (not recorded), then ${BENCH_DURATION} s per rate. Every answer had to be HTTP 200"
  echo "with \`\"outcome\":\"verified\"\`; anything else counts as an error. CPU columns: average cores busy during the"
  echo "phase (auth-service process, all postgres processes, the load generator, the whole machine)."
  echo
  echo "$table"
  echo
  echo "## Machine and build"
  echo
  echo "- date: $started (UTC)"
  echo "- commit: $rev"
  echo "- measured: $source_desc"
  bench_machine_facts
  echo "- PostgreSQL: $(psql --version 2>/dev/null || echo unknown); Redis: $(redis-server --version 2>/dev/null | cut -d' ' -f3 || echo unknown)"
  echo "- service JVM options (RELAY_JAVA_OPTS): \`$JAVA_OPTS_USED\`"
  echo "- other work on the machine: $busy_before of $(nproc) cores busy during 3 s before the load (stack idle); load average (1/5/15 min) before: $loadavg_before, after: $loadavg_after"
  echo "- command: \`BENCH_RATES=$BENCH_RATES BENCH_DURATION=$BENCH_DURATION BENCH_WARMUP=$BENCH_WARMUP BENCH_TOKENS=$BENCH_TOKENS BENCH_CONNECTIONS=$BENCH_CONNECTIONS BENCH_PAUSE=$BENCH_PAUSE BENCH_SOURCE=$BENCH_SOURCE bench/auth-verify/run.sh\`"
  echo
  echo "## Load generator output"
  echo
  echo '```'
  cat "$OUT"
  echo '```'
} >"$file"

bench_results_index
echo "- $started auth-verify @ ${rev:0:12}$(bench_index_note): $summary; target p99 <= 3 ms at 500/s: $verdict ([details](auth-verify-$stamp.md))" >>"$RESULTS/README.md"
echo "bench: recorded $file"
