-- Test fixture: credentials as an older schema or an importer left them (generic kind, missing workspace), for
-- the kind-backfill test. Raw tokens are well-known test values; only their hashes are stored, as always.
INSERT INTO credentials (id, kind, workspace_id, subject_id, token_hash, display_prefix, status, created_at)
VALUES
    -- an agent token with a generic kind and no workspace; its sibling credential names the workspace
    ('cred_legacy_agent', 'api_key', NULL, 'agent_legacy_1',
     encode(sha256('at_live_11111111111111111111111111111111'::bytea), 'hex'), 'at_live_1111', 'active',
     '2025-06-01T00:00:00Z'),
    ('cred_legacy_agent_sibling', 'agent_token', 'ws_legacy', 'agent_legacy_1',
     encode(sha256('at_live_22222222222222222222222222222222'::bytea), 'hex'), 'at_live_2222', 'active',
     '2025-06-01T00:00:00Z'),
    -- a workspace key with a generic kind: its subject is the workspace itself
    ('cred_legacy_key', 'api_key', NULL, 'ws_legacy_key',
     encode(sha256('rk_live_33333333333333333333333333333333'::bytea), 'hex'), 'rk_live_3333', 'active',
     '2025-06-01T00:00:00Z'),
    -- a revoked legacy row: never touched
    ('cred_legacy_revoked', 'api_key', NULL, 'agent_legacy_2',
     encode(sha256('at_live_44444444444444444444444444444444'::bytea), 'hex'), 'at_live_4444', 'revoked',
     '2025-06-01T00:00:00Z'),
    -- a node token whose workspace cannot be inferred: reported, not guessed
    ('cred_legacy_orphan', 'api_key', NULL, 'node_orphan',
     encode(sha256('nt_live_555555555555555555555555555555555555555555555555'::bytea), 'hex'), 'nt_live_5555',
     'active', '2025-06-01T00:00:00Z');
