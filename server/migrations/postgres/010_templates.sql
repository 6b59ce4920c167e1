-- A WhatsApp template an operator sent (see the SQLite migration 029_templates.sql).
ALTER TABLE outbox ADD COLUMN template TEXT;
