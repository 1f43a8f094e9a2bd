#!/usr/bin/env bash
# Benchmark: the gateway's cached-verification hot path (Tokens.sha256Hex + VerificationCache.get and the rest of
# what EdgeAuthenticator does before it answers from the cache), with JMH on the real classes.
#
#   bench/cached-verify/run.sh
#
# Builds bench/cached-verify (a standalone Maven project, not a module of the root pom) against the relay-common and
# observer-gateway jars in the local Maven repository, installing them from the working tree first when they are
# missing or lack the classes under test (BENCH_INSTALL=1 forces it), runs JMH and records the table in
# bench/results/cached-verify-<UTC date-time>.md plus one line in bench/results/README.md.
#
# Settings (environment):
#   BENCH_JMH_ARGS   extra JMH arguments, e.g. "-f 1 -wi 2 -i 3" for a quicker look (default: the annotations:
#                    2 forks x (3 x 1 s warm-up + 5 x 1 s measurement) per benchmark)
#   BENCH_INSTALL=1  reinstall common and observer-gateway from the working tree before building
#   BENCH_RECORD=0   print only; do not write bench/results/
set -euo pipefail

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ROOT="$BENCH_ROOT"
HERE="$ROOT/bench/cached-verify"
RESULTS="$BENCH_RESULTS"
bench_java_home
: "${BENCH_JMH_ARGS:=}"
: "${BENCH_INSTALL:=0}"
: "${BENCH_RECORD:=1}"

REPO="${BENCH_M2_REPO:-$HOME/.m2/repository}" # the local Maven repository the build resolves from
COMMON_JAR="$REPO/dev/relay/relay-common/0.1.0-SNAPSHOT/relay-common-0.1.0-SNAPSHOT.jar"
GATEWAY_JAR="$REPO/dev/relay/observer-gateway/0.1.0-SNAPSHOT/observer-gateway-0.1.0-SNAPSHOT.jar"
has_class() { [[ -f "$1" ]] && unzip -l "$1" 2>/dev/null | grep -q "$2"; }
if [[ "$BENCH_INSTALL" == 1 ]] || ! has_class "$COMMON_JAR" dev/relay/common/token/Tokens.class \
  || ! has_class "$GATEWAY_JAR" dev/relay/gateway/auth/VerificationCache.class; then
  echo "bench: installing relay-common and observer-gateway from the working tree into $REPO"
  (cd "$ROOT" && ./mvnw -B -ntp -q install -DskipTests -Dformatter.skip=true -pl common,observer-gateway)
fi

echo "bench: building $HERE"
"$ROOT/mvnw" -B -ntp -q -f "$HERE/pom.xml" package
JAR="$HERE/target/benchmarks.jar"

started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
loadavg_before="$(cut -d' ' -f1-3 /proc/loadavg)"
busy_before="$(bench_busy_cores 3)"
echo "bench: machine busy before JMH: $busy_before of $(nproc) cores (load average $loadavg_before)"
bench_warn_if_busy "$busy_before"
OUT="$(mktemp)"
CSV="$(mktemp)"
trap 'rm -f "$OUT" "$CSV"' EXIT

# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -jar "$JAR" -rf csv -rff "$CSV" $BENCH_JMH_ARGS | tee "$OUT"
loadavg_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# The JMH table as printed at the end of the run (from the "Benchmark ... Mode" header on).
table="$(sed -n '/^Benchmark .*Mode/,$p' "$OUT")"
score() { # benchmark method -> "score ± error"
  awk -F, -v m="dev.relay.bench.CachedVerifyBench.$1" \
    '{ gsub(/"/, "") } $1 == m { printf "%.1f ± %.1f", $5, $6 }' "$CSV"
}
full="$(score cachedVerification)"
full_ns="${full%% *}"
if [[ -n "$full_ns" ]] && awk -v ns="$full_ns" 'BEGIN { exit !(ns < 10000) }'; then
  verdict="met ($full ns, target well under 10 µs)"
else
  verdict="MISSED (${full:-no result} ns; target well under 10 µs)"
fi
summary="sha256Hex $(score sha256Hex) ns; cacheGet $(score cacheGet) ns; hash+get $(score hashAndGet) ns; cacheKey $(score cacheKey) ns; full cached verification $full ns"
echo
echo "bench: $summary"
echo "bench: target (cached verification well under 10 µs): $verdict"

[[ "$BENCH_RECORD" == 1 ]] || exit 0

rev="$(git -C "$ROOT" rev-parse HEAD)"
dirty="$(GIT_OPTIONAL_LOCKS=0 git -C "$ROOT" status --porcelain -- common observer-gateway 2>/dev/null || true)"
jar_fact() { printf '`%s` (%s bytes, built %s, sha256 %s)' "$(basename "$1")" "$(stat -c %s "$1")" \
  "$(date -u -r "$1" +%Y-%m-%dT%H:%M:%SZ)" "$(sha256sum "$1" | cut -c1-16)"; }
mkdir -p "$RESULTS"
file="$RESULTS/cached-verify-$stamp.md"
{
  echo "# cached-verify: the gateway's cached-verification hot path (JMH), $started"
  echo
  echo "Target (issue 3): a cached verification well under 10 microseconds. **Result: $verdict.**"
  echo
  echo "Real classes from the installed jars: \`Tokens.sha256Hex\` (relay-common), \`VerificationCache\`,"
  echo "\`EdgeVerdict.Allowed\` and \`Access\` (observer-gateway); the cache is built through its package-private"
  echo "constructor by reflection (size 100000, the gateway's default) and holds 1000 verified 40-character agent tokens"
  echo "for the access rule of \`GET /v1/agents\` (\`W A O:agents:read\`); each call takes the next token. Single thread,"
  echo "average time per operation in nanoseconds:"
  echo
  echo "- \`sha256Hex\`: \`Tokens.sha256Hex\` of a 40-character token"
  echo "- \`cacheGet\`: \`VerificationCache.get(hash, key, now)\` alone, a hit"
  echo "- \`hashAndGet\`: \`sha256Hex\` + \`get\` (precomputed key and instant)"
  echo "- \`cacheKey\`: \`Access.cacheKey()\`, which \`EdgeAuthenticator\` recomputes on every request"
  echo "- \`cachedVerification\`: the whole hot path as \`EdgeAuthenticator.authenticate\` runs it for a cached token:"
  echo "  \`sha256Hex\`, \`Clock.systemUTC().instant()\`, \`access.cacheKey()\`, \`get\` (all but wrapping the verdict in a \`Uni\`)"
  echo
  echo '```'
  echo "$table"
  echo '```'
  echo
  echo "## Machine and build"
  echo
  echo "- date: $started (UTC)"
  echo "- commit: $rev; $( [[ -z "$dirty" ]] && echo "common/ and observer-gateway/ unmodified in the working tree" || printf 'working-tree changes in common/ or observer-gateway/: %s' "$(tr '\n' ' ' <<<"$dirty")")"
  echo "- jars measured: $(jar_fact "$COMMON_JAR"); $(jar_fact "$GATEWAY_JAR")"
  bench_machine_facts
  echo "- JMH 1.37; extra arguments: \`${BENCH_JMH_ARGS:-none}\`"
  echo "- other work on the machine: $busy_before of $(nproc) cores busy during 3 s before JMH; load average (1/5/15 min) before: $loadavg_before, after: $loadavg_after"
  echo "- command: \`${BENCH_JMH_ARGS:+BENCH_JMH_ARGS=\"$BENCH_JMH_ARGS\" }bench/cached-verify/run.sh\`"
} >"$file"

bench_results_index
echo "- $started cached-verify @ ${rev:0:12}: $summary; target well under 10 µs: $verdict ([details](cached-verify-$stamp.md))" >>"$RESULTS/README.md"
echo "bench: recorded $file"
