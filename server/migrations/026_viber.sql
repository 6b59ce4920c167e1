-- A Viber bot behind a channel. Its token (the app key) authorizes our calls and signs
-- Viber's callbacks, so it is kept.
CREATE TABLE viber_bots (
    channel_id   INTEGER PRIMARY KEY REFERENCES channels(id),
    account_id   TEXT NOT NULL,
    uri          TEXT NOT NULL,
    token        TEXT NOT NULL,
    connected_by INTEGER REFERENCES users(id)
);
CREATE INDEX viber_bots_account ON viber_bots(account_id);

-- Callbacks received, by their message token, so a callback Viber retries is handled
-- once. Pruned after a week (Viber retries for an hour at most).
CREATE TABLE viber_callbacks (
    channel_id    INTEGER NOT NULL REFERENCES channels(id),
    message_token TEXT NOT NULL,
    received_at   INTEGER NOT NULL,
    PRIMARY KEY (channel_id, message_token)
) WITHOUT ROWID;
CREATE INDEX viber_callbacks_received ON viber_callbacks(received_at);

-- When the client unsubscribed from the channel's bot: nothing reaches them until they
-- write again.
ALTER TABLE client_accounts ADD COLUMN unsubscribed_at INTEGER;
