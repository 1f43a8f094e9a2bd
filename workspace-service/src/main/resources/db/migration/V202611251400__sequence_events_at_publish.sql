-- The outbox relay, not the writer, gives an event its per-workspace seq.
--
-- Until now every writer took the next seq by updating its workspace's workspace_counters row and held that row lock
-- until its transaction committed, so all writes into one workspace ran one after the other; under load the wait for
-- that lock was the ceiling of posting. A writer now inserts its event with seq null (committed, durable, not yet
-- in the `since` log). The relay selects the unsequenced rows, and per workspace advances the counter by their count
-- and sets their seqs in one short transaction of its own: the counter row stays locked until that transaction
-- commits and the rows get their seqs and become visible in the same commit, so a reader paging by seq never sees a
-- seq before a lower one, across relay replicas too. Rows sequenced before this migration keep their seqs.
ALTER TABLE workspace_events DROP CONSTRAINT workspace_events_pkey;
ALTER TABLE workspace_events DROP CONSTRAINT workspace_events_event_id_key;
ALTER TABLE workspace_events ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE workspace_events ADD PRIMARY KEY (event_id);
-- Unique where set; unsequenced rows (null) do not collide. Also the index of the `since` reader.
ALTER TABLE workspace_events ADD CONSTRAINT workspace_events_workspace_seq_key UNIQUE (workspace_id, seq);

-- What the relay sequences next, oldest first.
DROP INDEX workspace_events_unpublished;
CREATE INDEX workspace_events_unsequenced ON workspace_events (created_at, event_id) WHERE seq IS NULL;
-- What it publishes next, in seq order per workspace: sequenced and not yet (or again not) published.
CREATE INDEX workspace_events_unpublished ON workspace_events (workspace_id, seq)
    WHERE published_at IS NULL AND seq IS NOT NULL;
