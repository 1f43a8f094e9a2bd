-- Why an agent deferred a delivery (contract §6.5 defer): kept apart from `reason`, which says why the delivery exists
-- (message, mention, thread-reply, dm) and is an enum on the wire.
ALTER TABLE deliveries ADD COLUMN defer_reason text;

-- The TTL sweep (§6.5 expiry) takes active rows by expiry time in bounded batches.
CREATE INDEX deliveries_active_by_expiry ON deliveries (expires_at) WHERE status IN ('queued', 'delivered');
