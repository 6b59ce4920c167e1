-- A dialog's preview, time and place in the lists follow what the client or an operator
-- said last; system notes ("Anna took the dialog") no longer move them.
UPDATE dialogs SET
    last_message_id = (SELECT MAX(m.id) FROM messages m WHERE m.dialog_id = dialogs.id AND m.author_kind != 'system'),
    last_activity_at = COALESCE(
        (SELECT MAX(m.created_at) FROM messages m WHERE m.dialog_id = dialogs.id AND m.author_kind != 'system'),
        created_at);
