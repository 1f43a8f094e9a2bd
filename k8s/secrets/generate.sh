#!/usr/bin/env bash
# Fills in every Secret of k8s/secrets/templates.yaml with fresh values and writes them, ready for `kubectl apply -f`,
# together with the SQL that creates the matching PostgreSQL roles and databases.
#
#   k8s/secrets/generate.sh [--out DIR] [--namespace NS]
#
#   --out DIR        where to write (default k8s/secrets/out, ignored by git; created with mode 700)
#   --namespace NS   the namespace of the Secrets (default relay)
#
# Generated: the RSA-2048 JWT key pair (openssl), one 256-bit service secret for the gateway, workspace-service,
# delivery-service and the operator (admin), the SHA-256 of each for auth-service, and one password per database
# role. Values already in the environment are used instead of generating them:
#   RELAY_PG_AUTH_PASSWORD, RELAY_PG_WORKSPACE_PASSWORD, RELAY_PG_DELIVERY_PASSWORD   the roles' passwords
#   RELAY_REDIS_URL            a Redis URL with credentials (redis[s]://:PASSWORD@host:port), put into every
#                              service's Secret, where it wins over the ConfigMap's password-less URL
#   RELAY_JWT_PRIVATE_KEY_FILE an existing PKCS#8 PEM private key to keep
# Nothing is sent anywhere: review the files, apply them, then keep or delete them as your secret handling requires.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/k8s/secrets/out"
NAMESPACE=relay

while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --namespace) NAMESPACE="$2"; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "generate.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

command -v openssl >/dev/null || { echo "generate.sh: openssl is needed (apt-get install openssl)" >&2; exit 1; }

umask 077
mkdir -p "$OUT"
chmod 700 "$OUT"

random_hex() { openssl rand -hex 32; }
sha256_of() { printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1; }
b64() { base64 -w0; }

# --- the JWT key pair ---
if [[ -n "${RELAY_JWT_PRIVATE_KEY_FILE:-}" ]]; then
  cp "$RELAY_JWT_PRIVATE_KEY_FILE" "$OUT/jwt-private.pem"
else
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/jwt-private.pem" 2>/dev/null
fi
openssl pkey -in "$OUT/jwt-private.pem" -pubout -out "$OUT/jwt-public.pem" 2>/dev/null

# --- service secrets, their hashes, database passwords ---
GATEWAY_SECRET="$(random_hex)"
WORKSPACE_SECRET="$(random_hex)"
DELIVERY_SECRET="$(random_hex)"
ADMIN_SECRET="$(random_hex)"
PG_AUTH_PASSWORD="${RELAY_PG_AUTH_PASSWORD:-$(random_hex)}"
PG_WORKSPACE_PASSWORD="${RELAY_PG_WORKSPACE_PASSWORD:-$(random_hex)}"
PG_DELIVERY_PASSWORD="${RELAY_PG_DELIVERY_PASSWORD:-$(random_hex)}"

# secret NAME SERVICE-LABEL KEY=VALUE... -> $OUT/NAME.yaml
secret() {
  local name="$1" service="$2" pair
  shift 2
  {
    echo "apiVersion: v1"
    echo "kind: Secret"
    echo "metadata:"
    echo "  name: $name"
    echo "  namespace: $NAMESPACE"
    echo "  labels:"
    echo "    app.kubernetes.io/part-of: relay"
    [[ -n "$service" ]] && echo "    app.kubernetes.io/name: $service"
    echo "type: Opaque"
    echo "data:"
    for pair in "$@"; do
      echo "  ${pair%%=*}: $(printf '%s' "${pair#*=}" | b64)"
    done
  } >"$OUT/$name.yaml"
}

redis=()
[[ -n "${RELAY_REDIS_URL:-}" ]] && redis=("RELAY_REDIS_URL=$RELAY_REDIS_URL")

secret relay-jwt "" "private.pem=$(cat "$OUT/jwt-private.pem")
" "public.pem=$(cat "$OUT/jwt-public.pem")
"
secret relay-auth-service auth-service \
  "RELAY_PG_USER=relay_auth" "RELAY_PG_PASSWORD=$PG_AUTH_PASSWORD" \
  "RELAY_GATEWAY_SECRET_SHA256=$(sha256_of "$GATEWAY_SECRET")" \
  "RELAY_WORKSPACE_SECRET_SHA256=$(sha256_of "$WORKSPACE_SECRET")" \
  "RELAY_DELIVERY_SECRET_SHA256=$(sha256_of "$DELIVERY_SECRET")" \
  "RELAY_ADMIN_SECRET_SHA256=$(sha256_of "$ADMIN_SECRET")" "${redis[@]}"
secret relay-workspace-service workspace-service \
  "RELAY_PG_USER=relay_workspace" "RELAY_PG_PASSWORD=$PG_WORKSPACE_PASSWORD" \
  "RELAY_SERVICE_SECRET=$WORKSPACE_SECRET" "${redis[@]}"
secret relay-delivery-service delivery-service \
  "RELAY_PG_USER=relay_delivery" "RELAY_PG_PASSWORD=$PG_DELIVERY_PASSWORD" \
  "RELAY_SERVICE_SECRET=$DELIVERY_SECRET" "${redis[@]}"
secret relay-observer-gateway observer-gateway "RELAY_SERVICE_SECRET=$GATEWAY_SECRET" "${redis[@]}"
secret relay-admin "" "RELAY_ADMIN_SECRET=$ADMIN_SECRET"

# --- the PostgreSQL side: one role per service, owner of its database and of nothing else ---
cat >"$OUT/postgres-setup.sql" <<SQL
-- Run once as a PostgreSQL superuser (or your managed service's admin role), e.g.
--   psql "host=<postgres host> user=<admin> dbname=postgres" -v ON_ERROR_STOP=1 -f postgres-setup.sql
-- Each service logs in with its own role and owns only its own database (Flyway creates the tables at start).
CREATE ROLE relay_auth LOGIN PASSWORD '$PG_AUTH_PASSWORD';
CREATE ROLE relay_workspace LOGIN PASSWORD '$PG_WORKSPACE_PASSWORD';
CREATE ROLE relay_delivery LOGIN PASSWORD '$PG_DELIVERY_PASSWORD';
CREATE DATABASE relay_auth OWNER relay_auth;
CREATE DATABASE relay_workspace OWNER relay_workspace;
CREATE DATABASE relay_delivery OWNER relay_delivery;
REVOKE ALL ON DATABASE relay_auth FROM PUBLIC;
REVOKE ALL ON DATABASE relay_workspace FROM PUBLIC;
REVOKE ALL ON DATABASE relay_delivery FROM PUBLIC;
SQL

# The key files are inside the Secret now; the private key is not left lying around beside them.
rm -f "$OUT/jwt-private.pem"

echo "generate.sh: wrote to $OUT:"
ls -1 "$OUT" | sed 's/^/  /'
echo "next: run postgres-setup.sql on your PostgreSQL, then: kubectl apply -f $OUT/ (the .yaml files)"
