-- Nodes (contract §6.1): brokers, implicit direct nodes of SDK agents, http_push receivers and pollers. A node's
-- token lives at auth-service; credential_id names it so re-enrolling can rotate it.
CREATE TABLE nodes (
    id                text PRIMARY KEY,
    workspace_id      text        NOT NULL,
    name              text        NOT NULL,
    kind              text        NOT NULL,
    role              text        NOT NULL,
    machine_id        text,
    delivery_adapter  text        NOT NULL,
    delivery          text,
    capabilities      text        NOT NULL DEFAULT '[]',
    tags              text        NOT NULL DEFAULT '[]',
    version           text,
    max_agents        integer     NOT NULL,
    status            text        NOT NULL DEFAULT 'offline',
    handlers_live     boolean     NOT NULL DEFAULT false,
    load              double precision,
    active_agents     integer     NOT NULL DEFAULT 0,
    last_heartbeat_at timestamptz,
    credential_id     text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz,
    CONSTRAINT nodes_name_per_workspace UNIQUE (workspace_id, name)
);

-- Agent-node bindings (§6.2): at most one active binding per agent.
CREATE TABLE node_bindings (
    id           text PRIMARY KEY,
    workspace_id text        NOT NULL,
    agent_id     text        NOT NULL,
    agent_name   text        NOT NULL,
    node_id      text        NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    provider     text,
    status       text        NOT NULL,
    session_ref  text,
    priority     integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz
);

CREATE UNIQUE INDEX node_bindings_one_active ON node_bindings (agent_id) WHERE status = 'active';
CREATE INDEX node_bindings_by_node ON node_bindings (node_id) WHERE status = 'active';

-- Per recipient agent: the high-water seq (gapless, never reused) and the cumulative ack cursor (§6.5, §6.6).
CREATE TABLE mailboxes (
    agent_id     text PRIMARY KEY,
    workspace_id text        NOT NULL,
    agent_name   text        NOT NULL,
    delivery_seq bigint      NOT NULL DEFAULT 0,
    ack_seq      bigint      NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL
);

-- Durable deliveries (§3.9): one per message and recipient, with the recipient's next seq.
CREATE TABLE deliveries (
    id                  text PRIMARY KEY,
    workspace_id        text        NOT NULL,
    message_id          text        NOT NULL,
    channel_id          text,
    agent_id            text        NOT NULL,
    agent_name          text        NOT NULL,
    seq                 bigint      NOT NULL,
    status              text        NOT NULL,
    mode                text        NOT NULL,
    reason              text,
    priority            text        NOT NULL DEFAULT 'normal',
    event_id            text        NOT NULL,
    event_type          text        NOT NULL,
    data                text        NOT NULL,
    injection_mode      text        NOT NULL DEFAULT 'wait',
    route_node_id       text,
    route_node_kind     text,
    route_node_role     text,
    delivery_adapter    text,
    dispatch_attempts   integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz,
    last_dispatch_error text,
    retryable           boolean,
    error               text,
    available_at        timestamptz,
    deadline            timestamptz,
    expires_at          timestamptz,
    delivered_at        timestamptz,
    acked_at            timestamptz,
    dead_lettered_at    timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz,
    CONSTRAINT deliveries_once_per_message_and_agent UNIQUE (message_id, agent_id),
    CONSTRAINT deliveries_seq_per_agent UNIQUE (agent_id, seq)
);

CREATE INDEX deliveries_active ON deliveries (agent_id, seq) WHERE status IN ('queued', 'delivered');

-- Events already turned into deliveries: consuming the stream again (after a crash) changes nothing.
CREATE TABLE consumed_events (
    event_id    text PRIMARY KEY,
    consumed_at timestamptz NOT NULL
);
