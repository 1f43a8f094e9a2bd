-- Idempotency records (contract §1.6): one per workspace, acting agent, route scope and sha256 of the
-- Idempotency-Key, written in the same transaction as the write it guards, so a replay answers exactly what the first
-- request committed and a concurrent duplicate waits for the first and then replays it. Kept 24 hours.
CREATE TABLE idempotency_records (
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    actor_id     text        NOT NULL,
    scope        text        NOT NULL,
    key_hash     text        NOT NULL,
    fingerprint  text        NOT NULL,
    status       smallint,
    response     text,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, actor_id, scope, key_hash)
);

CREATE INDEX idempotency_records_by_age ON idempotency_records (created_at);
