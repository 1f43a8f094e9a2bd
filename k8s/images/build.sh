#!/usr/bin/env bash
# Builds each service's JVM container image without a Docker daemon, with buildah, and writes it as an OCI archive:
#
#   k8s/images/build.sh [--build] [service ...]        (default: all four services)
#
#   target/images/<service>.tar   OCI image layout archive, image name relay/<service>:<tag>
#
# The base image is made here too, from nothing pulled from a registry:
#   layer 1  Debian bookworm, minbase variant (debootstrap from the Debian mirror), trimmed, plus a user relay (10001)
#   layer 2  /opt/java: a Temurin 25 runtime made by jlink from $JAVA_HOME (only the modules the services need)
# and each service adds
#   layer 3  /deployments/lib: its dependencies (Quarkus fast-jar), which change rarely
#   layer 4  /deployments/{app,quarkus,quarkus-run.jar}: the service itself
# The image runs as 10001:10001 and writes only to /tmp, so it runs with a read-only root filesystem.
#
# Options and settings:
#   --build                      package the services first (./mvnw package, tests skipped); without it, a service
#                                whose target/quarkus-app is missing is packaged, the others are used as they are
#   RELAY_IMAGE_TAG              image tag (default: the project version from pom.xml)
#   RELAY_IMAGE_OUT              output directory (default: target/images)
#   RELAY_BUILDAH_ROOT           buildah storage (default: target/images/storage; vfs driver, no kernel overlay needed)
#   DEBIAN_MIRROR, DEBIAN_SUITE  where debootstrap fetches from (default http://deb.debian.org/debian, bookworm)
#
# Needs (Debian/Ubuntu package names): buildah, debootstrap, and a JDK 25 with jlink (JAVA_HOME, default
# /usr/lib/jvm/temurin-25-jdk-amd64); run as root (debootstrap and buildah's vfs storage need it). Push the archives
# with `skopeo copy oci-archive:target/images/<service>.tar docker://<registry>/relay/<service>:<tag>` (k8s/README.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ALL=(auth-service workspace-service delivery-service observer-gateway)

say() { printf 'images: %s\n' "$*"; }
die() { printf 'images: %s\n' "$*" >&2; exit 1; }

FORCE_BUILD=false
SERVICES=()
for arg in "$@"; do
  case "$arg" in
    --build) FORCE_BUILD=true ;;
    -h | --help) sed -n '2,29p' "$0"; exit 0 ;;
    -*) die "unknown option $arg" ;;
    *) [[ " ${ALL[*]} " == *" $arg "* ]] || die "unknown service '$arg' (one of: ${ALL[*]})"; SERVICES+=("$arg") ;;
  esac
done
[[ ${#SERVICES[@]} -gt 0 ]] || SERVICES=("${ALL[@]}")

: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
VERSION="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml")"
: "${RELAY_IMAGE_TAG:=$VERSION}"
: "${RELAY_IMAGE_OUT:=$ROOT/target/images}"
: "${RELAY_BUILDAH_ROOT:=$RELAY_IMAGE_OUT/storage}"
: "${DEBIAN_MIRROR:=http://deb.debian.org/debian}"
: "${DEBIAN_SUITE:=bookworm}"

# --- what this machine must have; each missing piece is named with how to get it ---------------------------------
missing=()
command -v buildah >/dev/null || missing+=("buildah (apt-get install buildah): builds and writes the images without a Docker daemon")
command -v debootstrap >/dev/null || missing+=("debootstrap (apt-get install debootstrap): makes the Debian root filesystem of the base image")
[[ -x "$JAVA_HOME/bin/jlink" ]] || missing+=("jlink of a JDK 25 (set JAVA_HOME; Temurin 25 expected at /usr/lib/jvm/temurin-25-jdk-amd64)")
[[ "$(id -u)" == 0 ]] || missing+=("root (debootstrap and buildah's vfs storage need it; run with sudo)")
if [[ ${#missing[@]} -gt 0 ]]; then
  printf 'images: cannot build the images here; missing:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

mkdir -p "$RELAY_IMAGE_OUT/cache"
BUILDAH=(buildah --root "$RELAY_BUILDAH_ROOT" --runroot "$RELAY_IMAGE_OUT/run" --storage-driver vfs)
export BUILDAH_ISOLATION=chroot

# The JDK modules the services use (Quarkus, Vert.x, Hibernate, JDBC, JMX metrics, JFR); k8s/images/smoke-test.sh
# runs every image, so a module missing here shows up as a NoClassDefFoundError there.
JRE_MODULES=java.base,java.compiler,java.datatransfer,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,jdk.crypto.cryptoki,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs
JAVA_VERSION="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
# The tag names what the base is made of, so a new JDK, suite or module list builds a new base.
BASE_IMAGE="localhost/relay/jre-base:${JAVA_VERSION//+/_}-$DEBIAN_SUITE-$(printf '%s' "$JRE_MODULES" | sha256sum | cut -c1-8)"

containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do "${BUILDAH[@]}" rm "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

new_container() { # image -> container id
  local c
  c="$("${BUILDAH[@]}" from --pull-never --quiet "$1")"
  containers+=("$c")
  echo "$c"
}

# --- the base image: Debian minbase + a jlink'd Temurin runtime, built once and kept in the buildah storage -------
build_base() {
  if "${BUILDAH[@]}" inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
    say "base image $BASE_IMAGE already built"
    return
  fi
  local work="$RELAY_IMAGE_OUT/cache/base" rootfs_tar="$RELAY_IMAGE_OUT/cache/debian-$DEBIAN_SUITE-minbase.tar"
  rm -rf "$work" && mkdir -p "$work"
  if [[ ! -s "$rootfs_tar" ]]; then
    say "debootstrap: Debian $DEBIAN_SUITE (minbase) from $DEBIAN_MIRROR ..."
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$work/rootfs" "$DEBIAN_MIRROR" >"$RELAY_IMAGE_OUT/cache/debootstrap.log" 2>&1 \
      || die "debootstrap failed; see $RELAY_IMAGE_OUT/cache/debootstrap.log"
    # What a runtime image does not need: package caches and lists, documentation, locales.
    rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
      "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/* "$work/rootfs"/usr/share/info/* \
      "$work/rootfs"/usr/share/locale/* "$work/rootfs"/var/log/*.log "$work/rootfs"/var/cache/debconf/*-old
    # The user the services run as (the Deployments' runAsUser/runAsGroup).
    echo 'relay:x:10001:10001:Relay engine:/deployments:/usr/sbin/nologin' >>"$work/rootfs/etc/passwd"
    echo 'relay:x:10001:' >>"$work/rootfs/etc/group"
    echo 'relay:!:19000::::::' >>"$work/rootfs/etc/shadow"
    tar -C "$work/rootfs" --numeric-owner -cf "$rootfs_tar" .
    rm -rf "$work/rootfs"
  fi
  say "jlink: Temurin $JAVA_VERSION runtime with $(tr ',' '\n' <<<"$JRE_MODULES" | wc -l) modules ..."
  "$JAVA_HOME/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --generate-cds-archive --output "$work/java" >/dev/null

  local c
  c="$("${BUILDAH[@]}" from --quiet scratch)"
  containers+=("$c")
  "${BUILDAH[@]}" add --quiet "$c" "$rootfs_tar" / >/dev/null
  "${BUILDAH[@]}" commit --quiet "$c" localhost/relay/debian-minbase:"$DEBIAN_SUITE" >/dev/null
  c="$(new_container localhost/relay/debian-minbase:"$DEBIAN_SUITE")"
  "${BUILDAH[@]}" copy --quiet "$c" "$work/java" /opt/java
  "${BUILDAH[@]}" config \
    --env JAVA_HOME=/opt/java \
    --env PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 \
    --user 10001:10001 \
    --label org.opencontainers.image.title="relay jre-base" \
    --label org.opencontainers.image.description="Debian $DEBIAN_SUITE minbase + jlink'd Temurin $JAVA_VERSION" \
    "$c"
  "${BUILDAH[@]}" commit --quiet "$c" "$BASE_IMAGE" >/dev/null
  rm -rf "$work"
  say "base image $BASE_IMAGE built"
  # Bases of an earlier JDK, suite or module list are not needed any more.
  local stale
  for stale in $("${BUILDAH[@]}" images --format '{{.Name}}:{{.Tag}}' | grep '/relay/jre-base:' || true); do
    [[ "$stale" == "$BASE_IMAGE" ]] || "${BUILDAH[@]}" rmi "$stale" >/dev/null 2>&1 || true
  done
}

# --- the services --------------------------------------------------------------------------------------------------
package_services() {
  local to_build=() svc
  for svc in "${SERVICES[@]}"; do
    if $FORCE_BUILD || [[ ! -f "$ROOT/$svc/target/quarkus-app/quarkus-run.jar" ]]; then to_build+=("$svc"); fi
  done
  [[ ${#to_build[@]} -gt 0 ]] || return 0
  local list
  list="$(IFS=,; echo "${to_build[*]}")"
  say "packaging $list (./mvnw package, tests skipped) ..."
  (cd "$ROOT" && ./mvnw -B -ntp -q package -pl "$list" -am -Dmaven.test.skip=true -Dformatter.skip=true) \
    || die "the build failed; run ./mvnw -B package -pl $list -am -DskipTests to see why"
}

management_port() {
  case "$1" in
    auth-service) echo 9081 ;; workspace-service) echo 9082 ;; delivery-service) echo 9083 ;; observer-gateway) echo 9787 ;;
  esac
}
http_port() {
  case "$1" in
    auth-service) echo 8081 ;; workspace-service) echo 8082 ;; delivery-service) echo 8083 ;; observer-gateway) echo 8787 ;;
  esac
}

build_service() {
  local svc="$1" app="$ROOT/$1/target/quarkus-app" image="localhost/relay/$1:$RELAY_IMAGE_TAG" c archive
  archive="$RELAY_IMAGE_OUT/$svc.tar"
  say "$svc: image relay/$svc:$RELAY_IMAGE_TAG from $app"
  # Layer 3: dependencies.
  c="$(new_container "$BASE_IMAGE")"
  "${BUILDAH[@]}" copy --quiet --chown 0:0 --chmod 0755 "$c" "$app/lib" /deployments/lib
  "${BUILDAH[@]}" commit --quiet "$c" "localhost/relay/$svc-deps:$RELAY_IMAGE_TAG" >/dev/null
  # Layer 4: the service.
  c="$(new_container "localhost/relay/$svc-deps:$RELAY_IMAGE_TAG")"
  "${BUILDAH[@]}" copy --quiet --chown 0:0 "$c" "$app/app" /deployments/app
  "${BUILDAH[@]}" copy --quiet --chown 0:0 "$c" "$app/quarkus" /deployments/quarkus
  "${BUILDAH[@]}" copy --quiet --chown 0:0 "$c" "$app/quarkus-run.jar" /deployments/quarkus-run.jar
  "${BUILDAH[@]}" config \
    --workingdir /deployments \
    --user 10001:10001 \
    --port "$(http_port "$svc")/tcp" \
    --port "$(management_port "$svc")/tcp" \
    --entrypoint '["/opt/java/bin/java","-jar","/deployments/quarkus-run.jar"]' \
    --cmd '' \
    --label org.opencontainers.image.title="$svc" \
    --label org.opencontainers.image.version="$RELAY_IMAGE_TAG" \
    --label org.opencontainers.image.description="Relay engine $svc (JVM, Quarkus fast-jar)" \
    "$c"
  "${BUILDAH[@]}" commit --quiet "$c" "$image" >/dev/null
  rm -f "$archive"
  "${BUILDAH[@]}" push --quiet "$image" "oci-archive:$archive:relay/$svc:$RELAY_IMAGE_TAG"
  # The archive is the product; the storage keeps only the base (vfs copies every layer in full).
  "${BUILDAH[@]}" rm "$c" >/dev/null 2>&1 || true
  "${BUILDAH[@]}" rmi "$image" "localhost/relay/$svc-deps:$RELAY_IMAGE_TAG" >/dev/null 2>&1 || true
  say "$svc: wrote $archive ($(du -h "$archive" | cut -f1))"
}

package_services
build_base
for svc in "${SERVICES[@]}"; do build_service "$svc"; done
say "done: $(cd "$RELAY_IMAGE_OUT" && ls -1 ./*.tar | tr '\n' ' ')"
