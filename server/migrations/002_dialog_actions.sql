-- Dialogs ended with Mark as spam, and the note left by the last Redirect.
ALTER TABLE dialogs ADD COLUMN spam INTEGER NOT NULL DEFAULT 0 CHECK (spam IN (0, 1));
ALTER TABLE dialogs ADD COLUMN handover_from INTEGER REFERENCES users(id);
ALTER TABLE dialogs ADD COLUMN handover_to INTEGER REFERENCES users(id);
ALTER TABLE dialogs ADD COLUMN handover_note TEXT;

-- Ask before End dialog, until the user checks "Do not show this window again".
ALTER TABLE users ADD COLUMN confirm_end_dialog INTEGER NOT NULL DEFAULT 1 CHECK (confirm_end_dialog IN (0, 1));
