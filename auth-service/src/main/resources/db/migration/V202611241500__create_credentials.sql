-- Every credential of the engine, of all four kinds, in one table. Raw secrets are never stored: only the SHA-256
-- hex of the token, and a display prefix (kind prefix + 4 secret characters) safe to show and log. The JSON
-- columns (scopes, filters, capabilities) are text: they are only ever read whole, never queried into.
CREATE TABLE credentials (
    id                   text PRIMARY KEY,
    kind                 text        NOT NULL,
    workspace_id         text,
    subject_id           text        NOT NULL,
    subject_name         text,
    token_hash           char(64)    NOT NULL UNIQUE,
    display_prefix       text        NOT NULL,
    status               text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    scopes               text        NOT NULL DEFAULT '[]',
    filters              text        NOT NULL DEFAULT '{}',
    capabilities         text        NOT NULL DEFAULT '[]',
    label                text,
    expires_at           timestamptz,
    created_at           timestamptz NOT NULL,
    rotated_at           timestamptz,
    revoked_at           timestamptz,
    revoked_reason       text,
    last_used_at         timestamptz,
    previous_hash        char(64) UNIQUE,
    previous_valid_until timestamptz
);

CREATE INDEX credentials_by_subject ON credentials (workspace_id, subject_id);

-- Hashes of secrets replaced by a rotation, kept so that presenting one answers "rotated_out", not "not_found".
CREATE TABLE retired_hashes (
    token_hash    char(64) PRIMARY KEY,
    credential_id text        NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    retired_at    timestamptz NOT NULL
);

-- When a workspace expires, every token of it stops working (workspace_expired).
CREATE TABLE workspace_expiry (
    workspace_id text PRIMARY KEY,
    expires_at   timestamptz NOT NULL
);
