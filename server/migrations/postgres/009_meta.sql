-- Facebook Pages and Instagram accounts, and the messages they delivered (see the SQLite
-- migration 028_meta.sql).
ALTER TABLE channels DROP CONSTRAINT channels_kind_check;
ALTER TABLE channels ADD CONSTRAINT channels_kind_check
    CHECK (kind IN ('widget', 'telegram', 'viber', 'whatsapp', 'facebook', 'instagram'));

CREATE TABLE meta_accounts (
    channel_id   BIGINT PRIMARY KEY REFERENCES channels(id),
    page_id      TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    handle       TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    token        TEXT NOT NULL,
    app_secret   TEXT NOT NULL,
    verify_token TEXT NOT NULL,
    connected_by BIGINT REFERENCES users(id)
);
CREATE INDEX meta_accounts_account ON meta_accounts(account_id);

CREATE TABLE meta_messages (
    channel_id  BIGINT NOT NULL REFERENCES channels(id),
    mid         TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, mid)
);
CREATE INDEX meta_messages_received ON meta_messages(received_at);
