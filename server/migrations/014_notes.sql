-- Operators' private notes: stored with the dialog's messages, shown to colleagues,
-- never sent to the client or a messenger, and not counted as the conversation's
-- messages (previews, order, unread).
ALTER TABLE messages ADD COLUMN is_note INTEGER NOT NULL DEFAULT 0 CHECK (is_note IN (0, 1));
