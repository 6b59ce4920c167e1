-- Files kept on disk under random names; the row says what they are and whose.
CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    dialog_id    INTEGER NOT NULL REFERENCES dialogs(id),
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    uploaded_by  INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX files_dialog ON files(dialog_id);

-- The dialog's image (set in the Rename form), shown as its avatar.
ALTER TABLE dialogs ADD COLUMN avatar_file_id TEXT REFERENCES files(id);
