-- The durable event log: every state change appends one row, in the same transaction as the change, with a
-- per-workspace gapless seq (the counter row is locked until commit). The table is also the outbox: rows with no
-- published_at are (re)published to Redis by the outbox relay.
CREATE TABLE workspace_counters (
    workspace_id text PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    event_seq    bigint NOT NULL DEFAULT 0
);

CREATE TABLE workspace_events (
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    seq          bigint      NOT NULL,
    event_id     text        NOT NULL UNIQUE,
    type         text        NOT NULL,
    channel_id   text,
    payload      text        NOT NULL,
    data         text        NOT NULL,
    recipients   text,
    created_at   timestamptz NOT NULL,
    published_at timestamptz,
    PRIMARY KEY (workspace_id, seq)
);

CREATE INDEX workspace_events_unpublished ON workspace_events (workspace_id, seq) WHERE published_at IS NULL;

INSERT INTO workspace_counters (workspace_id) SELECT id FROM workspaces;

CREATE TABLE messages (
    id              text PRIMARY KEY,
    workspace_id    text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel_id      text        NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    agent_id        text,
    agent_name      text        NOT NULL,
    thread_id       text REFERENCES messages (id) ON DELETE CASCADE,
    body            text        NOT NULL,
    blocks          text,
    metadata        text        NOT NULL DEFAULT '{}',
    mentions        text        NOT NULL DEFAULT '[]',
    injection_mode  text        NOT NULL DEFAULT 'wait',
    created_at      timestamptz NOT NULL
);

CREATE INDEX messages_by_channel ON messages (channel_id, created_at DESC, id DESC) WHERE thread_id IS NULL;
CREATE INDEX messages_by_thread ON messages (thread_id, created_at, id) WHERE thread_id IS NOT NULL;
