#!/usr/bin/env bash
# Builds the services as native executables (k8s/images/native.properties) and, with buildah, native container
# images on the Debian minbase layer that k8s/images/build.sh makes:
#
#   k8s/images/build-native.sh [service ...]     -> target/images/<service>-native.tar (relay/<service>:<tag>-native)
#
# Needs GraalVM for JDK 25 or Mandrel 25: `native-image` on the PATH or GRAALVM_HOME set. This machine has neither;
# the script says so and stops. The Deployments need no change for a native image except the image name (kustomize
# `images:`); JDK_JAVA_OPTIONS is ignored by a native executable.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ALL=(auth-service workspace-service delivery-service observer-gateway)
SERVICES=("$@")
[[ ${#SERVICES[@]} -gt 0 ]] || SERVICES=("${ALL[@]}")

say() { printf 'images-native: %s\n' "$*"; }
die() { printf 'images-native: %s\n' "$*" >&2; exit 1; }

NATIVE_IMAGE=""
if [[ -n "${GRAALVM_HOME:-}" && -x "$GRAALVM_HOME/bin/native-image" ]]; then
  NATIVE_IMAGE="$GRAALVM_HOME/bin/native-image"
elif command -v native-image >/dev/null; then
  NATIVE_IMAGE="$(command -v native-image)"
  export GRAALVM_HOME="$(cd "$(dirname "$NATIVE_IMAGE")/.." && pwd)"
fi
if [[ -z "$NATIVE_IMAGE" ]]; then
  die "no GraalVM or Mandrel here: install GraalVM for JDK 25 or Mandrel 25 and set GRAALVM_HOME (or put native-image on the PATH). Native images need it; build them on a machine that has it. The JVM images (k8s/images/build.sh) need only a JDK."
fi
command -v buildah >/dev/null || die "buildah not found (apt-get install buildah)"
say "using $("$NATIVE_IMAGE" --version | head -n 1)"

args=()
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  args+=("-D$line")
done <"$ROOT/k8s/images/native.properties"

list="$(IFS=,; echo "${SERVICES[*]}")"
say "building native executables of $list (tests skipped; this takes several minutes per service) ..."
(cd "$ROOT" && ./mvnw -B -ntp package -pl "$list" -am -Dmaven.test.skip=true -Dformatter.skip=true "${args[@]}")

VERSION="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml")"
: "${RELAY_IMAGE_TAG:=$VERSION}"
: "${RELAY_IMAGE_OUT:=$ROOT/target/images}"
: "${RELAY_BUILDAH_ROOT:=$RELAY_IMAGE_OUT/storage}"
: "${DEBIAN_SUITE:=bookworm}"
BUILDAH=(buildah --root "$RELAY_BUILDAH_ROOT" --runroot "$RELAY_IMAGE_OUT/run" --storage-driver vfs)
BASE="localhost/relay/debian-minbase:$DEBIAN_SUITE"
"${BUILDAH[@]}" inspect --type image "$BASE" >/dev/null 2>&1 \
  || die "the base $BASE is missing: run k8s/images/build.sh once first (it makes it)"

for svc in "${SERVICES[@]}"; do
  runner="$(ls "$ROOT/$svc"/target/*-runner 2>/dev/null | head -n 1)"
  [[ -x "$runner" ]] || die "no native executable in $svc/target"
  c="$("${BUILDAH[@]}" from --pull-never --quiet "$BASE")"
  "${BUILDAH[@]}" copy --quiet --chown 0:0 --chmod 0755 "$c" "$runner" /deployments/application
  "${BUILDAH[@]}" config --workingdir /deployments --user 10001:10001 \
    --entrypoint '["/deployments/application"]' --cmd '' \
    --label org.opencontainers.image.title="$svc" \
    --label org.opencontainers.image.version="$RELAY_IMAGE_TAG-native" "$c"
  "${BUILDAH[@]}" commit --quiet "$c" "localhost/relay/$svc:$RELAY_IMAGE_TAG-native" >/dev/null
  "${BUILDAH[@]}" rm "$c" >/dev/null
  rm -f "$RELAY_IMAGE_OUT/$svc-native.tar"
  "${BUILDAH[@]}" push --quiet "localhost/relay/$svc:$RELAY_IMAGE_TAG-native" \
    "oci-archive:$RELAY_IMAGE_OUT/$svc-native.tar:relay/$svc:$RELAY_IMAGE_TAG-native"
  say "$svc: wrote $RELAY_IMAGE_OUT/$svc-native.tar"
done
