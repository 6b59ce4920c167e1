-- How far each user has read each dialog (their unread count is what came after).
CREATE TABLE dialog_reads (
    user_id              INTEGER NOT NULL REFERENCES users(id),
    dialog_id            INTEGER NOT NULL REFERENCES dialogs(id),
    last_read_message_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, dialog_id)
) WITHOUT ROWID;
