-- The http_push retry sweep (contract §6.7) takes queued rows routed to http_push nodes by their next attempt.
CREATE INDEX deliveries_push_due ON deliveries (next_attempt_at NULLS FIRST, created_at)
    WHERE status = 'queued' AND route_node_kind = 'http_push';
