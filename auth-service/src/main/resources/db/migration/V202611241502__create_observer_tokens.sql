-- Observer tokens' own fields (contract §3.2). The secret, scopes, filters, expiry and status live on the token's
-- credential row, which verification reads; a name is unique per workspace, revoked tokens included.
CREATE TABLE observer_tokens (
    id            text PRIMARY KEY,
    workspace_id  text        NOT NULL,
    credential_id text        NOT NULL UNIQUE REFERENCES credentials (id),
    name          text        NOT NULL,
    description   text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT observer_tokens_name_per_workspace UNIQUE (workspace_id, name)
);
