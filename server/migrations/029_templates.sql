-- A WhatsApp template an operator sent: what the outbox sends instead of the message's
-- text (a JSON `TemplateCall`: name, language, the body's values).
ALTER TABLE outbox ADD COLUMN template TEXT;
