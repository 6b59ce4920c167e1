-- Files sent with messages: the message, their place in it, and the sender's name for
-- them (dialog images have no message).
ALTER TABLE files ADD COLUMN message_id INTEGER REFERENCES messages(id);
ALTER TABLE files ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN name TEXT NOT NULL DEFAULT '';
CREATE INDEX files_message ON files(message_id, position);

-- Files uploaded for a message not sent yet: an operator's in one dialog, a visitor's
-- for their account (their message decides the dialog). Swept when abandoned.
CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    user_id      INTEGER REFERENCES users(id),
    dialog_id    INTEGER REFERENCES dialogs(id),
    account_id   INTEGER REFERENCES client_accounts(id),
    created_at   INTEGER NOT NULL,
    CHECK ((user_id IS NOT NULL AND dialog_id IS NOT NULL) OR account_id IS NOT NULL)
);
CREATE INDEX uploads_created ON uploads(created_at);
