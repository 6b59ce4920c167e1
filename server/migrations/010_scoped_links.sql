-- A lead created for a manager who views only their own records (seed case 4b) belongs
-- to the chat it was opened from: its link names that dialog, and it opens that chat to
-- the manager, not the client's chats other operators work on.
ALTER TABLE crm_links ADD COLUMN only_dialog_id INTEGER REFERENCES dialogs(id);
