#!/usr/bin/env bash
# Shared by the bench/*/run.sh scripts: the JDK, machine facts and the results index. Source it; it runs nothing.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_RESULTS="$BENCH_ROOT/bench/results"

# The project's JDK: RELAY_JAVA_HOME if set, else Temurin 25 (as ./relay does).
bench_java_home() {
  if [[ -n "${RELAY_JAVA_HOME:-}" ]]; then
    export JAVA_HOME="$RELAY_JAVA_HOME"
  else
    export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
  fi
  [[ -x "$JAVA_HOME/bin/java" ]] || { echo "bench: no Java at $JAVA_HOME (set RELAY_JAVA_HOME)" >&2; exit 1; }
}

# Markdown list items: what a number recorded on this machine depends on.
bench_machine_facts() {
  echo "- nproc: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "- kernel: $(uname -sr)"
  echo "- java: $("$JAVA_HOME/bin/java" -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
}

# Creates bench/results/README.md (the index every run appends one line to) if it does not exist.
bench_results_index() {
  mkdir -p "$BENCH_RESULTS"
  [[ -f "$BENCH_RESULTS/README.md" ]] && return 0
  cat >"$BENCH_RESULTS/README.md" <<'HEADER'
# Benchmark results

Written by the benchmarks under `bench/` (see `bench/README.md`): one file per run, kept as recorded.

- `auth-verify-<UTC date-time>.md`: uncached verification at auth-service's internal API under open-loop load
  (`bench/auth-verify/run.sh`): rates, latency percentiles from each request's due time, errors, CPU split, machine
  facts and the load generator's full output.
- `cached-verify-<UTC date-time>.md`: the gateway's cached-verification hot path under JMH
  (`bench/cached-verify/run.sh`): the JMH table and machine facts.
- `post-messages-<UTC date-time>.md`: `POST /v1/channels/general/messages` through the gateway under open-loop
  load (`bench/post-messages/run.sh`): rates, latency percentiles from each request's due time, errors by status and
  code, CPU per process, the delivery backlog, machine facts and the load generator's full output.
- `post-to-deliver-<UTC date-time>.md`: a post through the gateway until its `deliver` frame reaches every recipient,
  with all agents connected over the fleet wire (`bench/post-to-deliver/run.sh`): per-delivery latency percentiles
  from each post's due time, lost and duplicate deliveries, the verdict against issue 6's target, CPU per process,
  where the time went, machine facts and the client's full output.

Each run appends one line below: when, which benchmark, the commit, the headline numbers and, where the benchmark has
a target (issue 3's for auth-verify and cached-verify, issue 6's for post-to-deliver), the verdict against it. Compare runs on the same kind of
machine only (2 cores here), and look at the load average each file records: other work on the machine moves these
numbers.

## Runs

HEADER
}

# Average cores busy on this machine over the next $1 seconds (default 2), from /proc/stat: what else is running.
bench_busy_cores() {
  local a b
  a=($(head -n 1 /proc/stat))
  sleep "${1:-2}"
  b=($(head -n 1 /proc/stat))
  awk -v n="$(nproc)" -v u1="${a[1]}" -v n1="${a[2]}" -v s1="${a[3]}" -v i1="${a[4]}" -v w1="${a[5]}" -v q1="${a[6]}" \
    -v sq1="${a[7]}" -v st1="${a[8]}" -v u2="${b[1]}" -v n2="${b[2]}" -v s2="${b[3]}" -v i2="${b[4]}" -v w2="${b[5]}" \
    -v q2="${b[6]}" -v sq2="${b[7]}" -v st2="${b[8]}" 'BEGIN {
      busy = (u2 - u1) + (n2 - n1) + (s2 - s1) + (q2 - q1) + (sq2 - sq1) + (st2 - st1)
      total = busy + (i2 - i1) + (w2 - w1)
      printf "%.2f", (total > 0 ? n * busy / total : 0) }'
}

# Warns when the machine is already busy before a measurement (other builds, tests, a forgotten stack).
bench_warn_if_busy() { # busy cores
  if awk -v b="$1" 'BEGIN { exit !(b > 0.3) }'; then
    echo "bench: WARNING: the machine was already busy ($1 of $(nproc) cores) before the measurement; the numbers" \
      "will be worse and noisier than on a quiet machine (see the top processes: ps -eo pcpu,args --sort=-pcpu | head)" >&2
  fi
}

# The $1 (default 4) busiest processes right now, over 1 s (top's second frame; ps would give lifetime averages):
# "%CPU command line" per line, command lines cut at 140 characters.
bench_top_processes() {
  top -b -n 2 -d 1 -w 200 -c 2>/dev/null \
    | awk '/^top -/ { frame++ } frame == 2 && /^ *[0-9]+ / { cmd = $0; sub(/^ *([^ ]+ +){11}/, "", cmd); print $9, cmd }' \
    | sed -n "1,${1:-4}p" | cut -c1-140
}

# ./relay's default JVM options for the services, read from the script itself so the two never disagree.
bench_relay_java_opts() {
  sed -n 's/^: "${RELAY_JAVA_OPTS:=\(.*\)}"$/\1/p' "$BENCH_ROOT/relay"
}

# The services' JVM options: RELAY_JAVA_OPTS, else ./relay's default, plus a JFR recording of every service under
# $RELAY_STATE_DIR/jfr/ when BENCH_JFR=1. Sets JAVA_OPTS_USED (for the result file) and exports RELAY_JAVA_OPTS.
bench_java_opts() {
  JAVA_OPTS_USED="${RELAY_JAVA_OPTS:-$(bench_relay_java_opts)}"
  if [[ "${BENCH_JFR:-0}" == 1 ]]; then
    mkdir -p "$RELAY_STATE_DIR/jfr"
    JAVA_OPTS_USED="$JAVA_OPTS_USED -XX:FlightRecorderOptions:stackdepth=256 -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$RELAY_STATE_DIR/jfr/"
  fi
  export RELAY_JAVA_OPTS="$JAVA_OPTS_USED"
}

# Which tree runs (BENCH_SOURCE): sets SRC to the working tree, or for `head` to a `git archive` export of HEAD under
# $RELAY_STATE_DIR (read-only git: archive, no checkout), so in-progress edits elsewhere in the tree neither break the
# build nor get measured.
bench_select_source() {
  local rev
  case "${BENCH_SOURCE:-worktree}" in
    worktree) SRC="$BENCH_ROOT" ;;
    head)
      rev="$(git -C "$BENCH_ROOT" rev-parse --short=12 HEAD)"
      SRC="$RELAY_STATE_DIR/src-$rev"
      if [[ ! -x "$SRC/relay" ]]; then
        echo "bench: exporting HEAD ($rev) to $SRC"
        rm -rf "$SRC.tmp" && mkdir -p "$SRC.tmp"
        git -C "$BENCH_ROOT" archive --format=tar HEAD | tar -x -C "$SRC.tmp"
        mv "$SRC.tmp" "$SRC"
      fi
      ;;
    *) echo "bench: BENCH_SOURCE is worktree or head, not '$BENCH_SOURCE'" >&2; exit 2 ;;
  esac
}

# Starts the benchmark's own stack from $SRC with ./relay up, first stopping one an interrupted run left under
# $RELAY_STATE_DIR (./relay up would reuse it with that run's settings). Sets PIDS (label=pid of each service) and
# DATABASES (label=database name), as the bench clients take them.
bench_start_stack() {
  if compgen -G "$RELAY_STATE_DIR/pids/*.pid" >/dev/null; then
    echo "bench: stopping a stack left running under $RELAY_STATE_DIR, so this run's settings apply"
    "$SRC/relay" down
  fi
  echo "bench: starting the bench stack from $SRC (state $RELAY_STATE_DIR, gateway on :$RELAY_GATEWAY_PORT)"
  "$SRC/relay" up
  local s="$RELAY_STATE_DIR/pids"
  PIDS="gateway=$(cat "$s/observer-gateway.pid"),auth=$(cat "$s/auth-service.pid"),workspace=$(cat "$s/workspace-service.pid"),delivery=$(cat "$s/delivery-service.pid")"
  DATABASES="auth=relay_auth$RELAY_DB_SUFFIX,workspace=relay_workspace$RELAY_DB_SUFFIX,delivery=relay_delivery$RELAY_DB_SUFFIX"
}

# What a result file says was measured: the export of HEAD, or the working tree at commit $1 with any local changes in
# the paths $3 ... (phrase $2 when there are none).
bench_source_desc() { # commit, phrase when unmodified, paths...
  local rev="$1" clean="$2" dirty
  shift 2
  if [[ "${BENCH_SOURCE:-worktree}" == head ]]; then
    echo "a \`git archive\` export of HEAD ($rev), built under \`$SRC\`"
  else
    dirty="$(GIT_OPTIONAL_LOCKS=0 git -C "$BENCH_ROOT" status --porcelain -- "$@" 2>/dev/null || true)"
    if [[ -z "$dirty" ]]; then
      echo "the working tree at HEAD $rev; $clean"
    else
      printf 'the working tree at HEAD %s; local changes in the measured modules:\n\n```\n%s\n```\n' "$rev" "$dirty"
    fi
  fi
}

# The result file's "machine was shared" paragraph, empty on a quiet machine: $1 cores busy before the load, $2 the
# most other work took during a measured part, $3 the busiest processes before the load, $4 where the file shows that
# other work.
bench_shared_note() { # busy before, other max, top processes, where
  awk -v b="$1" -v o="$2" 'BEGIN { exit !(b > 0.3 || o > 0.3) }' || return 0
  printf '%s\n\n```\n%s\n```\n' "**The machine was shared** with other work (a concurrent build or test run): $1 of $(nproc) cores were busy before the load, and other work took up to $2 cores during a measured $4. These numbers are worse and noisier than a quiet machine's; rerun on one before comparing. Busiest processes just before the load (%CPU over 1 s, from top):" "$3"
}

# Drops this benchmark's own databases (relay_<service>$RELAY_DB_SUFFIX), so every run starts from empty tables: the
# machine's PostgreSQL runs with autovacuum off (as CI's does), and the rows and dead row versions earlier runs left
# made each run slower than the one before. Refuses to touch a database without a bench suffix.
bench_drop_databases() {
  local db
  [[ "${RELAY_DB_SUFFIX:-}" == _bench* ]] || { echo "bench: not dropping databases of suffix '${RELAY_DB_SUFFIX:-}'" >&2; return 1; }
  for db in relay_auth relay_workspace relay_delivery; do
    psql -h "${RELAY_PG_HOST:-127.0.0.1}" -p "${RELAY_PG_PORT:-5432}" -U "${RELAY_PG_USER:-postgres}" -qAt \
      -c "drop database if exists ${db}${RELAY_DB_SUFFIX} with (force)" >/dev/null
  done
}

# However the script ends: stop the bench stack started from $SRC and remove $WORK (the client's classes and output).
bench_stop_on_exit() {
  trap 'echo "bench: stopping the bench stack"; "$SRC/relay" down >/dev/null 2>&1 || true; rm -rf "${WORK:-}"' EXIT
  trap 'exit 130' INT TERM
}

# Result-file lines on the stack and the machine around it: PostgreSQL and Redis versions, the services' JVM options
# ($1 is appended to that line), and the other work on the machine ($busy_before, $loadavg_before, $loadavg_after).
bench_stack_facts() { # extra text for the JVM options line
  echo "- PostgreSQL: $(psql --version 2>/dev/null || echo unknown); Redis: $(redis-server --version 2>/dev/null | cut -d' ' -f3 || echo unknown)"
  echo "- service JVM options (RELAY_JAVA_OPTS): \`$JAVA_OPTS_USED\`${1:-}"
  echo "- other work on the machine: $busy_before of $(nproc) cores busy during 3 s before the load (stack idle); load average (1/5/15 min) before: $loadavg_before, after: $loadavg_after"
}

# The results index's remark on what sets a run apart: JVM options other than ./relay's, a shared machine ($shared
# non-empty; $1 the most cores other work took during the measured parts, $busy_before before).
bench_index_note() { # other max
  local note=""
  [[ "$JAVA_OPTS_USED" == "$(bench_relay_java_opts)" ]] || note=" (services run with \`$JAVA_OPTS_USED\`)"
  [[ -z "${shared:-}" ]] || note+=" (machine shared: other work took up to $1 cores during the phases, $busy_before before)"
  echo "$note"
}
