-- A WhatsApp Business phone number behind a channel (the Cloud API). The access token
-- authorizes our calls, the app secret signs Meta's webhook deliveries, and the verify
-- token answers Meta's webhook handshake.
CREATE TABLE whatsapp_numbers (
    channel_id      INTEGER PRIMARY KEY REFERENCES channels(id),
    phone_number_id TEXT NOT NULL,
    waba_id         TEXT NOT NULL,
    display_number  TEXT NOT NULL,
    token           TEXT NOT NULL,
    app_secret      TEXT NOT NULL,
    verify_token    TEXT NOT NULL,
    connected_by    INTEGER REFERENCES users(id)
);
CREATE INDEX whatsapp_numbers_phone ON whatsapp_numbers(phone_number_id);

-- Messages received, by WhatsApp's id, so a notification Meta retries is stored once.
-- Pruned after a week (Meta retries for up to 7 days).
CREATE TABLE whatsapp_messages (
    channel_id  INTEGER NOT NULL REFERENCES channels(id),
    wamid       TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, wamid)
) WITHOUT ROWID;
CREATE INDEX whatsapp_messages_received ON whatsapp_messages(received_at);

-- When the client last wrote through the account: WhatsApp takes free-form answers for
-- 24 hours after that, and only approved templates later.
ALTER TABLE client_accounts ADD COLUMN last_inbound_at INTEGER;
