-- One event's deliveries in one round trip (issue 6). A repeatable migration: Flyway runs it again, after the
-- versioned ones, whenever this file changes, so the function is edited here, in place.
--
-- DeliveryStore.create used to run seven statements per event (begin, the consumed-event marker, locking the
-- recipients' mailboxes, the depth-cap count, the seq upsert, the insert, commit), each a round trip during which the
-- recipients' mailbox rows stayed locked, so later events for the same agents waited on the network and the service's
-- event loop. The same steps, in the same order and with the same locks, now run inside the database as one statement.
--
-- Answers one row per refused recipient (refused_agent_id set, delivery null) and one per created delivery
-- (refused_agent_id null, delivery the inserted row); nothing at all when the event was consumed before.
CREATE OR REPLACE FUNCTION create_deliveries(
    p_event_id       text,
    p_workspace_id   text,
    p_message_id     text,
    p_channel_id     text,
    p_event_type     text,
    p_data           text,
    p_injection_mode text,
    p_expires_at     timestamptz,
    p_now            timestamptz,
    p_depth_cap      integer,
    p_ids            text[],
    p_agent_ids      text[],
    p_agent_names    text[],
    p_reasons        text[])
    RETURNS TABLE (refused_agent_id text, delivery deliveries)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_full text[];
BEGIN
    -- A redelivered stream entry changes nothing.
    INSERT INTO consumed_events (event_id, consumed_at) VALUES (p_event_id, p_now) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    -- The recipients' mailboxes, locked in agent-id order (as the seq upsert below takes them), so the depth-cap count
    -- sees every row a concurrent event for the same agent committed, and concurrent events cannot deadlock.
    PERFORM 1 FROM mailboxes WHERE agent_id = ANY (p_agent_ids) ORDER BY agent_id FOR UPDATE;

    -- Full mailboxes (§6.3): at least the cap's number of queued or delivered rows not past expires_at. Every active
    -- row lies above the ack cursor (a cumulative ack settles everything at or below it), so a mailbox whose issued
    -- seqs exceed its cursor by less than the cap cannot be full and is not counted. The cursor is read without a lock:
    -- an ack moving it concurrently only makes the difference look larger, so the rows are counted.
    SELECT coalesce(array_agg(m.agent_id), '{}')
    INTO v_full
    FROM mailboxes m
             LEFT JOIN ack_cursors a ON a.agent_id = m.agent_id
    WHERE m.agent_id = ANY (p_agent_ids)
      AND m.delivery_seq - coalesce(a.ack_seq, 0) >= p_depth_cap
      AND (SELECT count(*)
           FROM (SELECT 1
                 FROM deliveries d
                 WHERE d.agent_id = m.agent_id
                   AND d.status IN ('queued', 'delivered')
                   AND (d.expires_at IS NULL OR d.expires_at > p_now)
                 LIMIT p_depth_cap) AS active) >= p_depth_cap;

    RETURN QUERY SELECT full_agent, NULL::deliveries FROM unnest(v_full) AS full_agent;

    -- Every accepted recipient's next seq (gapless: refused recipients get none), then its row with that seq and the
    -- route of its active node binding.
    RETURN QUERY
        WITH recipients AS (SELECT r.id, r.agent_id, r.agent_name, r.reason
                            FROM unnest(p_ids, p_agent_ids, p_agent_names, p_reasons)
                                     AS r(id, agent_id, agent_name, reason)
                            WHERE NOT r.agent_id = ANY (v_full)),
             seqs AS (INSERT INTO mailboxes (agent_id, workspace_id, agent_name, delivery_seq, created_at)
                 SELECT r.agent_id, p_workspace_id, r.agent_name, 1, p_now FROM recipients r ORDER BY r.agent_id
                 ON CONFLICT (agent_id) DO UPDATE SET delivery_seq = mailboxes.delivery_seq + 1,
                     agent_name = excluded.agent_name
                 RETURNING agent_id, delivery_seq),
             -- A mailbox created just now (its first seq is 1; an updated one is at least 2) gets its ack cursor.
             cursors AS (INSERT INTO ack_cursors (agent_id)
                 SELECT agent_id FROM seqs WHERE delivery_seq = 1 ORDER BY agent_id
                 ON CONFLICT (agent_id) DO NOTHING)
        INSERT INTO deliveries AS created (id, workspace_id, message_id, channel_id, agent_id, agent_name, seq, status,
                                           mode, reason, event_id, event_type, data, injection_mode, route_node_id,
                                           route_node_kind, route_node_role, delivery_adapter, expires_at, created_at)
            SELECT r.id, p_workspace_id, p_message_id, p_channel_id, r.agent_id, r.agent_name, s.delivery_seq,
                   'queued', 'immediate', r.reason, p_event_id, p_event_type, p_data, p_injection_mode, n.id, n.kind,
                   n.role, n.delivery_adapter, p_expires_at, p_now
            FROM recipients r
                     JOIN seqs s ON s.agent_id = r.agent_id
                     LEFT JOIN node_bindings b ON b.agent_id = r.agent_id AND b.status = 'active'
                     LEFT JOIN nodes n ON n.id = b.node_id
            ORDER BY r.agent_id
        RETURNING NULL::text, created;
END;
$$;
