-- DM conversations (contract §3.7): each is backed by a channel of channel_type 1 (1:1) or 2 (group) whose
-- channel_members are the current participants and whose messages are the conversation's messages. A 1:1
-- conversation has the deterministic id dm_<h> (§1.7) and records its sorted pair, which is unique per workspace, so
-- the same two agents always land in the same conversation and a digest collision is detected, never merged.
CREATE TABLE dm_conversations (
    id                 text PRIMARY KEY,
    workspace_id       text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel_id         text        NOT NULL UNIQUE REFERENCES channels (id) ON DELETE CASCADE,
    dm_type            text        NOT NULL CHECK (dm_type IN ('1:1', 'group')),
    name               text,
    participant_one_id text,
    participant_two_id text,
    created_by         text,
    created_at         timestamptz NOT NULL,
    CONSTRAINT dm_conversations_pair UNIQUE (workspace_id, participant_one_id, participant_two_id),
    CONSTRAINT dm_conversations_pair_iff_one_to_one
        CHECK ((dm_type = '1:1') = (participant_one_id IS NOT NULL AND participant_two_id IS NOT NULL))
);

CREATE INDEX dm_conversations_by_workspace ON dm_conversations (workspace_id, created_at DESC, id DESC);

-- Regular channel names and DM backing channel names are separate namespaces: a regular channel named like a DM
-- backing channel (dm-<h> is a valid channel name) must not block that DM. The regular index keeps its old name,
-- which channel creation recognises on a lost race.
ALTER TABLE channels DROP CONSTRAINT channels_name_per_workspace;
CREATE UNIQUE INDEX channels_name_per_workspace ON channels (workspace_id, name) WHERE channel_type = 0;
CREATE UNIQUE INDEX dm_channels_name_per_workspace ON channels (workspace_id, name) WHERE channel_type <> 0;
