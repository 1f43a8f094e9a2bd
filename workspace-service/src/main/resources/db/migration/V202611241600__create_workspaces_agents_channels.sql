-- Workspaces, their agents, and channels with their members (contract §3.1, §3.3, §3.4). JSON columns are text:
-- they are stored and returned whole, exactly as received.
CREATE TABLE workspaces (
    id                     text PRIMARY KEY,
    name                   text        NOT NULL,
    system_prompt          text,
    plan                   text        NOT NULL DEFAULT 'free',
    metadata               text        NOT NULL DEFAULT '{}',
    provenance             text,
    key_credential_id      text        NOT NULL,
    expires_at             timestamptz,
    created_at             timestamptz NOT NULL
);

-- Lookup by name answers the most recent workspace of that name (names are not unique).
CREATE INDEX workspaces_by_name ON workspaces (name, created_at DESC);

CREATE TABLE agents (
    id              text PRIMARY KEY,
    workspace_id    text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    type            text        NOT NULL DEFAULT 'agent' CHECK (type IN ('agent', 'human', 'system')),
    status          text        NOT NULL DEFAULT 'active',
    persona         text,
    metadata        text        NOT NULL DEFAULT '{}',
    capabilities    text        NOT NULL DEFAULT '{}',
    credential_id   text        NOT NULL,
    created_at      timestamptz NOT NULL,
    last_seen       timestamptz,
    CONSTRAINT agents_name_per_workspace UNIQUE (workspace_id, name)
);

CREATE TABLE channels (
    id           text PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    channel_type smallint    NOT NULL DEFAULT 0,
    topic        text,
    metadata     text        NOT NULL DEFAULT '{}',
    created_by   text,
    is_archived  boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL,
    CONSTRAINT channels_name_per_workspace UNIQUE (workspace_id, name)
);

CREATE TABLE channel_members (
    channel_id   text        NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    agent_id     text        NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    role         text        NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
    joined_at    timestamptz NOT NULL,
    last_read_id text,
    is_muted     boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (channel_id, agent_id)
);

CREATE INDEX channel_members_by_agent ON channel_members (agent_id);
