-- Messenger channels can be disconnected; their dialogs stay readable. A reconnected
-- bot is a new channel, so its chats start anew (as after reinstalling an integration)
-- while its clients stay the same people.
ALTER TABLE channels ADD COLUMN disconnected_at INTEGER;

-- A Telegram bot behind a channel. The token is needed to call the Bot API; of the
-- webhook's secret only a hash is kept.
CREATE TABLE telegram_bots (
    channel_id   INTEGER PRIMARY KEY REFERENCES channels(id),
    bot_id       INTEGER NOT NULL,
    username     TEXT NOT NULL,
    token        TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    connected_by INTEGER REFERENCES users(id)
);
CREATE INDEX telegram_bots_bot ON telegram_bots(bot_id);

-- Updates received, so a delivery Telegram retries is stored once. Pruned after a week
-- (Telegram stops retrying long before).
CREATE TABLE telegram_updates (
    channel_id  INTEGER NOT NULL REFERENCES channels(id),
    update_id   INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, update_id)
) WITHOUT ROWID;
CREATE INDEX telegram_updates_received ON telegram_updates(received_at);

-- How the client is known on the channel (a Telegram @username).
ALTER TABLE client_accounts ADD COLUMN display_name TEXT;

-- The messenger's id of a message (an edit finds its message by it), the delivery of
-- operators' messages to a messenger, and clients' edits (the first text is kept).
ALTER TABLE messages ADD COLUMN external_id TEXT;
ALTER TABLE messages ADD COLUMN delivery TEXT CHECK (delivery IN ('sending', 'sent', 'failed'));
ALTER TABLE messages ADD COLUMN delivery_error TEXT;
ALTER TABLE messages ADD COLUMN original_body TEXT;
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
CREATE INDEX messages_external ON messages(dialog_id, external_id) WHERE external_id IS NOT NULL;

-- Operators' messages on their way to a messenger. `parts_done` counts the calls that
-- succeeded (the text, then each file), so a restart resumes without sending any twice.
-- `leased_until` is set while a delivery runs.
CREATE TABLE outbox (
    message_id      INTEGER PRIMARY KEY REFERENCES messages(id),
    dialog_id       INTEGER NOT NULL REFERENCES dialogs(id),
    parts_done      INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    leased_until    INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX outbox_dialog ON outbox(dialog_id, message_id);
CREATE INDEX outbox_due ON outbox(next_attempt_at);
