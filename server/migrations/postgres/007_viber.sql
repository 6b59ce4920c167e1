-- Viber bots, the callbacks they delivered, and clients who unsubscribed (see the
-- SQLite migration 026_viber.sql).
CREATE TABLE viber_bots (
    channel_id   BIGINT PRIMARY KEY REFERENCES channels(id),
    account_id   TEXT NOT NULL,
    uri          TEXT NOT NULL,
    token        TEXT NOT NULL,
    connected_by BIGINT REFERENCES users(id)
);
CREATE INDEX viber_bots_account ON viber_bots(account_id);

CREATE TABLE viber_callbacks (
    channel_id    BIGINT NOT NULL REFERENCES channels(id),
    message_token TEXT NOT NULL,
    received_at   BIGINT NOT NULL,
    PRIMARY KEY (channel_id, message_token)
);
CREATE INDEX viber_callbacks_received ON viber_callbacks(received_at);

ALTER TABLE client_accounts ADD COLUMN unsubscribed_at BIGINT;
