-- The bytes of uploaded and delivered files: in the database, so that every instance
-- reaches every file (on SQLite they stay in FILES_DIR).
CREATE TABLE file_bytes (
    id    TEXT PRIMARY KEY,
    bytes BYTEA NOT NULL
);
