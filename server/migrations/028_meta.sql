-- A Facebook Page answering in Messenger, or the Instagram professional account linked
-- to a page, behind a channel (the Messenger Platform). `account_id` is the id Meta's
-- notifications name (the page's, or the Instagram account's); the page's access token
-- authorizes our calls, the app secret signs Meta's webhook deliveries, the verify token
-- answers Meta's handshake, and `app_id` is the app the token belongs to (the echoes of
-- our own messages name it). `channels.kind` takes 'facebook' and 'instagram' from this
-- version on (see `widen_channel_kinds` in src/db/mod.rs).
CREATE TABLE meta_accounts (
    channel_id   INTEGER PRIMARY KEY REFERENCES channels(id),
    page_id      TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    handle       TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    token        TEXT NOT NULL,
    app_secret   TEXT NOT NULL,
    verify_token TEXT NOT NULL,
    connected_by INTEGER REFERENCES users(id)
);
CREATE INDEX meta_accounts_account ON meta_accounts(account_id);

-- Messages received, by Meta's id, so a notification Meta retries is stored once.
-- Pruned after a week.
CREATE TABLE meta_messages (
    channel_id  INTEGER NOT NULL REFERENCES channels(id),
    mid         TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, mid)
) WITHOUT ROWID;
CREATE INDEX meta_messages_received ON meta_messages(received_at);
