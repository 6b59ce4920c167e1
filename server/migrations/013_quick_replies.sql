-- Saved answers: shared ones (owner_id NULL, managed by administrators) and each
-- user's own.
CREATE TABLE quick_replies (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX quick_replies_owner ON quick_replies(owner_id);
