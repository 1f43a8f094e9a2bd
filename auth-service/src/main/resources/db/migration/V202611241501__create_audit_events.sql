-- One row per mint, rotation, revocation and refused verification; pruned after the configured retention.
CREATE TABLE audit_events (
    id              bigserial PRIMARY KEY,
    occurred_at     timestamptz NOT NULL,
    event           text        NOT NULL,
    reason          text,
    kind            text,
    hash_prefix     char(8),
    workspace_id    text,
    credential_id   text,
    calling_service text,
    remote_host     text
);

CREATE INDEX audit_events_by_time ON audit_events (occurred_at);
CREATE INDEX audit_events_by_credential ON audit_events (credential_id);
