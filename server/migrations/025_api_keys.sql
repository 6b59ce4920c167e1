-- Keys a host's backend uses to ask for embed sessions; only a hash of the secret is
-- stored. `origins` is a JSON array of the host origins whose pages may embed.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    origins      TEXT NOT NULL,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

-- An embed session is a session opened by a key; revoking the key ends it.
ALTER TABLE sessions ADD COLUMN api_key_id INTEGER REFERENCES api_keys(id) ON DELETE CASCADE;
CREATE INDEX sessions_api_key ON sessions(api_key_id) WHERE api_key_id IS NOT NULL;
