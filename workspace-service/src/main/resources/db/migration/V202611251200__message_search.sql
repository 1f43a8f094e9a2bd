-- Full-text search over message text (contract §3.8): a stored tsvector kept by PostgreSQL itself, and its GIN index.
-- The 'simple' configuration neither stems nor drops stop words, so agents find the words they wrote, in any language.
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED;

CREATE INDEX messages_search ON messages USING gin (search);
