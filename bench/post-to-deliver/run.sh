#!/usr/bin/env bash
# Benchmark (issue 6): post-to-deliver latency across the whole stack, at 300 messages/s with 200 connected agents.
# Target: p99 at most 15 ms, nothing lost.
#
# Starts its own engine with ./relay up (own state dir, ports, databases (dropped and created afresh every run) and
# Redis namespace, the gateway's rate limiter off), always stops it on exit, creates a workspace with BENCH_AGENTS
# agents in channels of BENCH_CHANNEL_SIZE members, connects every agent as the SDK's AgentClient does (direct node token, /v1/node/ws,
# node.register, heartbeats, delivery.ack for every deliver frame), then drives an open-loop load of posts through the
# gateway (a warm-up, then each rate of BENCH_RATES for BENCH_DURATION seconds) and times every delivery from its
# post's due time to the deliver frame's arrival at the recipient. Prints the results and records them in
# bench/results/post-to-deliver-<UTC date-time>.md plus one line in bench/results/README.md.
#
#   bench/post-to-deliver/run.sh
#
# Settings (environment):
#   BENCH_RATES=300          messages/s, one measured phase each (the first is also the warm-up rate)
#   BENCH_DURATION=30        seconds per measured phase
#   BENCH_WARMUP=30          seconds of warm-up at the first rate (not recorded; 0 for none)
#   BENCH_AGENTS=200         agents, all connected over the fleet wire
#   BENCH_CHANNEL_SIZE=10    members per channel (agents 0-9 in pd-000, 10-19 in pd-001, ...); each post makes
#                            CHANNEL_SIZE-1 deliveries
#   BENCH_CONNECTIONS=64     keep-alive HTTP connections of the load generator
#   BENCH_TEXT_BYTES=100     length of each message's text
#   BENCH_GRACE=30           seconds after the last post's due time a delivery may still arrive; later it is lost
#   BENCH_DRAIN=120          the same for the warm-up's deliveries (a cold stack falls far behind)
#   BENCH_READERS=2          selector threads reading the agents' sockets
#   BENCH_OPEN_CONCURRENCY=32  node-socket handshakes in flight at a time
#   BENCH_CONNECT_ATTEMPTS=2 attempts to open each agent's node socket (a retry first fetches a fresh node token, as
#                            the SDK's reconnect does); agents still unconnected then make the load's deliveries to them
#                            lost, and the result file says how many
#   BENCH_CLIENT_OPTS        JVM options of the bench client (default -Xms256m -Xmx1g)
#   BENCH_PORT_BASE          services on BASE..BASE+3 (gateway, auth, workspace, delivery) and their management
#                            ports on BASE+4..BASE+7, instead of 28807/28111-28113 and 29807/29111-29113
#   BENCH_DB_SUFFIX=_bench_deliver, BENCH_REDIS_NAMESPACE=relaybenchdeliver   this stack's databases and Redis keys
#   BENCH_SOURCE=worktree    build and run the working tree (default), or `head`: a `git archive` export of HEAD
#                            under $RELAY_STATE_DIR, so in-progress edits elsewhere in the tree neither break the
#                            build nor get measured, and the result belongs exactly to the recorded commit
#   BENCH_JFR=1              also record a JFR profile of every service (files under $RELAY_STATE_DIR/jfr/)
#   BENCH_RECORD=0           print only; do not write bench/results/
#   RELAY_STATE_DIR          the stack's state (default .relay/bench-post-to-deliver)
#   RELAY_JAVA_OPTS          the services' JVM options (default -Xms256m -Xmx512m, as ./relay up)
set -euo pipefail

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ROOT="$BENCH_ROOT"
HERE="$ROOT/bench/post-to-deliver"
RESULTS="$BENCH_RESULTS"
bench_java_home

: "${BENCH_RATES:=300}"
: "${BENCH_DURATION:=30}"
: "${BENCH_WARMUP:=30}"
: "${BENCH_AGENTS:=200}"
: "${BENCH_CHANNEL_SIZE:=10}"
: "${BENCH_CONNECTIONS:=64}"
: "${BENCH_TEXT_BYTES:=100}"
: "${BENCH_GRACE:=30}"
: "${BENCH_DRAIN:=120}"
: "${BENCH_READERS:=2}"
: "${BENCH_OPEN_CONCURRENCY:=32}"
: "${BENCH_CONNECT_ATTEMPTS:=2}"
: "${BENCH_CLIENT_OPTS:=-Xms256m -Xmx1g}"
: "${BENCH_DB_SUFFIX:=_bench_deliver}"
: "${BENCH_REDIS_NAMESPACE:=relaybenchdeliver}"
: "${BENCH_SOURCE:=worktree}"
: "${BENCH_JFR:=0}"
: "${BENCH_RECORD:=1}"

# A stack of its own: not the developer's engine (8xxx/9xxx), not the end-to-end checks' (18xxx/19xxx), not the other
# benchmarks' (28787, 28797, ...). Its own databases and Redis namespace too: two stacks on one database would publish
# each other's outbox events.
export RELAY_STATE_DIR="${RELAY_STATE_DIR:-$ROOT/.relay/bench-post-to-deliver}"
if [[ -n "${BENCH_PORT_BASE:-}" ]]; then
  b="$BENCH_PORT_BASE"
  export RELAY_GATEWAY_PORT=$b RELAY_AUTH_PORT=$((b + 1)) RELAY_WORKSPACE_PORT=$((b + 2)) RELAY_DELIVERY_PORT=$((b + 3))
  export RELAY_GATEWAY_MANAGEMENT_PORT=$((b + 4)) RELAY_AUTH_MANAGEMENT_PORT=$((b + 5))
  export RELAY_WORKSPACE_MANAGEMENT_PORT=$((b + 6)) RELAY_DELIVERY_MANAGEMENT_PORT=$((b + 7))
else
  export RELAY_GATEWAY_PORT=28807 RELAY_GATEWAY_MANAGEMENT_PORT=29807
  export RELAY_AUTH_PORT=28111 RELAY_AUTH_MANAGEMENT_PORT=29111
  export RELAY_WORKSPACE_PORT=28112 RELAY_WORKSPACE_MANAGEMENT_PORT=29112
  export RELAY_DELIVERY_PORT=28113 RELAY_DELIVERY_MANAGEMENT_PORT=29113
fi
export RELAY_DB_SUFFIX="$BENCH_DB_SUFFIX"
export RELAY_REDIS_NAMESPACE="$BENCH_REDIS_NAMESPACE"
# The gateway's per-workspace rate limiter allows 30000 requests/min, posts counting 0.5 (15000 posts/min); 300
# posts/s is 18000/min, so the load would measure the limiter. 0 turns it off; a 429 still counts as an error.
export RELAY_RATE_LIMIT_PER_MINUTE=0
bench_java_opts
export PGPASSWORD="${RELAY_PG_PASSWORD:-}"
PG="${RELAY_PG_HOST:-127.0.0.1}:${RELAY_PG_PORT:-5432}:${RELAY_PG_USER:-postgres}"

bench_select_source

WORK="$(mktemp -d)" # the client's classes and output
bench_stop_on_exit

# The client: DeliverLoad, Fleet, Tracker and Stages with the shared load kit (bench/loadkit).
"$JAVA_HOME/bin/javac" -d "$WORK/classes" "$ROOT"/bench/loadkit/*.java "$HERE"/*.java

# A run that ended with delivery-service behind leaves events in this stack's Redis stream, and the next stack would
# spend its measured phase consuming them. The namespace is this benchmark's own: drop the stream before starting.
if command -v redis-cli >/dev/null; then
  stale="$(redis-cli -u "${RELAY_REDIS_URL:-redis://127.0.0.1:6379}" XLEN "$RELAY_REDIS_NAMESPACE:events:stream" 2>/dev/null || echo 0)"
  if [[ "${stale:-0}" != 0 ]]; then
    echo "bench: dropping $RELAY_REDIS_NAMESPACE:events:stream ($stale entries left by earlier runs)"
    redis-cli -u "${RELAY_REDIS_URL:-redis://127.0.0.1:6379}" DEL "$RELAY_REDIS_NAMESPACE:events:stream" >/dev/null
  fi
else
  echo "bench: no redis-cli: events an earlier run left in $RELAY_REDIS_NAMESPACE:events:stream are not dropped" >&2
fi
bench_drop_databases
bench_start_stack
if grep -rqs RELAY_RATE_LIMIT_PER_MINUTE "$SRC/observer-gateway/src/main" "$SRC/common/src/main"; then
  limiter="present in the measured build, turned off with \`RELAY_RATE_LIMIT_PER_MINUTE=0\`"
else
  limiter="not in the measured build yet; \`RELAY_RATE_LIMIT_PER_MINUTE=0\` was exported all the same"
fi

rev="$(git -C "$ROOT" rev-parse HEAD)" # the commit measured (HEAD may move while the benchmark runs)
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
loadavg_before="$(cut -d' ' -f1-3 /proc/loadavg)"
busy_before="$(bench_busy_cores 3)" # the stack is up and idle: this is everything else
top_before="$(bench_top_processes 4)"
echo "bench: machine busy before the load: $busy_before of $(nproc) cores (load average $loadavg_before)"
bench_warn_if_busy "$busy_before"
OUT="$WORK/out.txt"
MD="$WORK/stages.md"

# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $BENCH_CLIENT_OPTS -cp "$WORK/classes" DeliverLoad \
  --gateway "http://127.0.0.1:$RELAY_GATEWAY_PORT" --agents "$BENCH_AGENTS" --channel-size "$BENCH_CHANNEL_SIZE" \
  --warmup "$BENCH_WARMUP" --duration "$BENCH_DURATION" --rates "$BENCH_RATES" \
  --connections "$BENCH_CONNECTIONS" --text-bytes "$BENCH_TEXT_BYTES" --grace "$BENCH_GRACE" --drain "$BENCH_DRAIN" \
  --readers "$BENCH_READERS" --open-concurrency "$BENCH_OPEN_CONCURRENCY" \
  --connect-attempts "$BENCH_CONNECT_ATTEMPTS" --pids "$PIDS" --databases "$DATABASES" --pg "$PG" --markdown "$MD" | tee "$OUT"
loadavg_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- tabulate and record ---------------------------------------------------------------------------------------

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
mapfile -t RESULT_LINES < <(grep '^RESULT ' "$OUT")
[[ ${#RESULT_LINES[@]} -gt 0 ]] || { echo "bench: the client produced no result" >&2; exit 1; }

# Issue 6's target: at 300 messages/s with 200 connected agents, p99 at most 15 ms and nothing lost (every post
# answered 201, every delivery read within the grace period).
verdict_of() { # RESULT line
  local line="$1"
  if awk -v p="$(field "$line" p99_ms)" -v l="$(field "$line" lost)" -v e="$(field "$line" post_errors)" \
    'BEGIN { exit !(p <= 15 && l == 0 && e == 0) }'; then echo met; else echo MISSED; fi
}

summary=""
target_note=""
other_max=0 # the most cores other work took during a measured phase
table="| target (msg/s) | agents connected | posts 201 / sent | deliveries expected | lost (to unconnected agents) | duplicates | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | post answer p99 ms | last delivery after the last post (s) | verdict (p99 ≤ 15 ms, nothing lost) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
cpu_table="| target (msg/s) | gateway | auth | workspace | delivery | postgres (workspace db / delivery db / rest) | redis | bench client | everything else | machine (of $(nproc)) |
|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
for line in "${RESULT_LINES[@]}"; do
  line=" ${line#RESULT }"
  rate="$(field "$line" rate)"
  verdict="$(verdict_of "$line")"
  by="$(field "$line" post_errors_by)"
  posts_cell="$(field "$line" posts_ok) / $(field "$line" posts)"
  [[ "$by" == - ]] || posts_cell+=" (${by//,/, })"
  table+=$'\n'"| $rate | $(field "$line" agents_connected) of $(field "$line" agents) | $posts_cell | $(field "$line" expected) | $(field "$line" lost) ($(field "$line" lost_unconnected)) | $(field "$line" duplicates) | $(field "$line" p50_ms) | $(field "$line" p90_ms) | $(field "$line" p99_ms) | $(field "$line" p999_ms) | $(field "$line" max_ms) | $(field "$line" post_p99_ms) | $(field "$line" last_s) | **$verdict** |"
  pg_rest="$(awk -v a="$(field "$line" cpu_pg_auth)" -v o="$(field "$line" cpu_pg_other)" 'BEGIN { printf "%.2f", a + o }')"
  cpu_table+=$'\n'"| $rate | $(field "$line" cpu_gateway) | $(field "$line" cpu_auth) | $(field "$line" cpu_workspace) | $(field "$line" cpu_delivery) | $(field "$line" cpu_postgres) ($(field "$line" cpu_pg_workspace) / $(field "$line" cpu_pg_delivery) / $pg_rest) | $(field "$line" cpu_redis) | $(field "$line" cpu_generator) | $(field "$line" cpu_other) | $(field "$line" cpu_machine) |"
  other_max="$(awk -v a="$other_max" -v b="$(field "$line" cpu_other)" 'BEGIN { print (b > a ? b : a) }')"
  summary+="${summary:+; }${rate}/s: p50 $(field "$line" p50_ms) ms, p99 $(field "$line" p99_ms) ms, max $(field "$line" max_ms) ms, $(field "$line" lost) of $(field "$line" expected) deliveries lost, $(field "$line" duplicates) duplicates, $(field "$line" post_errors) post errors"
  if [[ "$rate" == 300 && "$BENCH_AGENTS" == 200 ]]; then
    target_note="; target p99 <= 15 ms at 300/s with 200 agents, nothing lost: $verdict"
  fi
done
[[ -n "$target_note" ]] || target_note="; not issue 6's shape (300/s, 200 agents), so no verdict"
first=" ${RESULT_LINES[0]#RESULT }"
sockets_closed="$(field "$first" sockets_closed)"
connected="$(field "$first" agents_connected)"
unconnected_note=""
if [[ "$connected" != "$BENCH_AGENTS" ]]; then
  unconnected_note="**Only $connected of $BENCH_AGENTS agents could connect**: the other node sockets never got their \`101\` through the gateway (see \`NOT CONNECTED\` and the attempts in the client output). The load ran all the same; the deliveries to the unconnected agents are counted as lost (the number in brackets), and the latencies are those of the connected agents."
fi

echo
echo "$table"
echo
echo "$cpu_table"

if [[ "$BENCH_RECORD" != 1 ]]; then
  echo
  cat "$MD" 2>/dev/null || true
  exit 0
fi

[[ "$BENCH_SOURCE" != head ]] || rev="$(git -C "$ROOT" rev-parse "${SRC##*/src-}")"
source_desc="$(bench_source_desc "$rev" "the services, pom.xml and relay unmodified" common auth-service \
  workspace-service delivery-service observer-gateway pom.xml relay)"
shared="$(bench_shared_note "$busy_before" "$other_max" "$top_before" \
  "phase (the \"everything else\" CPU column, and \"else\" in each phase's 5-second timeline below)")"
channels=$(((BENCH_AGENTS + BENCH_CHANNEL_SIZE - 1) / BENCH_CHANNEL_SIZE))
mkdir -p "$RESULTS"
file="$RESULTS/post-to-deliver-$stamp.md"
{
  echo "# post-to-deliver: post through the gateway to \`deliver\` at every connected recipient, $started"
  echo
  echo "Issue 6: post-to-\`deliver\` latency at 300 messages/s with 200 connected agents across the whole stack; target"
  echo "p99 at most 15 ms, nothing lost. This run: $BENCH_AGENTS agents in $channels channels of up to $BENCH_CHANNEL_SIZE members (\`pd-000\`, ...;"
  echo "each agent also in \`general\`, where nobody posts), every agent connected as the SDK's \`AgentClient\` connects"
  echo "(\`POST /v1/agent/node-token\`, \`/v1/node/ws?token=nt_live_…\` through the gateway, \`node.register\`, a heartbeat every"
  echo "30 s, \`delivery.ack {agent, up_to_seq}\` for every \`deliver\` frame at once). Open-loop posts through the gateway,"
  echo "$BENCH_CONNECTIONS keep-alive connections: message *i* is due at \`start + i/rate\` and posted by agent *i* mod $BENCH_AGENTS to its"
  echo "channel, \`{\"text\": \"[pd:PHASE:i] …\"}\` of $BENCH_TEXT_BYTES characters, so each post makes $((BENCH_CHANNEL_SIZE - 1)) deliveries (one per other member)."
  echo "A delivery's latency runs from its post's due time to the read that brought the \`deliver\` frame to the recipient's"
  echo "socket (queueing and a late generator count). Lost: a delivery of a post answered 201 that no recipient socket read"
  echo "within ${BENCH_GRACE} s after the last post was due. Warm-up ${BENCH_WARMUP} s at the first rate (not recorded), then ${BENCH_DURATION} s per rate."
  echo "The bench client (one JVM: the poster and all $BENCH_AGENTS sockets) shares the machine's $(nproc) cores with the engine."
  echo
  echo "Rate limiter: the engine ran with \`RELAY_RATE_LIMIT_PER_MINUTE=0\` (the gateway's per-workspace limiter off; at its"
  echo "default, 15000 posts/min, 300 posts/s would be throttled); $limiter."
  echo
  [[ -z "$shared" ]] || { echo "$shared"; echo; }
  [[ -z "$unconnected_note" ]] || { echo "$unconnected_note"; echo; }
  echo "$table"
  echo
  echo "Node sockets closed during the run: ${sockets_closed:-?} (the SDK would reconnect; this client does not, so a closed"
  echo "socket's deliveries count as lost)."
  echo
  echo "CPU during each measured phase, average cores busy (per process; postgres split by the database each backend"
  echo "serves; \"everything else\" is the rest of the machine):"
  echo
  echo "$cpu_table"
  echo
  cat "$MD" 2>/dev/null || true
  echo "## Machine and build"
  echo
  echo "- date: $started (UTC)"
  echo "- commit: $rev"
  echo "- measured: $source_desc"
  bench_machine_facts
  bench_stack_facts "; bench client: \`$BENCH_CLIENT_OPTS\`"
  echo "- command: \`BENCH_RATES=$BENCH_RATES BENCH_DURATION=$BENCH_DURATION BENCH_WARMUP=$BENCH_WARMUP BENCH_AGENTS=$BENCH_AGENTS BENCH_CHANNEL_SIZE=$BENCH_CHANNEL_SIZE BENCH_CONNECTIONS=$BENCH_CONNECTIONS BENCH_TEXT_BYTES=$BENCH_TEXT_BYTES BENCH_GRACE=$BENCH_GRACE BENCH_SOURCE=$BENCH_SOURCE bench/post-to-deliver/run.sh\` (exports \`RELAY_RATE_LIMIT_PER_MINUTE=0\`)"
  echo
  echo "## Client output"
  echo
  echo '```'
  cat "$OUT"
  echo '```'
} >"$file"

bench_results_index
opts_note="$(bench_index_note "$other_max")"
echo "- $started post-to-deliver @ ${rev:0:12}$opts_note: $connected of $BENCH_AGENTS agents connected, channels of $BENCH_CHANNEL_SIZE, rate limiter off; $summary$target_note ([details](post-to-deliver-$stamp.md))" >>"$RESULTS/README.md"
echo "bench: recorded $file"
