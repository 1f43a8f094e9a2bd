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

Each run appends one line below: when, which benchmark, the commit, the headline numbers and, where the benchmark has
a target (issue 3's for auth-verify and cached-verify), the verdict against it. Compare runs on the same kind of
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
