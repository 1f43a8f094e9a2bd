#!/usr/bin/env bash
# Runs the four images written by k8s/images/build.sh without any container runtime, the way the Deployments run them,
# and checks that the engine comes up healthy:
#
#   k8s/images/smoke-test.sh
#
# Each OCI archive is unpacked into a root filesystem that is then mounted READ-ONLY, with a tmpfs on /tmp (the
# Deployments' emptyDir) and the JWT key mounted read-only at /etc/relay/jwt (the Secret relay-jwt), and the image's
# entrypoint runs there in a chroot as uid/gid 10001 with the image's environment. The services reach the local
# PostgreSQL and Redis on 127.0.0.1 (databases relay_*_k8simage, created and dropped here; Redis namespace k8simage),
# on ports 28xxx (services) and 29xxx (management). Passes when every service's /q/health/ready and /q/health/live
# answer 200 and the gateway's /health reports every service up. Needs root, psql, openssl, jq; Linux only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGES="${RELAY_IMAGE_OUT:-$ROOT/target/images}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/relay-image-smoke.XXXXXX")"
SERVICES=(auth-service workspace-service delivery-service observer-gateway)
SUFFIX=_k8simage
: "${RELAY_PG_HOST:=127.0.0.1}" "${RELAY_PG_PORT:=5432}" "${RELAY_PG_USER:=postgres}" "${RELAY_PG_PASSWORD:=}"

say() { printf 'smoke: %s\n' "$*"; }
die() { printf 'smoke: FAIL %s\n' "$*" >&2; exit 1; }

[[ "$(id -u)" == 0 ]] || die "needs root (mount namespaces, chroot)"
for tool in unshare chroot psql openssl jq curl; do command -v "$tool" >/dev/null || die "$tool not found"; done

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  local db
  for db in relay_auth relay_workspace relay_delivery; do
    PGPASSWORD="$RELAY_PG_PASSWORD" psql -h "$RELAY_PG_HOST" -p "$RELAY_PG_PORT" -U "$RELAY_PG_USER" -d postgres -q \
      -c "DROP DATABASE IF EXISTS $db$SUFFIX WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

http_port() { case "$1" in auth-service) echo 28081 ;; workspace-service) echo 28082 ;; delivery-service) echo 28083 ;; observer-gateway) echo 28787 ;; esac; }
management_port() { case "$1" in auth-service) echo 29081 ;; workspace-service) echo 29082 ;; delivery-service) echo 29083 ;; observer-gateway) echo 29787 ;; esac; }

# An OCI archive's layers, in order, unpacked into a directory (the images have no deleted files, so no whiteouts).
unpack() { # archive dir
  local layout="$WORK/layout-$(basename "$1" .tar)" manifest config layer
  mkdir -p "$layout" "$2"
  tar -C "$layout" -xf "$1"
  manifest="$(jq -r '.manifests[0].digest' "$layout/index.json" | cut -d: -f2)"
  for layer in $(jq -r '.layers[].digest' "$layout/blobs/sha256/$manifest" | cut -d: -f2); do
    tar -C "$2" --numeric-owner -xzf "$layout/blobs/sha256/$layer"
  done
  config="$(jq -r '.config.digest' "$layout/blobs/sha256/$manifest" | cut -d: -f2)"
  cp "$layout/blobs/sha256/$config" "$2.config.json"
  rm -rf "$layout"
}

say "creating the databases relay_*$SUFFIX"
for db in relay_auth relay_workspace relay_delivery; do
  PGPASSWORD="$RELAY_PG_PASSWORD" psql -h "$RELAY_PG_HOST" -p "$RELAY_PG_PORT" -U "$RELAY_PG_USER" -d postgres -q \
    -c "DROP DATABASE IF EXISTS $db$SUFFIX WITH (FORCE)" -c "CREATE DATABASE $db$SUFFIX" >/dev/null
done

mkdir -p "$WORK/jwt"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/jwt/private.pem" 2>/dev/null
chmod 0444 "$WORK/jwt/private.pem"
secret() { openssl rand -hex 32; }
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
GATEWAY_SECRET="$(secret)" WORKSPACE_SECRET="$(secret)" DELIVERY_SECRET="$(secret)" ADMIN_SECRET="$(secret)"

# The environment a pod gets: the image's own, the ConfigMap's (with loopback addresses), the Secret's.
common_env=(
  RELAY_HOST=127.0.0.1 RELAY_MANAGEMENT_HOST=127.0.0.1 RELAY_GATEWAY_HOST=127.0.0.1
  RELAY_AUTH_PORT=28081 RELAY_WORKSPACE_PORT=28082 RELAY_DELIVERY_PORT=28083 RELAY_GATEWAY_PORT=28787
  RELAY_AUTH_MANAGEMENT_PORT=29081 RELAY_WORKSPACE_MANAGEMENT_PORT=29082 RELAY_DELIVERY_MANAGEMENT_PORT=29083
  RELAY_GATEWAY_MANAGEMENT_PORT=29787
  RELAY_AUTH_URL=http://127.0.0.1:28081 RELAY_WORKSPACE_URL=http://127.0.0.1:28082 RELAY_DELIVERY_URL=http://127.0.0.1:28083
  RELAY_AUTH_HEALTH_URL=http://127.0.0.1:29081/q/health/ready
  RELAY_WORKSPACE_HEALTH_URL=http://127.0.0.1:29082/q/health/ready
  RELAY_DELIVERY_HEALTH_URL=http://127.0.0.1:29083/q/health/ready
  RELAY_PG_HOST="$RELAY_PG_HOST" RELAY_PG_PORT="$RELAY_PG_PORT" RELAY_PG_USER="$RELAY_PG_USER"
  RELAY_PG_PASSWORD="$RELAY_PG_PASSWORD" RELAY_DB_SUFFIX="$SUFFIX"
  RELAY_REDIS_URL=redis://127.0.0.1:6379 RELAY_REDIS_NAMESPACE=k8simage RELAY_LOG_JSON=true
  "JDK_JAVA_OPTIONS=-XX:MaxRAMPercentage=70 -Xmx384m -XX:+ExitOnOutOfMemoryError"
)
service_env() {
  case "$1" in
    auth-service) echo "RELAY_AUTH_JWT_PRIVATE_KEY_FILE=/etc/relay/jwt/private.pem" \
      "RELAY_GATEWAY_SECRET_SHA256=$(sha "$GATEWAY_SECRET")" "RELAY_WORKSPACE_SECRET_SHA256=$(sha "$WORKSPACE_SECRET")" \
      "RELAY_DELIVERY_SECRET_SHA256=$(sha "$DELIVERY_SECRET")" "RELAY_ADMIN_SECRET_SHA256=$(sha "$ADMIN_SECRET")" ;;
    workspace-service) echo "RELAY_SERVICE_SECRET=$WORKSPACE_SECRET" ;;
    delivery-service) echo "RELAY_SERVICE_SECRET=$DELIVERY_SECRET" ;;
    observer-gateway) echo "RELAY_SERVICE_SECRET=$GATEWAY_SECRET" ;;
  esac
}

start() {
  local svc="$1" rootfs="$WORK/$1" image_env entrypoint user
  [[ -s "$IMAGES/$svc.tar" ]] || die "no $IMAGES/$svc.tar: run k8s/images/build.sh first"
  unpack "$IMAGES/$svc.tar" "$rootfs"
  mkdir -p "$rootfs/etc/relay/jwt"
  mapfile -t image_env < <(jq -r '.config.Env[]' "$rootfs.config.json")
  mapfile -t entrypoint < <(jq -r '.config.Entrypoint[]' "$rootfs.config.json")
  user="$(jq -r '.config.User' "$rootfs.config.json")"
  [[ "$user" == 10001:10001 ]] || die "$svc: the image runs as '$user', not 10001:10001"
  # shellcheck disable=SC2046
  unshare --mount --propagation private -- bash -c '
    set -e
    rootfs="$1"; jwt="$2"; user="$3"; shift 3
    mount --bind "$rootfs" "$rootfs"
    mount -t proc proc "$rootfs/proc"
    mount --rbind /dev "$rootfs/dev"
    mount -t tmpfs -o size=64m,mode=1777 tmpfs "$rootfs/tmp"
    mount --bind "$jwt" "$rootfs/etc/relay/jwt"
    mount -o remount,bind,ro "$rootfs/etc/relay/jwt"
    mount -o remount,bind,ro "$rootfs"
    exec chroot --userspec="$user" "$rootfs" "$@"
  ' smoke "$rootfs" "$WORK/jwt" "$user" /usr/bin/env -i "${image_env[@]}" "${common_env[@]}" $(service_env "$svc") \
    "${entrypoint[@]}" >"$WORK/$svc.log" 2>&1 &
  pids+=($!)
  say "$svc started from $svc.tar (pid $!, read-only root, uid 10001)"
}

wait_ready() {
  local svc="$1" port deadline
  port="$(management_port "$svc")"
  deadline=$((SECONDS + 180))
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready")" == 200 ]]; do
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      tail -n 30 "$WORK/$svc.log" >&2
      die "$svc exited during start"
    fi
    if ((SECONDS > deadline)); then
      tail -n 30 "$WORK/$svc.log" >&2
      die "$svc did not become ready within 180 s"
    fi
    sleep 1
  done
  for path in /q/health/live /q/health/started; do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")" == 200 ]] || die "$svc $path is not 200"
  done
  say "$svc ready: /q/health/ready, /q/health/live and /q/health/started answer 200 on $port"
}

for svc in "${SERVICES[@]}"; do
  start "$svc"
  wait_ready "$svc"
done

health="$(curl -s -w '\n%{http_code}' http://127.0.0.1:28787/health)"
say "gateway GET /health -> ${health##*$'\n'} ${health%$'\n'*}"
[[ "${health##*$'\n'}" == 200 ]] || die "the gateway's /health is not 200"
# Nothing was written outside /tmp: the root filesystem was read-only all along.
for svc in "${SERVICES[@]}"; do
  grep -qi 'read-only file system' "$WORK/$svc.log" && die "$svc tried to write to its read-only root filesystem"
done
say "PASS: the four images run read-only as uid 10001 and the engine is healthy"
