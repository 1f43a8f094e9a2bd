-- One-time join codes. A code is shown once, at creation, and stored only as its SHA-256 hash; redeeming one mints a
-- restricted workspace key with the invite's capabilities. uses counts redemptions; an invite is spent when
-- uses = max_uses.
CREATE TABLE invites (
    id             text PRIMARY KEY,
    workspace_id   text        NOT NULL,
    code_hash      char(64)    NOT NULL UNIQUE,
    label          text,
    capabilities   text        NOT NULL,
    max_uses       integer     NOT NULL CHECK (max_uses > 0),
    uses           integer     NOT NULL DEFAULT 0 CHECK (uses >= 0),
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    created_by     text,
    revoked_at     timestamptz,
    last_used_at   timestamptz,
    CHECK (uses <= max_uses)
);

CREATE INDEX invites_by_workspace ON invites (workspace_id, created_at);
