-- Where each credential came from. issued_by is the credential whose holder asked for this one to be minted (the
-- workspace key that registered an agent, the node token that registered a broker's worker); issuer_key_id is the
-- workspace key at the root of that chain. Revoking a machine's restricted key revokes every active credential
-- whose issuer_key_id is that key, in one statement, so everything that machine was given stops working together.
ALTER TABLE credentials ADD COLUMN issued_by text;
ALTER TABLE credentials ADD COLUMN issuer_key_id text;

CREATE INDEX credentials_by_issuer_key ON credentials (issuer_key_id) WHERE status = 'active';
