-- Counted unread messages, so the inbox can page and count whole tabs without reading
-- every message: a dialog's unread for a user is `people_count - read_count`.

-- Messages written by people (clients and operators, not system notes).
ALTER TABLE dialogs ADD COLUMN people_count INTEGER NOT NULL DEFAULT 0;
UPDATE dialogs SET people_count =
    (SELECT COUNT(*) FROM messages m WHERE m.dialog_id = dialogs.id AND m.author_kind != 'system');

-- How many of those the user has read (writing in a dialog reads it up to there).
ALTER TABLE dialog_reads ADD COLUMN read_count INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO dialog_reads (user_id, dialog_id, last_read_message_id)
    SELECT DISTINCT author_user_id, dialog_id, 0 FROM messages WHERE author_kind = 'operator';
UPDATE dialog_reads SET read_count =
    (SELECT people_count FROM dialogs WHERE id = dialog_reads.dialog_id)
    - (SELECT COUNT(*) FROM messages m
       WHERE m.dialog_id = dialog_reads.dialog_id AND m.author_kind != 'system'
         AND (m.author_user_id IS NULL OR m.author_user_id != dialog_reads.user_id)
         AND m.id > dialog_reads.last_read_message_id);

-- Pages of a tab are read in (last activity, id) order.
DROP INDEX dialogs_state_activity;
CREATE INDEX dialogs_state_activity ON dialogs(state, last_activity_at DESC, id DESC);
CREATE INDEX dialog_reads_dialog ON dialog_reads(dialog_id, user_id);
