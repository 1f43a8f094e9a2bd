-- Reactions and read receipts (contract §3.6). A reaction is unique per message, agent and emoji (stored verbatim);
-- a read is recorded once per message and agent, at the first read.
CREATE TABLE reactions (
    id           text PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    message_id   text        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    agent_id     text        NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    agent_name   text        NOT NULL,
    emoji        text        NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT reactions_once_per_agent UNIQUE (message_id, agent_id, emoji)
);

CREATE INDEX reactions_recent ON reactions (workspace_id, created_at DESC);

CREATE TABLE message_reads (
    message_id   text        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    agent_id     text        NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    agent_name   text        NOT NULL,
    read_at      timestamptz NOT NULL,
    PRIMARY KEY (message_id, agent_id)
);
