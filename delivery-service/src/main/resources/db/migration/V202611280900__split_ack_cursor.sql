-- The cumulative ack cursor gets a row of its own (issue 6). It lived on the mailbox row, which delivery creation
-- locks to issue seqs: every ack waited for creations for the same agents and every creation for acks, and with acks
-- written in batches for many agents at once (AckWriter) a batch held up every creation touching any of its agents. An
-- ack never needs the seq counter locked (it caps the cursor at the highest seq committed, which is all a client can
-- have received), and a creation only reads the cursor (for the depth cap), so the two no longer share a lock.
CREATE TABLE ack_cursors (
    agent_id text PRIMARY KEY,
    ack_seq  bigint NOT NULL DEFAULT 0
);

INSERT INTO ack_cursors (agent_id, ack_seq) SELECT agent_id, ack_seq FROM mailboxes;

ALTER TABLE mailboxes DROP COLUMN ack_seq;
