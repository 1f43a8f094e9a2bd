#!/usr/bin/env bash
# Benchmark: the observer stream /v1/ws served by observer-gateway (the observer-gateway issue's "Done when"):
#   1. idle sockets: BENCH_IDLE_SOCKETS (10,000) open on one gateway, the gateway's live heap after a full GC before
#      and with them (jcmd GC.class_histogram), per socket, plus RSS; target at most 30 KB per idle socket;
#   2. fan-out: BENCH_FANOUT_SOCKETS (1,000) open, one channel message at a time, from the POST's start until the
#      last socket has its message.created frame; target p99 at most 100 ms;
#   3. revocation to close: BENCH_REVOKE_SOCKETS (200) on an observer token each, each token revoked with
#      DELETE /v1/observer-tokens/:id, from the DELETE's start until its socket's close frame; target p99 at most 1 s.
#
# Starts its own engine with ./relay up (own state dir, ports, databases and Redis namespace, see below), always
# stops it on exit, drives it with bench/observer-stream/StreamLoad.java (JDK only: a small RFC 6455 client on NIO
# selector threads, so 10,000 sockets fit in one JVM), prints the results and records them in
# bench/results/observer-stream-<UTC date-time>.md plus one line in bench/results/README.md.
#
#   bench/observer-stream/run.sh
#
# Settings (environment):
#   BENCH_PHASES=idle,fanout,revoke   which measurements to run
#   BENCH_IDLE_SOCKETS=10000     idle sockets for the heap measurement
#   BENCH_SETTLE=15              seconds the idle sockets sit idle before they are pinged and the heap is measured
#   BENCH_FANOUT_SOCKETS=1000    sockets receiving each fan-out message
#   BENCH_FANOUT_MESSAGES=100    measured fan-out messages (after BENCH_FANOUT_WARMUP=20 unmeasured ones)
#   BENCH_FANOUT_INTERVAL_MS=500 one message every this many ms
#   BENCH_FANOUT_PREWARM=2000    posts sent (at BENCH_FANOUT_PREWARM_RATE=100/s) before the fan-out sockets open, so
#                                the posting path is compiled, not interpreted, when the fan-out is measured; 0: none
#   BENCH_REVOKE_SOCKETS=200     sockets (and observer tokens) revoked one at a time
#   BENCH_REVOKE_INTERVAL_MS=100 one revocation every this many ms
#   BENCH_TOKENS=10              observer tokens the idle and fan-out sockets share round-robin
#   BENCH_OPEN_CONCURRENCY=64    WebSocket handshakes in flight at a time
#   BENCH_READERS=2              selector threads reading the client sockets
#   BENCH_CLIENT_OPTS            JVM options of the bench client (default -Xms256m -Xmx1g)
#   BENCH_SOURCE=worktree        build and run the working tree (default), or `head`: a `git archive` export of HEAD
#                                under $RELAY_STATE_DIR, so in-progress edits elsewhere in the tree neither break the
#                                build nor get measured, and the result belongs exactly to the recorded commit
#   BENCH_JFR=1                  also record a JFR profile of every service (files under $RELAY_STATE_DIR/jfr/)
#   BENCH_RECORD=0               print only; do not write bench/results/
#   RELAY_JAVA_OPTS              the services' JVM options (default -Xms256m -Xmx512m, as ./relay up)
set -euo pipefail

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ROOT="$BENCH_ROOT"
HERE="$ROOT/bench/observer-stream"
RESULTS="$BENCH_RESULTS"
bench_java_home

: "${BENCH_PHASES:=idle,fanout,revoke}"
: "${BENCH_IDLE_SOCKETS:=10000}"
: "${BENCH_SETTLE:=15}"
: "${BENCH_FANOUT_SOCKETS:=1000}"
: "${BENCH_FANOUT_MESSAGES:=100}"
: "${BENCH_FANOUT_WARMUP:=20}"
: "${BENCH_FANOUT_INTERVAL_MS:=500}"
: "${BENCH_FANOUT_PREWARM:=2000}"
: "${BENCH_FANOUT_PREWARM_RATE:=100}"
: "${BENCH_REVOKE_SOCKETS:=200}"
: "${BENCH_REVOKE_INTERVAL_MS:=100}"
: "${BENCH_TOKENS:=10}"
: "${BENCH_OPEN_CONCURRENCY:=64}"
: "${BENCH_READERS:=2}"
: "${BENCH_CLIENT_OPTS:=-Xms256m -Xmx1g}"
: "${BENCH_SOURCE:=worktree}"
: "${BENCH_JFR:=0}"
: "${BENCH_RECORD:=1}"

# A stack of its own: not the developer's engine (8xxx/9xxx), not the end-to-end checks' (18xxx/19xxx), and not the
# other benchmarks' (.relay/bench, 28787...), so this one never stops or shares a stack another benchmark is using.
# Its own databases and Redis namespace too: two stacks on one database would publish each other's outbox events.
export RELAY_STATE_DIR="${RELAY_STATE_DIR:-$ROOT/.relay/bench-observer-stream}"
export RELAY_GATEWAY_PORT=28797 RELAY_GATEWAY_MANAGEMENT_PORT=29797
export RELAY_AUTH_PORT=28091 RELAY_AUTH_MANAGEMENT_PORT=29091
export RELAY_WORKSPACE_PORT=28092 RELAY_WORKSPACE_MANAGEMENT_PORT=29092
export RELAY_DELIVERY_PORT=28093 RELAY_DELIVERY_MANAGEMENT_PORT=29093
export RELAY_DB_SUFFIX=_bench_stream
export RELAY_REDIS_NAMESPACE=relaybenchstream
# Every WebSocket upgrade counts against the workspace's rate limit (30000 requests/min): 10,000 upgrades plus the
# rest would measure the limiter, so it is off; the benchmark is about the stream.
export RELAY_RATE_LIMIT_PER_MINUTE=0
bench_java_opts
REDIS_URL="${RELAY_REDIS_URL:-redis://127.0.0.1:6379}"
REDIS_HOSTPORT="${REDIS_URL#*://}"; REDIS_HOSTPORT="${REDIS_HOSTPORT##*@}"; REDIS_HOSTPORT="${REDIS_HOSTPORT%%/*}"
[[ "$REDIS_HOSTPORT" == *:* ]] || REDIS_HOSTPORT="$REDIS_HOSTPORT:6379"

# File descriptors: the client holds one per socket, and so does the gateway, which inherits this shell's limit
# through ./relay up. Raise the soft limit to the hard one before anything starts.
need_fds=$((BENCH_IDLE_SOCKETS + 2000))
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ "$(ulimit -n)" != unlimited ]] && (($(ulimit -n) < need_fds)); then
  echo "bench: open-file limit $(ulimit -n) (hard $(ulimit -Hn)) is below the $need_fds this run needs;" \
    "raise it (ulimit -Hn as root, or /etc/security/limits.conf) or lower BENCH_IDLE_SOCKETS" >&2
  exit 2
fi
ports="$(cut -f1,2 /proc/sys/net/ipv4/ip_local_port_range)"
read -r port_lo port_hi <<<"$ports"
if ((port_hi - port_lo < BENCH_IDLE_SOCKETS + 2000)); then
  echo "bench: the ephemeral port range ($port_lo-$port_hi) is too small for $BENCH_IDLE_SOCKETS client sockets" >&2
  exit 2
fi

bench_select_source

WORK="$(mktemp -d)" # the client's classes and output
bench_stop_on_exit

# The client: StreamLoad with the load kit (bench/loadkit: WsClient, JsonApi, Args, ProcessCpu).
"$JAVA_HOME/bin/javac" -d "$WORK/classes" "$ROOT"/bench/loadkit/*.java "$HERE"/*.java

bench_start_stack
GATEWAY_PID="$(cat "$RELAY_STATE_DIR/pids/observer-gateway.pid")"
gateway_fd_limit="$(awk '/^Max open files/ {print $4 " (hard " $5 ")"}' "/proc/$GATEWAY_PID/limits")"
gateway_gc="$("$JAVA_HOME/bin/jcmd" "$GATEWAY_PID" VM.flags 2>/dev/null | tr ' ' '\n' | grep -E '^-XX:\+Use[A-Za-z0-9]+GC$' | sed 's/-XX:+//' | head -n1 || true)"
echo "bench: gateway pid $GATEWAY_PID, open-file limit $gateway_fd_limit, ${gateway_gc:-unknown GC}"

rev="$(git -C "$ROOT" rev-parse HEAD)" # the commit measured (HEAD may move while the benchmark runs)
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
loadavg_before="$(cut -d' ' -f1-3 /proc/loadavg)"
busy_before="$(bench_busy_cores 3)" # the stack is up and idle: this is everything else
top_before="$(bench_top_processes 4)"
echo "bench: machine busy before the load: $busy_before of $(nproc) cores (load average $loadavg_before)"
bench_warn_if_busy "$busy_before"
OUT="$WORK/out.txt"
MD="$WORK/sections.md"

# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $BENCH_CLIENT_OPTS -cp "$WORK/classes" StreamLoad \
  --gateway "http://127.0.0.1:$RELAY_GATEWAY_PORT" --management "http://127.0.0.1:$RELAY_GATEWAY_MANAGEMENT_PORT" \
  --gateway-pid "$GATEWAY_PID" --pids "$PIDS" --databases "$DATABASES" \
  --redis "$REDIS_HOSTPORT" --redis-namespace "$RELAY_REDIS_NAMESPACE" --phases "$BENCH_PHASES" \
  --idle-sockets "$BENCH_IDLE_SOCKETS" --settle "$BENCH_SETTLE" --fanout-sockets "$BENCH_FANOUT_SOCKETS" \
  --fanout-messages "$BENCH_FANOUT_MESSAGES" --fanout-warmup "$BENCH_FANOUT_WARMUP" \
  --fanout-interval-ms "$BENCH_FANOUT_INTERVAL_MS" --fanout-prewarm "$BENCH_FANOUT_PREWARM" \
  --fanout-prewarm-rate "$BENCH_FANOUT_PREWARM_RATE" --revoke-sockets "$BENCH_REVOKE_SOCKETS" \
  --revoke-interval-ms "$BENCH_REVOKE_INTERVAL_MS" --tokens "$BENCH_TOKENS" \
  --open-concurrency "$BENCH_OPEN_CONCURRENCY" --readers "$BENCH_READERS" --markdown "$MD" | tee "$OUT"
loadavg_after="$(cut -d' ' -f1-3 /proc/loadavg)"
busy_after="$(bench_busy_cores 3)" # the client is gone and the stack idle again

# --- tabulate and record ---------------------------------------------------------------------------------------

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
idle_line=" $(grep '^RESULT phase=idle ' "$OUT" || true)"
fanout_line=" $(grep '^RESULT phase=fanout ' "$OUT" || true)"
revoke_line=" $(grep '^RESULT phase=revoke ' "$OUT" || true)"
grep -q '^RESULT ' "$OUT" || { echo "bench: the client produced no result" >&2; exit 1; }

row() { # target, measured, verdict
  printf '| %s | %s | %s |\n' "$1" "$2" "$3"
}
table="| target (observer-gateway issue) | measured | verdict |
|---|---|---|"
summary=""
if [[ "$idle_line" == *phase=idle* ]]; then
  table+=$'\n'"$(row "at most 30 KB of heap per idle socket ($(field "$idle_line" requested) sockets)" \
    "$(field "$idle_line" kb_per_socket) KB live heap per socket ($(field "$idle_line" alive) of $(field "$idle_line" sockets) alive; RSS $(field "$idle_line" rss_kb_per_socket) KB per socket)" \
    "**$(field "$idle_line" verdict)**")"
  summary+="${summary:+; }idle $(field "$idle_line" sockets) sockets: $(field "$idle_line" kb_per_socket) KB heap/socket (target 30: $(field "$idle_line" verdict))"
fi
if [[ "$fanout_line" == *phase=fanout* ]]; then
  table+=$'\n'"$(row "fan-out to $(field "$fanout_line" sockets) observers: p99 until the last socket has it at most 100 ms" \
    "p50 $(field "$fanout_line" last_p50_ms) ms, p99 $(field "$fanout_line" last_p99_ms) ms, max $(field "$fanout_line" last_max_ms) ms over $(field "$fanout_line" messages) messages ($(field "$fanout_line" missing) deliveries missing, $(field "$fanout_line" errors) POST errors)" \
    "**$(field "$fanout_line" verdict)**")"
  summary+="${summary:+; }fan-out to $(field "$fanout_line" sockets): last socket p50 $(field "$fanout_line" last_p50_ms) ms, p99 $(field "$fanout_line" last_p99_ms) ms (target 100: $(field "$fanout_line" verdict))"
fi
if [[ "$revoke_line" == *phase=revoke* ]]; then
  table+=$'\n'"$(row "revocation to close p99 at most 1 s ($(field "$revoke_line" sockets) tokens)" \
    "p50 $(field "$revoke_line" close_p50_ms) ms, p99 $(field "$revoke_line" close_p99_ms) ms, max $(field "$revoke_line" close_max_ms) ms ($(field "$revoke_line" still_open) left open, $(field "$revoke_line" early) closed early, $(field "$revoke_line" errors) DELETE errors)" \
    "**$(field "$revoke_line" verdict)**")"
  summary+="${summary:+; }revocation to close: p50 $(field "$revoke_line" close_p50_ms) ms, p99 $(field "$revoke_line" close_p99_ms) ms (target 1000: $(field "$revoke_line" verdict))"
fi
echo
echo "$table"

if [[ "$BENCH_RECORD" != 1 ]]; then
  echo
  cat "$MD" # what the result file would hold
  exit 0
fi

[[ "$BENCH_SOURCE" != head ]] || rev="$(git -C "$ROOT" rev-parse "${SRC##*/src-}")"
source_desc="$(bench_source_desc "$rev" "the services, pom.xml and relay unmodified" common auth-service \
  workspace-service delivery-service observer-gateway pom.xml relay)"
other_max=0 # the most cores other work took during a measured part (the client's "everything else")
for line in "$idle_line" "$fanout_line" "$revoke_line"; do
  o="$(field "$line" other_cores)"
  [[ -z "$o" ]] || other_max="$(awk -v a="$other_max" -v b="$o" 'BEGIN { print (b > a ? b : a) }')"
done
shared="$(bench_shared_note "$busy_before" "$other_max" "$top_before" \
  "part (\"everything else\" in the CPU lines below)")"
mkdir -p "$RESULTS"
file="$RESULTS/observer-stream-$stamp.md"
{
  echo "# observer-stream: the observer stream /v1/ws on one gateway, $started"
  echo
  echo "The observer-gateway issue's targets, measured on one gateway through its public port with a JDK-only client"
  echo "(\`bench/observer-stream/\`: one JVM, a small RFC 6455 client on $BENCH_READERS NIO selector threads that time-stamp"
  echo "every read). Observer tokens have scopes \`stream:read\` and \`messages:read\`. The gateway's rate limiter was off"
  echo "(\`RELAY_RATE_LIMIT_PER_MINUTE=0\`): every upgrade counts against it, and the benchmark is about the stream."
  echo "The bench client shares the machine's $(nproc) cores with the engine, so its CPU is in every CPU figure below."
  echo
  [[ -z "$shared" ]] || { echo "$shared"; echo; }
  echo "$table"
  echo
  cat "$MD"
  echo "## Machine and build"
  echo
  echo "- date: $started (UTC)"
  echo "- commit: $rev"
  echo "- measured: $source_desc"
  bench_machine_facts
  echo "- PostgreSQL: $(psql --version 2>/dev/null || echo unknown); Redis: $(redis-server --version 2>/dev/null | cut -d' ' -f3 || echo unknown)"
  echo "- service JVM options (RELAY_JAVA_OPTS): \`$JAVA_OPTS_USED\`; the gateway's collector: ${gateway_gc:-unknown}; its open-file limit: $gateway_fd_limit"
  echo "- bench client JVM options: \`$BENCH_CLIENT_OPTS\`; open-file limit of the run: $(ulimit -n); ephemeral ports $port_lo-$port_hi"
  echo "- other work on the machine: $busy_before of $(nproc) cores busy during 3 s before the load (stack idle), $busy_after after it; load average (1/5/15 min) before: $loadavg_before, after: $loadavg_after"
  echo "- command: \`BENCH_PHASES=$BENCH_PHASES BENCH_IDLE_SOCKETS=$BENCH_IDLE_SOCKETS BENCH_SETTLE=$BENCH_SETTLE BENCH_FANOUT_SOCKETS=$BENCH_FANOUT_SOCKETS BENCH_FANOUT_MESSAGES=$BENCH_FANOUT_MESSAGES BENCH_FANOUT_WARMUP=$BENCH_FANOUT_WARMUP BENCH_FANOUT_INTERVAL_MS=$BENCH_FANOUT_INTERVAL_MS BENCH_FANOUT_PREWARM=$BENCH_FANOUT_PREWARM BENCH_FANOUT_PREWARM_RATE=$BENCH_FANOUT_PREWARM_RATE BENCH_REVOKE_SOCKETS=$BENCH_REVOKE_SOCKETS BENCH_REVOKE_INTERVAL_MS=$BENCH_REVOKE_INTERVAL_MS BENCH_TOKENS=$BENCH_TOKENS BENCH_OPEN_CONCURRENCY=$BENCH_OPEN_CONCURRENCY BENCH_SOURCE=$BENCH_SOURCE bench/observer-stream/run.sh\`"
  echo
  echo "## Client output"
  echo
  echo '```'
  cat "$OUT"
  echo '```'
} >"$file"

bench_results_index
echo "- $started observer-stream @ ${rev:0:12}$(bench_index_note "$other_max"): $summary ([details](observer-stream-$stamp.md))" >>"$RESULTS/README.md"
echo "bench: recorded $file"
