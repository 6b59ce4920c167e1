-- WhatsApp Business phone numbers, the messages they delivered, and when each client
-- last wrote (see the SQLite migration 027_whatsapp.sql).
CREATE TABLE whatsapp_numbers (
    channel_id      BIGINT PRIMARY KEY REFERENCES channels(id),
    phone_number_id TEXT NOT NULL,
    waba_id         TEXT NOT NULL,
    display_number  TEXT NOT NULL,
    token           TEXT NOT NULL,
    app_secret      TEXT NOT NULL,
    verify_token    TEXT NOT NULL,
    connected_by    BIGINT REFERENCES users(id)
);
CREATE INDEX whatsapp_numbers_phone ON whatsapp_numbers(phone_number_id);

CREATE TABLE whatsapp_messages (
    channel_id  BIGINT NOT NULL REFERENCES channels(id),
    wamid       TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, wamid)
);
CREATE INDEX whatsapp_messages_received ON whatsapp_messages(received_at);

ALTER TABLE client_accounts ADD COLUMN last_inbound_at BIGINT;
